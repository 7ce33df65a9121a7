/**
 * Reading a stage's hosts from GitHub Deployments (environments `<stage>/<host>`), for `propose
 * --from` (write the record), `validate` (derive it again, never trusting the file) and `status
 * --fleet`. What a host's deployments mean is decided in core/stage-record.ts.
 */
import { mergeBase } from '../adapters/git-diff.js';
import { readBlobs, type Env } from '../adapters/git.js';
import type { Deployment, Forge } from '../core/forge.js';
import type { Config } from '../core/schemas.js';
import { hostVerdict, payloadRuns, type HostDeployments, type HostVerdict } from '../core/stage-record.js';
import type { HostReading, RecordReading, RecordToCheck } from '../core/stage-checks.js';
import { stageEnvironment, stagePointerFile } from '../core/stages.js';
import { pointerRun } from '../core/validate-checks.js';

/** How many deployments of one environment are looked at (newest first). */
const DEPLOYMENTS_PER_HOST = 30;

/** Deployments of a host (optionally of one commit), newest first, each with its statuses. */
export async function hostDeployments(
  forge: Forge,
  stage: string,
  host: string,
  filter: { sha?: string; limit?: number } = {},
): Promise<HostDeployments> {
  const list = await forge.listDeployments({
    environment: stageEnvironment(stage, host),
    ...(filter.sha ? { sha: filter.sha } : {}),
    limit: filter.limit ?? DEPLOYMENTS_PER_HOST,
  });
  const deployments: HostDeployments['deployments'] = [];
  for (const deployment of list)
    deployments.push({ deployment, statuses: await forge.listDeploymentStatuses(deployment.id) });
  return { host, deployments };
}

/** True when `commit` is in this clone and an ancestor of (or equal to) `tip`. */
export async function onBranch(cwd: string, env: Env, commit: string, tip: string): Promise<boolean> {
  return (await mergeBase(cwd, env, commit, tip).catch(() => null)) === commit;
}

/** The `from` stage's run of a pointer at each commit, read from git (null: missing or unreadable). */
export async function stageRunsAt(
  input: { root: string; env: Env; prefix: string; config: Config; stage: string; pointer: string },
  commits: string[],
): Promise<(string | null)[]> {
  const file = stagePointerFile(input.config, input.stage, input.pointer);
  const p = { ...input.config.pointers[input.pointer]!, file };
  const texts = await readBlobs(
    input.root,
    input.env,
    commits.map((c) => `${c}:${input.prefix}${file}`),
  );
  return texts.map((t) => pointerRun(t ?? null, p).run);
}

/**
 * GitHub's side of a record for validate: for each host of the `from` stage, the deployments of
 * the commit the record names for it, their statuses and what git says about that commit.
 */
export async function readRecordOnGitHub(
  forge: Forge | null,
  where: { root: string; env: Env; prefix: string; config: Config; tip: string },
  item: RecordToCheck,
): Promise<RecordReading> {
  if (!forge)
    return {
      unavailable:
        'no GitHub token (GITHUB_TOKEN or GH_TOKEN) or repository (GITHUB_REPOSITORY or repository.github); a stage with "after" is never passed unchecked',
    };
  const from = where.config.stages![item.from]!;
  const hosts: HostReading[] = [];
  for (const host of from.hosts ?? []) {
    const claimed = item.record.hosts.find((h) => h.host === host);
    if (!claimed) {
      hosts.push({ host, commit: null, verdict: null, runAtCommit: null, onBranch: false });
      continue;
    }
    const commit = claimed.commit;
    const found = await hostDeployments(forge, item.from, host, { sha: commit, limit: 10 });
    const verdict = hostVerdict({ stage: item.from, agents: from.agents, commit, found });
    const [runAtCommit = null] = await stageRunsAt({ ...where, stage: item.from, pointer: item.pointer }, [
      commit,
    ]);
    hosts.push({
      host,
      commit,
      verdict,
      runAtCommit,
      onBranch: await onBranch(where.root, where.env, commit, where.tip),
    });
  }
  return { hosts };
}

/**
 * For `propose --from`: each host's newest verdict on a commit where the `from` stage selects `run`
 * (by the deployment's payload, confirmed in git), or why there is none.
 */
export async function findHostVerdicts(
  forge: Forge,
  where: { root: string; env: Env; prefix: string; config: Config; tip: string },
  input: { from: string; pointer: string; run: string },
): Promise<HostVerdict[]> {
  const from = where.config.stages![input.from]!;
  const out: HostVerdict[] = [];
  for (const host of from.hosts ?? []) {
    const all = await hostDeployments(forge, input.from, host);
    const commits = [
      ...new Set(
        all.deployments
          .map((d) => d.deployment)
          .filter((d: Deployment) => payloadRuns(d.payload)[input.pointer] === input.run)
          .map((d) => d.sha),
      ),
    ];
    const runs = await stageRunsAt({ ...where, stage: input.from, pointer: input.pointer }, commits);
    let verdict: HostVerdict | null = null;
    for (const [i, commit] of commits.entries()) {
      if (runs[i] !== input.run || !(await onBranch(where.root, where.env, commit, where.tip))) continue;
      const found = { host, deployments: all.deployments.filter((d) => d.deployment.sha === commit) };
      const v = hostVerdict({ stage: input.from, agents: from.agents, commit, found });
      // The newest commit with a final verdict decides; one still running leaves older ones to look at.
      if (v.ok || v.failed || !verdict) verdict = v;
      if (v.ok || v.failed) break;
    }
    out.push(
      verdict ?? {
        host,
        ok: false,
        failed: false,
        problem: `${stageEnvironment(input.from, host)} has no deployment of a commit where ${input.from} runs ${input.pointer}=${input.run}`,
      },
    );
  }
  return out;
}
