/**
 * The Prefect stand-in's request validation, answering as Prefect 3 does. Request models forbid
 * unknown fields (ActionBaseModel and PrefectFilterBaseModel use `extra="forbid"`:
 * src/prefect/server/schemas/actions.py, src/prefect/server/schemas/filters.py) and pydantic's
 * errors reach the client through validation_exception_handler
 * (src/prefect/server/api/server.py) as
 * {"exception_message": "Invalid request received.", "exception_detail": [{type, loc, msg, input}], "request_body": …}.
 * The field tables are checked against Prefect's OpenAPI description in
 * tests/integration/prefect-openapi.test.ts.
 */

interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** DeploymentFlowRunCreate's fields (POST /deployments/{id}/create_flow_run). */
export const CREATE_FLOW_RUN_FIELDS = [
  'state',
  'name',
  'parameters',
  'enforce_parameter_schema',
  'context',
  'infrastructure_document_id',
  'empirical_policy',
  'tags',
  'idempotency_key',
  'labels',
  'parent_task_run_id',
  'work_queue_name',
  'job_variables',
] as const;

/** FlowRunSort (src/prefect/server/schemas/sorting.py). */
export const FLOW_RUN_SORTS = [
  'ID_DESC',
  'START_TIME_ASC',
  'START_TIME_DESC',
  'EXPECTED_START_TIME_ASC',
  'EXPECTED_START_TIME_DESC',
  'NAME_ASC',
  'NAME_DESC',
  'NEXT_SCHEDULED_START_TIME_ASC',
  'END_TIME_DESC',
] as const;

/**
 * The filter models of POST /flow_runs/filter: each filter's fields, and for the sub-filters the
 * stand-in implements, their own fields (all `extra="forbid"`).
 */
export const FILTER_FIELDS: Record<string, { schema: string; fields: Record<string, string | null> }> = {
  flow_runs: {
    schema: 'FlowRunFilter',
    fields: {
      operator: null,
      id: 'FlowRunFilterId',
      name: null,
      tags: 'FlowRunFilterTags',
      deployment_id: 'FlowRunFilterDeploymentId',
      work_queue_name: null,
      state: 'FlowRunFilterState',
      flow_version: null,
      start_time: null,
      end_time: null,
      expected_start_time: 'FlowRunFilterExpectedStartTime',
      next_scheduled_start_time: null,
      parent_flow_run_id: null,
      parent_task_run_id: null,
      idempotency_key: 'FlowRunFilterIdempotencyKey',
      created_by: null,
    },
  },
  deployments: {
    schema: 'DeploymentFilter',
    fields: {
      operator: null,
      id: 'DeploymentFilterId',
      name: null,
      flow_or_deployment_name: null,
      paused: null,
      tags: null,
      work_queue_name: null,
      concurrency_limit: null,
    },
  },
};

/** The fields of the sub-filters the stand-in implements. */
export const SUB_FILTER_FIELDS: Record<string, string[]> = {
  FlowRunFilterId: ['any_', 'not_any_'],
  FlowRunFilterTags: ['operator', 'all_', 'any_', 'is_null_'],
  FlowRunFilterDeploymentId: ['operator', 'any_', 'is_null_'],
  FlowRunFilterState: ['operator', 'type', 'name'],
  FlowRunFilterExpectedStartTime: ['before_', 'after_'],
  FlowRunFilterIdempotencyKey: ['any_', 'not_any_'],
  DeploymentFilterId: ['any_', 'not_any_'],
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function extra(loc: (string | number)[], input: unknown): PydanticError {
  return { type: 'extra_forbidden', loc, msg: 'Extra inputs are not permitted', input };
}

function dictError(loc: (string | number)[], input: unknown): PydanticError {
  return { type: 'dict_type', loc, msg: 'Input should be a valid dictionary', input };
}

function stringList(loc: (string | number)[], value: unknown): PydanticError[] {
  if (!Array.isArray(value))
    return [{ type: 'list_type', loc, msg: 'Input should be a valid list', input: value }];
  return value.flatMap((v, i) =>
    typeof v === 'string'
      ? []
      : [{ type: 'string_type', loc: [...loc, i], msg: 'Input should be a valid string', input: v }],
  );
}

/**
 * FlowRunFilterState.type is a FlowRunFilterStateType: `any_` / `not_any_`, lists of StateType
 * (src/prefect/server/schemas/filters.py, FlowRunFilterStateType; the server keeps runs whose
 * state_type is in any_ and not in not_any_). The agent's quiet window asks for the runs of its
 * deployment in PENDING, RUNNING or CANCELLING this way.
 */
export const STATE_TYPE_FILTER_FIELDS = ['any_', 'not_any_'] as const;

/** StateType (src/prefect/server/schemas/states.py). */
export const STATE_TYPES = [
  'SCHEDULED',
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'CRASHED',
  'PAUSED',
  'CANCELLING',
] as const;

function stateTypeErrors(loc: (string | number)[], value: unknown): PydanticError[] {
  if (value === null) return [];
  if (!isObject(value)) return [dictError(loc, value)];
  const errors: PydanticError[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (!(STATE_TYPE_FILTER_FIELDS as readonly string[]).includes(k)) {
      errors.push(extra([...loc, k], v));
      continue;
    }
    if (v === null) continue;
    if (!Array.isArray(v)) {
      errors.push({ type: 'list_type', loc: [...loc, k], msg: 'Input should be a valid list', input: v });
      continue;
    }
    v.forEach((t, i) => {
      if (!(STATE_TYPES as readonly unknown[]).includes(t))
        errors.push({
          type: 'enum',
          loc: [...loc, k, i],
          msg: `Input should be ${STATE_TYPES.slice(0, -1)
            .map((x) => `'${x}'`)
            .join(', ')} or '${STATE_TYPES.at(-1)}'`,
          input: t,
        });
    });
  }
  return errors;
}

/** Pydantic's errors for a create_flow_run body, as DeploymentFlowRunCreate would report them. */
export function createFlowRunErrors(body: unknown): PydanticError[] {
  if (body === undefined) return [];
  if (!isObject(body)) return [dictError(['body'], body)];
  const errors: PydanticError[] = [];
  for (const [key, value] of Object.entries(body)) {
    const loc = ['body', key];
    if (!(CREATE_FLOW_RUN_FIELDS as readonly string[]).includes(key)) errors.push(extra(loc, value));
    else if (key === 'parameters' && !isObject(value)) errors.push(dictError(loc, value));
    else if (key === 'tags') errors.push(...stringList(loc, value));
    else if ((key === 'name' || key === 'idempotency_key') && value !== null && typeof value !== 'string')
      errors.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: value });
  }
  return errors;
}

function isDateTime(v: unknown): boolean {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
}

/** Pydantic's errors for a /flow_runs/filter body (the filters the stand-in knows). */
export function filterErrors(body: unknown): { errors: PydanticError[]; unimplemented: string[] } {
  const errors: PydanticError[] = [];
  const unimplemented: string[] = [];
  if (body === undefined) return { errors, unimplemented };
  if (!isObject(body)) return { errors: [dictError(['body'], body)], unimplemented };
  if (body.sort !== undefined && !(FLOW_RUN_SORTS as readonly string[]).includes(body.sort as string))
    errors.push({
      type: 'enum',
      loc: ['body', 'sort'],
      msg: `Input should be ${FLOW_RUN_SORTS.slice(0, -1)
        .map((s) => `'${s}'`)
        .join(', ')} or '${FLOW_RUN_SORTS.at(-1)}'`,
      input: body.sort,
      ctx: { expected: FLOW_RUN_SORTS.map((s) => `'${s}'`).join(', ') },
    });
  for (const key of ['limit', 'offset'] as const)
    if (body[key] !== undefined && body[key] !== null && !Number.isInteger(body[key]))
      errors.push({
        type: 'int_type',
        loc: ['body', key],
        msg: 'Input should be a valid integer',
        input: body[key],
      });
  for (const [name, model] of Object.entries(FILTER_FIELDS)) {
    const filter = body[name];
    if (filter === undefined || filter === null) continue;
    if (!isObject(filter)) {
      errors.push(dictError(['body', name], filter));
      continue;
    }
    for (const [field, value] of Object.entries(filter)) {
      const loc = ['body', name, field];
      if (!(field in model.fields)) {
        errors.push(extra(loc, value));
        continue;
      }
      const sub = model.fields[field];
      if (value === null) continue;
      if (!sub) {
        unimplemented.push(`${name}.${field}`);
        continue;
      }
      if (!isObject(value)) {
        errors.push(dictError(loc, value));
        continue;
      }
      for (const [k, v] of Object.entries(value)) {
        if (!SUB_FILTER_FIELDS[sub]!.includes(k)) errors.push(extra([...loc, k], v));
        else if (sub === 'FlowRunFilterState' && k === 'type')
          errors.push(...stateTypeErrors([...loc, k], v));
        else if ((k === 'before_' || k === 'after_') && v !== null && !isDateTime(v))
          errors.push({
            type: 'datetime_from_date_parsing',
            loc: [...loc, k],
            msg: 'Input should be a valid datetime or date',
            input: v,
          });
      }
    }
  }
  return { errors, unimplemented };
}

/** The body of Prefect's 422 for request validation errors. */
export function validationBody(errors: PydanticError[], body: unknown): unknown {
  return {
    exception_message: 'Invalid request received.',
    exception_detail: errors,
    request_body: body ?? null,
  };
}
