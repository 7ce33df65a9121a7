/**
 * `git promote doctor`: the runbook's 2-minute checklist (today's flow run, manifests for every
 * configured step, current pointers equal to the branch) and triage of every failed manifest by
 * the runbook's failure signatures. Exit 1 when something is broken, 0 when healthy.
 */
import { readRegularFile } from '../adapters/read-text.js';
import { join } from 'node:path';
import { CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import { CONFIG_CHANGED_HINT, configDifferences } from '../core/config-diff.js';
import { fetchBranch, readBlobs, repoPrefix } from '../adapters/git.js';
import { branchTip } from './history.js';
import { readinessByPointer } from './status-safety.js';
import { appliedOnHost } from './status-extras.js';
import { scanManifests, type InvalidManifest } from '../adapters/manifests.js';
import { createPrefectClient, toFlowRunInfo } from '../adapters/prefect/client.js';
import { readGameDateRuns } from '../adapters/prefect/game-date-runs.js';
import type { RetryOptions } from '../adapters/prefect/retry.js';
import { prefectSettings } from '../adapters/prefect/settings.js';
import { pickGameDateRun } from '../core/game-date-run.js';
import { slateDate } from '../core/game-date.js';
import { agentCheck } from './doctor-agent.js';
import type { CheckStatus, DoctorCheck } from './doctor-check.js';
import { isPromoteError, toPromoteError } from '../core/errors.js';
import type { FlowRunInfo } from '../core/flow-state.js';
import { readPointerRun } from '../core/pointer-file.js';
import type { Config } from '../core/schemas.js';
import { CATEGORY_MEANING, classifyFailure, failureText, type TriageFinding } from '../core/triage-rules.js';
import { manifestTime, noSlateText, type ManifestEntry } from '../core/verify.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { openForge } from './forge-access.js';
import { rulesetGaps } from '../core/ruleset.js';
import { STATUS_CONTEXT } from '../core/validate-report.js';
import { hostView, missingHostStage } from '../core/stages.js';
import { noPipelineManifests, targetDir } from './verify.js';

interface DoctorTriage extends TriageFinding {
  asset: string;
  run_id: string;
  step: string | null;
  path: string;
  /** A later manifest of the same asset succeeded: kept for the record, not counted as broken. */
  superseded: boolean;
}

export interface DoctorReport {
  gameDate: string;
  healthy: boolean;
  /** No manifest of any asset for the game date: a day without a slate, not a failure. */
  noSlate: boolean;
  checks: DoctorCheck[];
  triage: DoctorTriage[];
  invalid: InvalidManifest[];
  flowRun: FlowRunInfo | null;
}

function worst(items: { status: CheckStatus }[]): CheckStatus {
  for (const s of ['fail', 'warn', 'ok'] as const) if (items.some((i) => i.status === s)) return s;
  return 'skip';
}

async function flowRunCheck(
  config: Config,
  ctx: Context,
  gameDate: string,
  retry: RetryOptions,
): Promise<{ check: DoctorCheck; run: FlowRunInfo | null }> {
  const base = { name: 'flow-run' as const, items: [] };
  if (!config.flow?.prefect)
    return {
      check: {
        ...base,
        status: 'skip',
        detail: config.flow?.command ? 'flow.command keeps no run history to look at' : 'no flow configured',
      },
      run: null,
    };
  try {
    const settings = prefectSettings(config, ctx.env);
    const client = createPrefectClient({
      api: settings.api,
      ...(settings.authString ? { authString: settings.authString } : {}),
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      fetch: ctx.fetch,
      timeoutMs: 10_000,
      retry,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const deployment = await client.readDeploymentByName(settings.flowName, settings.deploymentName);
    const runs = (await readGameDateRuns(client, deployment.id, gameDate)).map(toFlowRunInfo);
    const found = pickGameDateRun(runs, gameDate, ctx.now());
    const name = `${settings.flowName}/${settings.deploymentName}`;
    const items = settings.authNote
      ? [{ name: 'auth', status: 'warn' as const, detail: settings.authNote }]
      : [];
    if (!found)
      return {
        check: { ...base, items, status: 'warn', detail: `no ${name} flow run for ${gameDate} yet` },
        run: null,
      };
    const run = found;
    const upcoming =
      run.state === 'SCHEDULED' && run.expectedStartTime ? ` for ${run.expectedStartTime}` : '';
    const label = `${name} run ${run.name ?? run.flowRunId} (${run.flowRunId}) is ${run.state}${upcoming}`;
    const status: CheckStatus =
      run.state === 'COMPLETED'
        ? 'ok'
        : run.state === 'FAILED' || run.state === 'CRASHED' || run.state === 'CANCELLED'
          ? 'fail'
          : 'warn';
    const others = runs.length > 1 ? ` (${runs.length} runs expected on ${gameDate})` : '';
    return {
      check: {
        ...base,
        items,
        status,
        detail: `${label}${run.message && status === 'fail' ? `: ${run.message}` : ''}${others}`,
      },
      run,
    };
  } catch (err) {
    const e = toPromoteError(err);
    return { check: { ...base, status: 'fail', detail: `${e.message} (${e.remedy})` }, run: null };
  }
}

function latest(entries: ManifestEntry[]): ManifestEntry | undefined {
  return entries
    .slice()
    .sort(
      (a, b) => (manifestTime(b.manifest)?.getTime() ?? 0) - (manifestTime(a.manifest)?.getTime() ?? 0),
    )[0];
}

function configuredSteps(config: Config): string[] {
  if (config.manifests?.steps?.length) return config.manifests.steps;
  return [...new Set(Object.values(config.pointers).flatMap((p) => (p.verify ? [p.verify.asset] : [])))];
}

async function manifestsCheck(config: Config, gameDate: string) {
  if (!config.manifests)
    return {
      check: {
        name: 'manifests' as const,
        status: 'skip' as CheckStatus,
        detail: 'manifests not configured',
        items: [],
      },
      triage: [],
      invalid: [],
      noSlate: false,
    };
  const { root, layout } = config.manifests;
  const scan = await scanManifests({ root, layout, gameDate });
  if (noPipelineManifests(scan))
    return {
      check: {
        name: 'manifests' as const,
        status: 'ok' as CheckStatus,
        detail: noSlateText(gameDate),
        items: [],
      },
      triage: [],
      invalid: [],
      noSlate: true,
    };
  const items = configuredSteps(config).map((step) => {
    const mine = scan.entries.filter((e) => e.manifest.asset === step);
    const last = latest(mine);
    if (!last) return { name: step, status: 'fail' as CheckStatus, detail: `no manifest for ${gameDate}` };
    const m = last.manifest;
    const status: CheckStatus = m.status === 'failed' ? 'fail' : m.status === 'running' ? 'warn' : 'ok';
    return {
      name: step,
      status,
      detail: `latest run ${m.run_id} is ${m.status} (${mine.length} manifest(s))`,
    };
  });
  const time = (e: ManifestEntry) => manifestTime(e.manifest)?.getTime() ?? 0;
  const triage: DoctorTriage[] = scan.entries
    .filter((e) => e.manifest.status === 'failed')
    .map((e) => ({
      asset: e.manifest.asset,
      run_id: e.manifest.run_id,
      step: e.manifest.step ?? null,
      path: e.path,
      superseded: scan.entries.some(
        (o) => o.manifest.asset === e.manifest.asset && o.manifest.status === 'success' && time(o) > time(e),
      ),
      ...classifyFailure(failureText(e.manifest)),
    }));
  const status = items.length ? worst(items) : 'skip';
  const check: DoctorCheck = {
    name: 'manifests',
    status: scan.invalid.length && status === 'ok' ? 'warn' : status,
    detail: items.length
      ? `${items.filter((i) => i.status === 'ok').length}/${items.length} steps have a good manifest for ${gameDate}`
      : 'no steps configured (manifests.steps or pointers.*.verify.asset)',
    items,
  };
  return { check, triage, invalid: scan.invalid, noSlate: false };
}

/**
 * The target's pointer files against the branch's: on a stage host, its stage's files on the
 * branch (docs/stages.md); each written to the pointer's own file in the target.
 */
async function pointersCheck(config: Config, root: string, ctx: Context): Promise<DoctorCheck> {
  // After a break-glass rollback the target differs from the branch on purpose (the agent check says why).
  const diverged = appliedOnHost(config, root, ctx.env)?.diverged ?? null;
  const base = { name: 'pointers' as const };
  if (!config.agent.target) return { ...base, status: 'skip', detail: 'agent.target is not set', items: [] };
  const noStage = missingHostStage(config);
  if (noStage)
    return { ...base, status: 'fail', detail: `${noStage.message}: the agent refuses to start`, items: [] };
  const view = hostView(config);
  const { remote, branch } = config.repository;
  let sha: string;
  let blobs: (string | null)[];
  let tipConfig: string | null;
  const entries = Object.entries(config.pointers);
  try {
    sha = await fetchBranch(root, ctx.env, remote, branch);
    [tipConfig = null, ...blobs] = await readBlobs(root, ctx.env, [
      `${sha}:${CONFIG_FILE}`,
      ...entries.map(([name]) => `${sha}:${view.pointers[name]!.file}`),
    ]);
  } catch (err) {
    const e = toPromoteError(err);
    return { ...base, status: 'fail', detail: e.message, items: [] };
  }
  const target = targetDir(config, root);
  const items = await Promise.all(
    entries.map(async ([name, p], i) => {
      try {
        const onBranch = `${remote}/${branch}:${view.pointers[name]!.file}`;
        const want = blobs[i] ? readPointerRun(blobs[i]!, p.runField, onBranch) : null;
        let text: string | null = null;
        try {
          text = await readRegularFile(join(target, p.file));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        const have = text === null ? null : readPointerRun(text, p.runField, join(target, p.file));
        if (want === have) return { name, status: 'ok' as CheckStatus, detail: `${have ?? '(none)'}` };
        if (diverged && have !== null && diverged.runs[name] === have)
          return {
            name,
            status: 'warn' as CheckStatus,
            detail: `target has ${have}, rolled back locally (diverged); ${remote}/${branch} has ${want ?? '(no file)'}`,
          };
        return {
          name,
          status: 'fail' as CheckStatus,
          detail: `target has ${have ?? '(no file)'}, ${remote}/${branch} has ${want ?? '(no file)'}`,
        };
      } catch (err) {
        if (!isPromoteError(err)) throw err;
        return { name, status: 'fail' as CheckStatus, detail: err.message };
      }
    }),
  );
  const inSync = items.every((i) => i.status === 'ok');
  const changed = configDifferences(config, tipConfig);
  if (changed.length)
    items.push({ name: 'config', status: 'warn', detail: `${CONFIG_CHANGED_HINT} (${changed.join(', ')})` });
  return {
    ...base,
    status: worst(items),
    detail: inSync
      ? `${target} matches ${remote}/${branch} @ ${sha.slice(0, 12)}`
      : diverged && items.every((i) => i.status !== 'fail')
        ? `${target} was rolled back locally and differs from ${remote}/${branch} @ ${sha.slice(0, 12)} on purpose (see agent below)`
        : `${target} differs from ${remote}/${branch} @ ${sha.slice(0, 12)} (is the agent running? \`git promote status\`)`,
    items,
  };
}

/**
 * Rollback readiness (docs/switching-safely.md): for each pointer, can this host go back to the
 * run before the branch's latest change? Read after pointersCheck fetched the branch.
 */
async function rollbackCheck(config: Config, root: string, ctx: Context): Promise<DoctorCheck> {
  const base = { name: 'rollback' as const };
  const noStage = missingHostStage(config);
  if (noStage) return { ...base, status: 'skip', detail: noStage.message, items: [] };
  let readiness;
  try {
    const sha = await branchTip(root, ctx.env, config, false);
    const prefix = await repoPrefix(root, ctx.env, 'doctor');
    // The pointer's history on the branch is its stage's file on a stage host.
    readiness = await readinessByPointer(hostView(config), root, sha, prefix, ctx.env);
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { ...base, status: 'skip', detail: `cannot read the branch: ${err.message}`, items: [] };
  }
  const items = Object.values(readiness).map((r) => ({
    name: r.pointer,
    status: (r.run === null ? 'skip' : r.ready ? 'ok' : 'warn') as CheckStatus,
    detail:
      r.run === null ? r.detail : `${r.ready ? 'ready' : 'NOT ready'} to roll back to ${r.run}: ${r.detail}`,
  }));
  const notReady = items.filter((i) => i.status === 'warn').length;
  return {
    ...base,
    status: worst(items),
    detail: notReady
      ? `${notReady} pointer(s) could not be rolled back on this host (restore the artifact of the run named below)`
      : 'every pointer can go back to its previous run on this host',
    items,
  };
}

/** The branch's rulesets close what the tool cannot: the required status and code-owner review. */
async function repositoryCheck(config: Config, ctx: Context): Promise<DoctorCheck> {
  const base = { name: 'repository' as const, items: [] };
  const branch = config.repository.branch;
  const forge = await openForge(ctx, config.repository.github);
  if (!forge)
    return { ...base, status: 'skip', detail: 'no GitHub token or repository.github: rulesets not checked' };
  let gaps: string[];
  try {
    gaps = rulesetGaps(await forge.getBranchRules(branch));
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { ...base, status: 'skip', detail: `cannot read the rules of ${branch}: ${err.message}` };
  }
  return gaps.length
    ? {
        ...base,
        status: 'warn',
        detail: `${branch} lacks protections a promotion relies on (see docs/security.md; \`git promote init\` prints the ruleset)`,
        items: gaps.map((g) => ({ name: 'ruleset', status: 'warn' as CheckStatus, detail: g })),
      }
    : { ...base, status: 'ok', detail: `${branch} requires ${STATUS_CONTEXT} and code-owner review` };
}

/**
 * No manifests at all is a day without a slate only when the game date's flow run (if Prefect
 * shows one) completed: while it is still to run they may yet come, and after a failure they are
 * missing.
 */
function withFlowRun(
  manifests: Awaited<ReturnType<typeof manifestsCheck>>,
  run: FlowRunInfo | null,
  gameDate: string,
): Awaited<ReturnType<typeof manifestsCheck>> {
  if (!manifests.noSlate || !run || run.state === 'COMPLETED') return manifests;
  const ended = run.state === 'FAILED' || run.state === 'CRASHED' || run.state === 'CANCELLED';
  return {
    ...manifests,
    noSlate: false,
    check: {
      ...manifests.check,
      status: ended ? 'fail' : 'warn',
      detail: ended
        ? `no manifests for ${gameDate}: the flow run ended ${run.state}`
        : `no manifests for ${gameDate} yet: the flow run is ${run.state}`,
    },
  };
}

/** The checklist as data (doctor's --json); `retry` is injectable for tests. */
async function runDoctor(
  config: Config,
  root: string,
  ctx: Context,
  gameDate: string,
  retry: RetryOptions = { attempts: 3, baseMs: 250, maxMs: 2_000 },
): Promise<DoctorReport> {
  const [flow, scanned, pointers, repository] = await Promise.all([
    flowRunCheck(config, ctx, gameDate, retry),
    manifestsCheck(config, gameDate),
    pointersCheck(config, root, ctx),
    repositoryCheck(config, ctx),
  ]);
  const rollback = await rollbackCheck(config, root, ctx);
  const agent = agentCheck(config, root, ctx.env, gameDate, flow.run, ctx.now());
  const manifests = withFlowRun(scanned, flow.run, gameDate);
  const checks = [flow.check, manifests.check, pointers, rollback, agent, repository];
  return {
    gameDate,
    healthy: checks.every((c) => c.status !== 'fail') && manifests.triage.every((t) => t.superseded),
    noSlate: manifests.noSlate,
    checks,
    triage: manifests.triage,
    invalid: manifests.invalid,
    flowRun: flow.run,
  };
}

const MARK: Record<CheckStatus, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

function doctorText(report: DoctorReport): string[] {
  const lines = [
    `doctor: game_date ${report.gameDate}: ${report.healthy ? (report.noSlate ? `healthy, no slate for ${report.gameDate}` : 'healthy') : 'something is broken'}`,
  ];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]} ${c.name}: ${c.detail}`);
    for (const i of c.items) lines.push(`         ${MARK[i.status]} ${i.name}: ${i.detail}`);
  }
  for (const i of report.invalid) lines.push(`[warn] invalid manifest: ${i.problem}`);
  if (report.triage.length) {
    lines.push(`triage: ${report.triage.length} failed manifest(s)`);
    for (const t of report.triage) {
      lines.push(
        `  ${t.asset} run=${t.run_id}: ${t.name} -> category ${t.category} (${CATEGORY_MEANING[t.category]})` +
          (t.superseded ? ' [superseded by a later successful run]' : ''),
      );
      lines.push(`    evidence: ${t.evidence}`);
      lines.push(`    next: ${t.nextStep}`);
    }
  }
  return lines;
}

export interface DoctorOptions extends CommonOptions {
  /** The slate date (YYYY-MM-DD); default today ET. */
  gameDate?: string;
}

export async function doctor(_args: string[], opts: DoctorOptions, ctx: Context): Promise<Outcome> {
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  const gameDate = opts.gameDate ?? slateDate(ctx.now());
  const report = await runDoctor(config, root, ctx, gameDate);
  return { exitCode: report.healthy ? 0 : 1, data: report, text: doctorText(report) };
}
