/**
 * The fleet (`git promote status --fleet`, docs/stages.md), pure: per stage and host, what the
 * host's agent last applied and verified, read from its GitHub environment `<stage>/<host>`, against
 * what the stage's pointer files on the branch select. A host *lags* when the runs it applied are
 * not the stage's runs on the branch, *failed* when its last verification failed; a stage counts as
 * verified for its runs on the branch when all its hosts (or `quorum`) verified them.
 */
import { formatAge } from './duration.js';
import { flowRunOf, payloadRuns, type HostDeployments } from './stage-record.js';
import type { StageConfig } from './stage-config.js';
import { requiredHosts } from './stages.js';

const FINAL = new Set(['success', 'failure', 'error']);

export interface FleetHost {
  host: string;
  environment: string;
  /** Listed in stages.<stage>.hosts (else only found on GitHub). */
  configured: boolean;
  /** The newest deployment by a trusted account: what the host applied. */
  applied: { commit: string; runs: Record<string, string>; at: string; deploymentId: number } | null;
  /** The newest final status by a trusted account, on any of its deployments. */
  lastVerification: {
    state: string;
    commit: string;
    at: string;
    ageMs: number;
    flowRun: string | null;
    description: string;
    by: string | null;
  } | null;
  /** Pointers whose applied run is not the stage's run on the branch. */
  lag: { pointer: string; branch: string | null; applied: string | null }[];
  failed: boolean;
  /** The host verified exactly the stage's runs on the branch. */
  verifiedCurrent: boolean;
  /** Deployments or statuses ignored because another account made them. */
  untrusted: string[];
}

export interface FleetStage {
  stage: string;
  after: string | null;
  /** The stage's runs on the branch, by pointer. */
  branch: Record<string, string | null>;
  hosts: FleetHost[];
  required: number;
  verified: boolean;
}

/** One host, from its deployments (newest first) with their statuses (newest first). */
export function fleetHost(input: {
  stage: string;
  found: HostDeployments;
  configured: boolean;
  /** Trusted accounts; empty: every account (the stage names no agents). */
  agents: readonly string[];
  branch: Record<string, string | null>;
  now: Date;
}): FleetHost {
  const trusted = (login: string | null) =>
    input.agents.length === 0 || (login !== null && input.agents.includes(login));
  const untrusted: string[] = [];
  let applied: FleetHost['applied'] = null;
  let last: FleetHost['lastVerification'] = null;
  for (const { deployment: d, statuses } of input.found.deployments) {
    if (!trusted(d.creator)) {
      untrusted.push(`deployment #${d.id} by ${d.creator ?? 'unknown'}`);
      continue;
    }
    applied ??= { commit: d.sha, runs: payloadRuns(d.payload), at: d.createdAt, deploymentId: d.id };
    for (const s of statuses) {
      if (!FINAL.has(s.state)) continue;
      if (!trusted(s.creator)) {
        untrusted.push(`${s.state} on #${d.id} by ${s.creator ?? 'unknown'}`);
        continue;
      }
      if (!last || Date.parse(s.createdAt) > Date.parse(last.at))
        last = {
          state: s.state,
          commit: d.sha,
          at: s.createdAt,
          ageMs: Math.max(0, input.now.getTime() - Date.parse(s.createdAt)),
          flowRun: flowRunOf(s.description),
          description: s.description,
          by: s.creator,
        };
      break;
    }
  }
  const lag = Object.entries(input.branch)
    .filter(([pointer, run]) => (applied?.runs[pointer] ?? null) !== run)
    .map(([pointer, run]) => ({ pointer, branch: run, applied: applied?.runs[pointer] ?? null }));
  const verifiedCurrent =
    applied !== null && lag.length === 0 && last?.state === 'success' && last.commit === applied.commit;
  return {
    host: input.found.host,
    environment: `${input.stage}/${input.found.host}`,
    configured: input.configured,
    applied,
    lastVerification: last,
    lag,
    failed: last !== null && last.state !== 'success',
    verifiedCurrent,
    untrusted,
  };
}

export function fleetStage(input: {
  stage: string;
  config: StageConfig;
  branch: Record<string, string | null>;
  hosts: FleetHost[];
}): FleetStage {
  const required = requiredHosts(input.config, input.hosts.length);
  const verified = input.hosts.filter((h) => h.verifiedCurrent).length >= required && input.hosts.length > 0;
  return {
    stage: input.stage,
    after: input.config.after ?? null,
    branch: input.branch,
    hosts: input.hosts,
    required,
    verified,
  };
}

const runsText = (runs: Record<string, string | null>) =>
  Object.entries(runs)
    .map(([p, r]) => `${p}=${r ?? '-'}`)
    .join(' ');

/** The human lines of `status --fleet`. */
export function fleetLines(stages: FleetStage[]): string[] {
  const lines: string[] = [];
  for (const s of stages) {
    const count = s.hosts.filter((h) => h.verifiedCurrent).length;
    lines.push(
      `${s.stage}${s.after ? ` (after ${s.after})` : ''}: branch ${runsText(s.branch)}; ${s.verified ? 'verified' : 'NOT verified'} on ${count} of ${s.hosts.length} host${s.hosts.length === 1 ? '' : 's'} (${s.required} needed)`,
    );
    if (s.hosts.length === 0) lines.push('  no host has reported to GitHub yet');
    for (const h of s.hosts) {
      const v = h.lastVerification;
      const state = !h.applied
        ? 'never reported'
        : h.failed
          ? 'FAILED'
          : h.lag.length
            ? 'LAGGING'
            : h.verifiedCurrent
              ? 'ok'
              : 'in progress';
      lines.push(
        `  ${h.host}: ${state}` +
          (h.applied ? ` | applied ${h.applied.commit.slice(0, 12)} ${runsText(h.applied.runs)}` : '') +
          (v
            ? ` | last verification ${v.state} ${formatAge(v.ageMs)} ago on ${v.commit.slice(0, 12)}${v.flowRun ? ` (flow run ${v.flowRun})` : ''}`
            : ''),
      );
      for (const l of h.lag)
        lines.push(`    lag: ${l.pointer} applied ${l.applied ?? '-'}, branch ${l.branch ?? '-'}`);
      if (h.failed && v) lines.push(`    failed: ${v.description}`);
      if (h.untrusted.length) lines.push(`    ignored (not a stage agent): ${h.untrusted.join(', ')}`);
    }
  }
  return lines;
}
