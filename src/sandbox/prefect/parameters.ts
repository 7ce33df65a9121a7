/**
 * What Prefect 3's create_flow_run does to parameters before creating the run
 * (src/prefect/server/api/deployments.py, create_flow_run_from_deployment): merge them over the
 * deployment's, hydrate `__prefect_kind` placeholders (a HydrationError answers 400 "Error
 * hydrating flow run parameters: …"), then, when enforce_parameter_schema is on, validate them
 * against the deployment's parameter_openapi_schema (409 "Error creating flow run: Validation
 * failed for field '…'. Failure reason: …", src/prefect/utilities/schema_tools/validation.py).
 * Only the JSON-schema keywords a flow signature produces are checked: type, required,
 * properties, additionalProperties, enum.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  items?: JsonSchema;
  [key: string]: unknown;
};

export class HydrationFailure extends Error {}

/** Python's repr of a JSON value, as jsonschema puts it in its messages. */
function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, type: string): boolean {
  const t = jsonType(v);
  return t === type || (type === 'number' && t === 'integer');
}

/** The first jsonschema error as Prefect words it (json_path without "$."). */
function firstError(value: unknown, schema: JsonSchema, path: string): string | null {
  const at = (msg: string) =>
    path === '$'
      ? `Validation failed. Failure reason: ${msg}`
      : `Validation failed for field '${path.replace(/^\$\./, '')}'. Failure reason: ${msg}`;
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
  if (types.length && !types.some((t) => typeMatches(value, t)))
    return at(`${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return at(`${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`);
  if (jsonType(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) return at(`${pyRepr(r)} is a required property`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) {
        const e = firstError(v, sub, `${path}.${k}`);
        if (e) return e;
      } else if (schema.additionalProperties === false) {
        return at(`Additional properties are not allowed (${pyRepr(k)} was unexpected)`);
      }
    }
  }
  if (jsonType(value) === 'array' && schema.items)
    for (const [i, v] of (value as unknown[]).entries()) {
      const e = firstError(v, schema.items, `${path}[${i}]`);
      if (e) return e;
    }
  return null;
}

export function validateParameters(parameters: Record<string, unknown>, schema: JsonSchema): string | null {
  return firstError(parameters, schema, '$');
}

/**
 * Replace `{"__prefect_kind": "json", "value": "…"}` by the parsed JSON and
 * `{"__prefect_kind": "workspace_variable", "variable_name": "…"}` by the variable's value
 * (src/prefect/utilities/schema_tools/hydration.py); throws HydrationFailure with Prefect's message.
 */
export function hydrate(value: unknown, variables: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => hydrate(v, variables));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  if (obj.__prefect_kind === 'json') {
    if (typeof obj.value !== 'string') return obj.value;
    try {
      return JSON.parse(obj.value);
    } catch (err) {
      throw new HydrationFailure(`Invalid JSON: ${(err as Error).message}`);
    }
  }
  if (obj.__prefect_kind === 'workspace_variable') {
    const name = String(obj.variable_name);
    if (!(name in variables)) throw new HydrationFailure(`Variable '${name}' not found in workspace.`);
    return variables[name];
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, hydrate(v, variables)]));
}
