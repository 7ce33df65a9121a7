/**
 * A small client for the Prefect Server endpoints of DESIGN.md ("Prefect Server API used").
 * Every request has a time limit and a size cap; transient failures (connection refused or
 * reset, DNS EAI_AGAIN, timeouts, TLS handshake timeouts, 5xx) are retried with exponential
 * backoff and jitter, 4xx never. Errors leave as PromoteErrors: 1 refused, 2 config, 3 transient.
 */
import { z } from 'zod';
import { CheckFailedError, PromoteError, TransientError, UsageError } from '../../core/errors.js';
import { isFlowStateType, type FlowRunInfo, type FlowStateType } from '../../core/flow-state.js';
import {
  BadResponseError,
  HttpStatusError,
  NetworkError,
  NotJsonResponseError,
  requestJson,
} from './http.js';
import { withRetry, type RetryOptions } from './retry.js';

export interface PrefectClientOptions {
  api: string;
  authString?: string;
  fetch: typeof globalThis.fetch;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Per response (default 4 MiB). */
  maxBytes?: number;
  retry?: RetryOptions;
  signal?: AbortSignal;
}

const deploymentSchema = z.looseObject({ id: z.string().min(1), name: z.string().optional() });
export type PrefectDeployment = z.output<typeof deploymentSchema>;

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

export interface CreateFlowRunBody {
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
}

export function createPrefectClient(options: PrefectClientOptions): PrefectClient {
  const api = options.api.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (options.authString)
    headers.authorization = `Basic ${Buffer.from(options.authString, 'utf8').toString('base64')}`;

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
      throw wrap(err, api);
    }
  }

  function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    throw new TransientError(
      `Prefect at ${api} answered ${what} in an unexpected shape`,
      'Check that PREFECT_API_URL / flow.prefect.api points at a Prefect Server API (it ends in /api).',
    );
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
    async filterFlowRuns(body) {
      const { data } = await call('POST', '/flow_runs/filter', body);
      return parse(z.array(flowRunSchema), data, 'the flow run filter');
    },
  };
}

/** Map transport errors onto the contract's exit codes, naming the API but never a header. */
function wrap(err: unknown, api: string): unknown {
  if (err instanceof PromoteError) return err;
  if (err instanceof HttpStatusError) {
    if (err.transient)
      return new TransientError(
        `Prefect at ${api} is failing: ${err.message}`,
        'Retry later; if it persists check the Prefect server logs (`journalctl -u prefect-server`).',
        { cause: err },
      );
    if (err.status === 401 || err.status === 403)
      return new UsageError(
        `Prefect at ${api} refused the credentials (HTTP ${err.status})`,
        'Set PREFECT_API_AUTH_STRING to the "user:password" of the server\'s basic auth.',
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
  if (err instanceof NotJsonResponseError)
    return new UsageError(
      `Prefect at ${api} did not answer like the Prefect API: ${err.message}`,
      'Check PREFECT_API_URL / flow.prefect.api: it must end in /api and point at the Prefect server, not a web page or a proxy.',
      { cause: err },
    );
  if (err instanceof BadResponseError)
    return new TransientError(
      `Prefect at ${api} sent an unusable response: ${err.message}`,
      'Check that the URL points at the Prefect API and not a proxy page, then retry.',
      { cause: err },
    );
  return err;
}
