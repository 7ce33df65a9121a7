/**
 * A small client for the Prefect Server endpoints git-promote uses (docs/flow.md, "Prefect settings"; docs/prefect.md).
 * Every request has a time limit and a size cap; transient failures (connection refused or
 * reset, DNS EAI_AGAIN, timeouts, TLS handshake timeouts, 5xx) are retried with exponential
 * backoff and jitter, 4xx never. Errors leave as PromoteErrors: 1 refused, 2 config, 3 transient.
 */
import * as z from 'zod/v4';
import { CheckFailedError, PromoteError, TransientError, UsageError } from '../../core/errors.js';
import { isFlowStateType, type FlowRunInfo, type FlowStateType } from '../../core/flow-state.js';
import { BadResponseError, HttpStatusError, NetworkError, requestJson } from './http.js';
import { withRetry, type RetryOptions } from './retry.js';
import { apiUrlHint, isPrefectCloud, notApiQuestion } from './api-url.js';

interface PrefectClientOptions {
  api: string;
  /** Basic auth `user:password` (PREFECT_API_AUTH_STRING); wins over apiKey, as in Prefect's client. */
  authString?: string;
  /** Prefect Cloud API key (PREFECT_API_KEY), sent as `Authorization: Bearer …`. */
  apiKey?: string;
  fetch: typeof globalThis.fetch;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Per response (default 4 MiB). */
  maxBytes?: number;
  retry?: RetryOptions;
  signal?: AbortSignal;
}

const deploymentSchema = z.looseObject({ id: z.string().min(1), name: z.string().optional() });
type PrefectDeployment = z.output<typeof deploymentSchema>;

const flowRunSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  state_type: z.string().nullish(),
  state_name: z.string().nullish(),
  state: z
    .looseObject({
      type: z.string().nullish(),
      name: z.string().nullish(),
      message: z.string().nullish(),
      timestamp: z.string().nullish(),
    })
    .nullish(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
  created: z.string().nullish(),
  expected_start_time: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string()).nullish(),
  idempotency_key: z.string().nullish(),
  deployment_id: z.string().nullish(),
});
export type PrefectFlowRun = z.output<typeof flowRunSchema>;

interface CreateFlowRunBody {
  parameters: Record<string, unknown>;
  tags: string[];
  idempotency_key: string;
  name?: string;
}

/** Prefect's flow run in the shape git-promote uses. */
export function toFlowRunInfo(run: PrefectFlowRun): FlowRunInfo {
  const type = run.state_type ?? run.state?.type;
  // A run without a state yet is about to be scheduled; an unknown type from a newer server is
  // treated as still running so we keep following instead of misreporting a result.
  const state: FlowStateType = isFlowStateType(type) ? type : type ? 'RUNNING' : 'SCHEDULED';
  return {
    flowRunId: run.id,
    ...(run.name ? { name: run.name } : {}),
    state,
    ...((run.state_name ?? run.state?.name) ? { stateName: (run.state_name ?? run.state?.name)! } : {}),
    ...(run.state?.message ? { message: run.state.message } : {}),
    startTime: run.start_time ?? null,
    endTime: run.end_time ?? null,
    created: run.created ?? run.expected_start_time ?? null,
    ...(run.parameters ? { parameters: run.parameters } : {}),
    ...(run.expected_start_time ? { expectedStartTime: run.expected_start_time } : {}),
  };
}

export interface PrefectClient {
  readonly api: string;
  readDeploymentByName(flowName: string, deploymentName: string): Promise<PrefectDeployment>;
  /** Create (or, for a known idempotency key, get back) a flow run; `created` is false for the latter. */
  createFlowRun(
    deploymentId: string,
    body: CreateFlowRunBody,
  ): Promise<{ run: PrefectFlowRun; created: boolean }>;
  readFlowRun(flowRunId: string): Promise<PrefectFlowRun>;
  /** POST /flow_runs/filter with Prefect's filter body. */
  filterFlowRuns(body: Record<string, unknown>): Promise<PrefectFlowRun[]>;
  /**
   * Every run the filter matches, page by page (`limit` at most Prefect's default limit of 200,
   * which the server enforces with a 422), up to `maxRuns`.
   */
  filterAllFlowRuns(body: Record<string, unknown>, maxRuns?: number): Promise<PrefectFlowRun[]>;
}

/** PREFECT_SERVER_API_DEFAULT_LIMIT: the largest `limit` /flow_runs/filter accepts. */
const PREFECT_MAX_LIMIT = 200;

export function createPrefectClient(options: PrefectClientOptions): PrefectClient {
  const api = options.api.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  // Prefect's client sends Basic when an auth string is set, else Bearer with the API key
  // (src/prefect/client/orchestration/__init__.py, PrefectClient.__init__).
  if (options.authString)
    headers.authorization = `Basic ${Buffer.from(options.authString, 'utf8').toString('base64')}`;
  else if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const auth = { authString: Boolean(options.authString), apiKey: Boolean(options.apiKey) };

  async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
    try {
      return await withRetry(
        () =>
          requestJson({
            fetch: options.fetch,
            url: `${api}${path}`,
            path,
            method,
            headers,
            body,
            timeoutMs: options.timeoutMs ?? 15_000,
            maxBytes: options.maxBytes ?? 4 * 1024 * 1024,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        (err) => (err instanceof HttpStatusError || err instanceof NetworkError) && err.transient,
        { ...options.retry, ...(options.signal ? { signal: options.signal } : {}) },
      );
    } catch (err) {
      throw wrap(err, api, auth);
    }
  }

  function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    // A JSON answer in another shape is another service (or another API version): retrying
    // will not change it.
    throw new UsageError(`Prefect at ${api} answered ${what} in an unexpected shape`, apiUrlHint(api));
  }

  async function filterFlowRuns(body: Record<string, unknown>): Promise<PrefectFlowRun[]> {
    const { data } = await call('POST', '/flow_runs/filter', body);
    return parse(z.array(flowRunSchema), data, 'the flow run filter');
  }

  return {
    api,
    async readDeploymentByName(flowName, deploymentName) {
      const path = `/deployments/name/${encodeURIComponent(flowName)}/${encodeURIComponent(deploymentName)}`;
      try {
        const { data } = await call('GET', path);
        return parse(deploymentSchema, data, 'the deployment lookup');
      } catch (err) {
        if (err instanceof CheckFailedError && (err.cause as HttpStatusError | undefined)?.status === 404)
          throw new CheckFailedError(
            `Prefect deployment "${flowName}/${deploymentName}" not found at ${api}`,
            'Check flow.prefect.deployment in promote.config.json against `prefect deployment ls`.',
            { cause: err.cause },
          );
        throw err;
      }
    },
    async createFlowRun(deploymentId, body) {
      const { status, data } = await call(
        'POST',
        `/deployments/${encodeURIComponent(deploymentId)}/create_flow_run`,
        body,
      );
      // Prefect answers 201 for a new run and 200 when the idempotency key matched an existing one.
      return { run: parse(flowRunSchema, data, 'create_flow_run'), created: status === 201 };
    },
    async readFlowRun(flowRunId) {
      const { data } = await call('GET', `/flow_runs/${encodeURIComponent(flowRunId)}`);
      return parse(flowRunSchema, data, 'the flow run');
    },
    filterFlowRuns,
    async filterAllFlowRuns(body, maxRuns = 2_000) {
      const all: PrefectFlowRun[] = [];
      for (let offset = 0; offset < maxRuns; offset += PREFECT_MAX_LIMIT) {
        const page = await filterFlowRuns({ ...body, limit: PREFECT_MAX_LIMIT, offset });
        all.push(...page);
        if (page.length < PREFECT_MAX_LIMIT) break;
      }
      return all.slice(0, maxRuns);
    },
  };
}

function credentialsRemedy(api: string, auth: { authString: boolean; apiKey: boolean }): string {
  if (auth.authString && auth.apiKey)
    return "Both PREFECT_API_AUTH_STRING and PREFECT_API_KEY are set and the auth string wins (as in Prefect's client): unset PREFECT_API_AUTH_STRING for Prefect Cloud, or fix it for a self-hosted server.";
  if (auth.apiKey || isPrefectCloud(api))
    return 'Set PREFECT_API_KEY to a valid API key for this workspace (`prefect cloud login`, or a service account key).';
  return 'Set PREFECT_API_AUTH_STRING to the "user:password" of the server\'s basic auth.';
}

/** Map transport errors onto the contract's exit codes, naming the API but never a header. */
function wrap(err: unknown, api: string, auth: { authString: boolean; apiKey: boolean }): unknown {
  if (err instanceof PromoteError) return err;
  if (err instanceof HttpStatusError) {
    // A proxy's HTML 502 is still a server that may come back: transient before anything else.
    if (err.transient)
      return new TransientError(
        `Prefect at ${api} is failing: ${err.message}`,
        'Retry later; if it persists check the Prefect server logs (`journalctl -u prefect-server`).',
        { cause: err },
      );
    if (!err.json)
      return new UsageError(
        `Prefect at ${api} answered ${err.method} ${err.path} with HTTP ${err.status} and ${err.detail}, not JSON: ${notApiQuestion(api)}`,
        apiUrlHint(api),
        { cause: err },
      );
    if (err.status === 401 || err.status === 403)
      return new UsageError(
        `Prefect at ${api} refused the credentials (HTTP ${err.status})`,
        credentialsRemedy(api, auth),
        { cause: err },
      );
    // 400 (parameter hydration), 409 (enforce_parameter_schema) and 422 (request validation):
    // what we send comes from flow.prefect in the config, and sending it again cannot help.
    if (err.status === 400 || err.status === 409 || err.status === 422)
      return new UsageError(
        `Prefect at ${api} rejected ${err.method} ${err.path} (HTTP ${err.status}): ${err.detail}`,
        /create_flow_run$/.test(err.path)
          ? "Fix flow.prefect.parameters in promote.config.json to match the deployment's parameters (`prefect deployment inspect <flow>/<deployment>`), then run `git promote apply`."
          : 'This Prefect server rejects the request git-promote sends: check that it is Prefect 3 (`prefect version`).',
        { cause: err },
      );
    return new CheckFailedError(
      `Prefect at ${api} refused the request: ${err.message}`,
      'Check the flow.prefect settings in promote.config.json; retrying the same request will not help.',
      { cause: err },
    );
  }
  if (err instanceof NetworkError)
    return err.transient
      ? new TransientError(
          `cannot reach Prefect at ${api}: ${err.message}`,
          'Check that the Prefect server is running and reachable, then retry.',
          { cause: err },
        )
      : new CheckFailedError(
          `cannot reach Prefect at ${api}: ${err.message}`,
          'Check PREFECT_API_URL / flow.prefect.api (host name and port).',
          { cause: err },
        );
  if (err instanceof BadResponseError)
    return err.notJson
      ? new UsageError(
          `Prefect at ${api}: ${err.message}, not JSON: ${notApiQuestion(api)}`,
          apiUrlHint(api),
          {
            cause: err,
          },
        )
      : new TransientError(
          `Prefect at ${api} sent an unusable response: ${err.message}`,
          'Check that the URL points at the Prefect API and not a proxy page, then retry.',
          { cause: err },
        );
  return err;
}
