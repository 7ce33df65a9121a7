/** Check JSON values against the schemas of an OpenAPI description (GitHub's, Prefect's). */

export type Schema = Record<string, unknown>;

export interface TypeCheckOptions {
  /** Also report properties a schema with `additionalProperties: false` does not list. */
  strict?: boolean;
  /** Also report properties a schema lists in `required` that the value lacks. */
  required?: boolean;
}

/**
 * A checker over `spec` ($refs resolved inside it): type problems of a value against a schema,
 * for fields present, and (with `required`) the required fields it lacks.
 */
export function typeChecker(spec: unknown, options: TypeCheckOptions = {}) {
  function resolve(node: unknown): Schema {
    let n = node as Schema;
    while (n && typeof n.$ref === 'string') {
      const parts = (n.$ref as string).replace(/^#\//, '').split('/');
      n = parts.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], spec) as Schema;
    }
    return n;
  }

  function typeProblems(value: unknown, schemaNode: unknown, path: string): string[] {
    const schema = resolve(schemaNode);
    if (!schema || Object.keys(schema).length === 0) return [];
    // `nullable` applies to the whole schema, oneOf/anyOf included.
    if (value === null && schema.nullable === true) return [];
    for (const key of ['anyOf', 'oneOf'] as const) {
      const choices = schema[key] as unknown[] | undefined;
      if (choices) {
        const all = choices.map((o) => typeProblems(value, o, path));
        return all.some((p) => p.length === 0) ? [] : all.flat();
      }
    }
    if (schema.allOf) return (schema.allOf as unknown[]).flatMap((s) => typeProblems(value, s, path));
    if (value === null)
      return schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'))
        ? []
        : schema.type === 'null'
          ? []
          : [`${path}: null not allowed`];
    const types = ([] as unknown[]).concat(schema.type ?? []);
    const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number')))
      return [`${path}: ${actual} is not ${types.join('|')}`];
    if (schema.enum && !(schema.enum as unknown[]).includes(value))
      return [`${path}: ${JSON.stringify(value)} not in enum`];
    if (actual === 'array' && schema.items)
      return (value as unknown[]).flatMap((v, i) => typeProblems(v, schema.items, `${path}[${i}]`));
    if (actual === 'object' && schema.properties) {
      const props = schema.properties as Record<string, unknown>;
      const missing = options.required
        ? ((schema.required as string[] | undefined) ?? [])
            .filter((k) => !(k in (value as Record<string, unknown>)))
            .map((k) => `${path}.${k}: required but missing`)
        : [];
      return missing.concat(
        Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
          k in props
            ? typeProblems(v, props[k], `${path}.${k}`)
            : options.strict && schema.additionalProperties === false
              ? [`${path}.${k}: not a property of ${String(schema.title ?? 'the schema')}`]
              : [],
        ),
      );
    }
    return [];
  }

  return { resolve, typeProblems };
}
