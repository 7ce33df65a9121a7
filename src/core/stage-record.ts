/**
 * A stage's record (docs/stages.md): what the hosts of a stage applied and verified, read from that
 * stage's GitHub Deployments (environments `<stage>/<host>`). `propose --stage S --from F` writes
 * it to `promotions/<S>/<pointer>/<run>.json` as the evidence of S's promotion; `validate` never
 * trusts that file (the PR author writes it): it derives the same record from GitHub again with
 * these functions, requires it to match, and judges it (trusted agents, every host or the quorum,
 * soak). Pure: the deployments, statuses and git facts are read by the caller.
 */
import * as z from 'zod/v4';
import { formatAge, parseDuration } from './duration.js';
import type { Deployment, DeploymentStatus } from './forge.js';
import { metaSchema, POINTER_NAME, runIdSchema } from './schemas.js';
import type { StageConfig } from './stage-config.js';
import { requiredHosts, stageEnvironment } from './stages.js';

export const STAGE_RECORD_SCHEMA_ID = 'git-promote/stage-record@1';

const sha = z.string().regex(/^[0-9a-f]{40,64}$/, 'must be a full commit sha');

/** One host's verified apply, as GitHub has it. */
export const hostRecordSchema = z.looseObject({
  host: z.string().min(1),
  environment: z.string().min(1),
  /** The commit the host applied (the deployment's sha). */
  commit: sha,
  deployment_id: z.number().int().positive(),
  deployment_creator: z.string().nullable(),
  applied_at: z.string(),
  /** The verdict: the newest final status of the deployment posted by an agent of the stage. */
  state: z.literal('success'),
  status_creator: z.string().nullable(),
  verified_at: z.string(),
  /** The flow run the host's agent followed (from the status), null when it ran none. */
  flow_run: z.string().nullable(),
  /** The runs the host applied and its manifests were checked for (the deployment payload). */
  runs: z.record(z.string(), z.string()),
  description: z.string(),
});
export type HostRecord = z.output<typeof hostRecordSchema>;

export const stageRecordSchema = z.looseObject({
  schema: z.literal(STAGE_RECORD_SCHEMA_ID),
  /** The stage being promoted, and the stage whose record this is. */
  stage: z.string().regex(POINTER_NAME),
  from: z.string().regex(POINTER_NAME),
  pointer: z.string().regex(POINTER_NAME),
  run_id: runIdSchema,
  /** The model's meta.json and its hash, as in the first stage's smoke evidence of this run. */
  meta: metaSchema,
  meta_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  /** When `from` counted as verified: the newest success among the hosts counted. */
  verified_at: z.string(),
  hosts: z.array(hostRecordSchema).min(1),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
});
export type StageRecord = z.output<typeof stageRecordSchema>;

const FINAL = new Set(['success', 'failure', 'error']);

/** The flow run id in an agent's final status ("flow run <id> COMPLETED; …"), else null. */
export function flowRunOf(description: string): string | null {
  return /^flow run (\S+) [A-Z]+\b/.exec(description)?.[1] ?? null;
}

/** The runs an agent stored on its deployment (payload.runs), only string values. */
export function payloadRuns(payload: unknown): Record<string, string> {
  const runs = (payload as { runs?: unknown } | null)?.runs;
  if (typeof runs !== 'object' || runs === null || Array.isArray(runs)) return {};
  return Object.fromEntries(
    Object.entries(runs as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

/** A host's deployments of one commit (newest first) with their statuses (newest first). */
export interface HostDeployments {
  host: string;
  deployments: { deployment: Deployment; statuses: DeploymentStatus[] }[];
}

export type HostVerdict =
  | { host: string; ok: true; record: HostRecord }
  | { host: string; ok: false; failed: boolean; problem: string };

const trusted = (agents: readonly string[], login: string | null) => login !== null && agents.includes(login);

/**
 * What one host's deployments say: the newest deployment created by an agent of the stage that has
 * a final status from an agent decides. Anything posted by another account is ignored, and named
 * when it is all there is, since any writer of the repository can create deployments and statuses.
 */
export function hostVerdict(input: {
  stage: string;
  agents: readonly string[];
  commit: string;
  found: HostDeployments;
}): HostVerdict {
  const { host, deployments } = input.found;
  const environment = stageEnvironment(input.stage, host);
  const ignored: string[] = [];
  for (const { deployment: d, statuses } of deployments) {
    if (!trusted(input.agents, d.creator)) {
      ignored.push(`deployment #${d.id} was created by ${d.creator ?? 'an unknown account'}`);
      continue;
    }
    for (const s of statuses)
      if (FINAL.has(s.state) && !trusted(input.agents, s.creator))
        ignored.push(`a ${s.state} status of #${d.id} was posted by ${s.creator ?? 'an unknown account'}`);
    const final = statuses.find((s) => FINAL.has(s.state) && trusted(input.agents, s.creator));
    if (!final) continue;
    if (final.state !== 'success')
      return {
        host,
        ok: false,
        failed: true,
        problem: `${environment} reported ${final.state} for ${input.commit.slice(0, 12)} at ${final.createdAt}: ${final.description}`,
      };
    return {
      host,
      ok: true,
      record: {
        host,
        environment,
        commit: d.sha,
        deployment_id: d.id,
        deployment_creator: d.creator,
        applied_at: d.createdAt,
        state: 'success',
        status_creator: final.creator,
        verified_at: final.createdAt,
        flow_run: flowRunOf(final.description),
        runs: payloadRuns(d.payload),
        description: final.description,
      },
    };
  }
  const trust = `only ${input.agents.join(', ')} count for ${input.stage}`;
  return {
    host,
    ok: false,
    failed: false,
    problem: ignored.length
      ? `${environment} has no verification of ${input.commit.slice(0, 12)} by a stage agent: ${ignored.join('; ')} (${trust})`
      : deployments.length
        ? `${environment} has not finished verifying ${input.commit.slice(0, 12)}`
        : `${environment} has no deployment of ${input.commit.slice(0, 12)}`,
  };
}

/** The fields of a host record compared between the file and GitHub. */
const COMPARED = [
  'environment',
  'commit',
  'deployment_id',
  'deployment_creator',
  'applied_at',
  'state',
  'status_creator',
  'verified_at',
  'flow_run',
  'runs',
  'description',
] as const;

/** The fields where a host record of the file differs from GitHub's, as "field: file X, GitHub Y". */
export function recordDifferences(file: HostRecord, github: HostRecord): string[] {
  const out: string[] = [];
  for (const key of COMPARED) {
    const a = JSON.stringify(file[key]);
    const b = JSON.stringify(github[key]);
    if (a !== b) out.push(`${key}: the record says ${a}, GitHub says ${b}`);
  }
  return out;
}

export interface SoakVerdict {
  ok: boolean;
  /** The newest success among the counted hosts: when the stage counted as verified. */
  verifiedAt: string | null;
  problems: string[];
}

/**
 * The stage counts as verified when `quorum` (default: all) of its hosts verified; soak runs from
 * the newest success among the earliest hosts that make up that count.
 */
export function judgeStage(input: {
  from: string;
  fromConfig: StageConfig;
  soak: string | undefined;
  verified: HostRecord[];
  hostCount: number;
  now: Date;
}): SoakVerdict {
  const need = requiredHosts(input.fromConfig, input.hostCount);
  const times = input.verified
    .map((r) => Date.parse(r.verified_at))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  if (times.length < need)
    return {
      ok: false,
      verifiedAt: null,
      problems: [
        `${input.from} is verified on ${times.length} of ${input.hostCount} host${input.hostCount === 1 ? '' : 's'}, ${need} needed`,
      ],
    };
  const at = times[need - 1]!;
  const verifiedAt = new Date(at).toISOString();
  const soakMs = input.soak ? (parseDuration(input.soak) ?? 0) : 0;
  const age = input.now.getTime() - at;
  if (age < soakMs)
    return {
      ok: false,
      verifiedAt,
      problems: [
        `${input.from} verified it ${formatAge(Math.max(age, 0))} ago (at ${verifiedAt}); the soak is ${input.soak}: wait ${formatAge(soakMs - age)} more`,
      ],
    };
  return { ok: true, verifiedAt, problems: [] };
}
