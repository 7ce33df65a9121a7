/**
 * `git promote status --fleet` (docs/stages.md): every stage's pointer files on the branch, and
 * every host of every stage as its GitHub environment `<stage>/<host>` shows it. Hosts are the
 * stage's `hosts` plus any environment `<stage>/…` among the repository's newest deployments.
 */
import type { LoadedConfig } from '../adapters/config-file.js';
import { readBlobs, repoPrefix } from '../adapters/git.js';
import { UsageError } from '../core/errors.js';
import { fleetHost, fleetLines, fleetStage, type FleetStage } from '../core/fleet.js';
import { stageOrder, stageView } from '../core/stages.js';
import { pointerRun } from '../core/validate-checks.js';
import type { Context, Outcome } from './context.js';
import { requireForge } from './forge-access.js';
import { branchTip } from './history.js';
import { hostDeployments } from './stage-deployments.js';

/** How many of the repository's newest deployments are scanned for hosts not in the config. */
const DISCOVERY_LIMIT = 100;

export async function fleetStatus(
  loaded: LoadedConfig,
  opts: { fetch?: boolean },
  ctx: Context,
): Promise<Outcome> {
  const { config, root } = loaded;
  if (!config.stages)
    throw new UsageError(
      'status --fleet needs stages in promote.config.json',
      'Add "stages" (docs/stages.md); each host then reports to its environment <stage>/<host>.',
    );
  const forge = await requireForge(ctx, config.repository.github);
  const tip = await branchTip(root, ctx.env, config, opts.fetch !== false);
  const prefix = await repoPrefix(root, ctx.env, 'status');
  const order = stageOrder(config);
  const views = order.map((stage) => stageView(config, stage));
  const pointers = Object.keys(config.pointers);
  const texts = await readBlobs(
    root,
    ctx.env,
    views.flatMap((v) => pointers.map((name) => `${tip}:${prefix}${v.pointers[name]!.file}`)),
  );
  const recent = await forge.listDeployments({ limit: DISCOVERY_LIMIT });
  const now = ctx.now();
  const stages: FleetStage[] = [];
  for (const [i, stage] of order.entries()) {
    const s = config.stages[stage]!;
    const branch = Object.fromEntries(
      pointers.map((name, j) => [
        name,
        pointerRun(texts[i * pointers.length + j] ?? null, views[i]!.pointers[name]!).run,
      ]),
    );
    const configured = s.hosts ?? [];
    const found = recent
      .map((d) => d.environment)
      .filter((e) => e.startsWith(`${stage}/`))
      .map((e) => e.slice(stage.length + 1));
    const names = [...new Set([...configured, ...[...new Set(found)].sort()])];
    const hosts = [];
    for (const host of names)
      hosts.push(
        fleetHost({
          stage,
          found: await hostDeployments(forge, stage, host, { limit: 10 }),
          configured: configured.includes(host),
          agents: s.agents,
          branch,
          now,
        }),
      );
    stages.push(fleetStage({ stage, config: s, branch, hosts }));
  }
  const problems = stages.some((s) => s.hosts.some((h) => h.failed || h.lag.length > 0 || !h.applied));
  return {
    // Exit 1 when a host lags, failed or never reported: a check for cron and dashboards.
    exitCode: problems ? 1 : 0,
    data: { branch: `${config.repository.remote}/${config.repository.branch}`, sha: tip, stages },
    text: [
      `${config.repository.remote}/${config.repository.branch} @ ${tip.slice(0, 12)}`,
      ...fleetLines(stages),
    ],
  };
}
