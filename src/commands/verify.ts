/** `git promote verify <pointer>`: the manifests of a game date show the pointer's run was used. */
import { readTextOr } from '../adapters/read-text.js';
import { isAbsolute, join } from 'node:path';
import { loadConfig } from '../adapters/config-file.js';
import { scanManifests, type InvalidManifest, type ManifestScan } from '../adapters/manifests.js';
import { pointerConfig } from '../core/config.js';
import { CheckFailedError, UsageError } from '../core/errors.js';
import { slateDate } from '../core/game-date.js';
import { readPointerRun } from '../core/pointer-file.js';
import type { Config } from '../core/schemas.js';
import { APPLY_MANIFEST_ASSET, verifyManifests, type VerifyVerdict } from '../core/verify.js';
import type { CommonOptions, Context, Outcome } from './context.js';

export interface PointerVerification extends VerifyVerdict {
  /** Files under the partition that are not valid manifests (ignored by the verdict). */
  invalid: InvalidManifest[];
}

/** The directory whose pointer files are "current": the agent target, else the repository root. */
export function targetDir(config: Config, root: string): string {
  const target = config.agent.target;
  return target ? (isAbsolute(target) ? target : join(root, target)) : root;
}

/** The run a pointer currently selects in the agent target (else the repository root). */
export async function currentRun(
  config: Config,
  root: string,
  pointer: string,
): Promise<{ run: string; file: string }> {
  const p = pointerConfig(config, pointer);
  const file = join(targetDir(config, root), p.file);
  const content = await readTextOr(
    file,
    () =>
      new CheckFailedError(
        `pointer file ${file} does not exist`,
        'Pass --run RUN, or let the agent apply the branch first (`git promote apply`).',
      ),
  );
  return { run: readPointerRun(content, p.runField, file), file };
}

function manifestSettings(config: Config): { root: string; layout: string } {
  if (!config.manifests)
    throw new UsageError(
      'manifests are not configured',
      'Add "manifests": {"root": "/path/to/manifests"} to promote.config.json.',
    );
  return { root: config.manifests.root, layout: config.manifests.layout };
}

interface VerifyPointerOptions {
  config: Config;
  pointer: string;
  gameDate: string;
  expectedRun: string;
  /** Ignore manifests written before this (the flow run's start). */
  since?: Date | null;
}

/** Scan the pointer's verify.asset for the game date and judge it. */
export async function verifyPointer(options: VerifyPointerOptions): Promise<PointerVerification> {
  const { config, pointer } = options;
  const p = pointerConfig(config, pointer);
  if (!p.verify)
    throw new UsageError(
      `pointer "${pointer}" has no verify.asset`,
      `Set pointers.${pointer}.verify.asset in promote.config.json to the asset whose manifests record models.${pointer}.`,
    );
  const { root, layout } = manifestSettings(config);
  const scan = await scanManifests({ root, layout, asset: p.verify.asset, gameDate: options.gameDate });
  // No manifest of the asset: a slate day whose asset is missing, or a day without a slate (no
  // manifest of any asset at all but the agent's own).
  const noSlate =
    scan.entries.length === 0 &&
    scan.invalid.length === 0 &&
    noPipelineManifests(await scanManifests({ root, layout, gameDate: options.gameDate }));
  const verdict = verifyManifests({
    pointer,
    asset: p.verify.asset,
    gameDate: options.gameDate,
    expectedRun: options.expectedRun,
    since: options.since ?? null,
    manifests: scan.entries,
    noSlate,
  });
  return { ...verdict, invalid: scan.invalid };
}

/** True when a day's scan holds nothing the pipeline wrote (only the agent's apply records, if any). */
export function noPipelineManifests(scan: ManifestScan): boolean {
  return scan.invalid.length === 0 && scan.entries.every((e) => e.manifest.asset === APPLY_MANIFEST_ASSET);
}

export interface VerifyOptions extends CommonOptions {
  /** The slate date (YYYY-MM-DD); default today ET. */
  gameDate?: string;
  /** The expected run (a checked run id); default the pointer in the agent target. */
  run?: string;
  /** Manifests written before this are ignored. */
  since?: Date;
}

export async function verify(args: string[], opts: VerifyOptions, ctx: Context): Promise<Outcome> {
  const [pointer] = args;
  if (!pointer) throw new UsageError('verify needs a pointer name', 'Run `git promote verify <pointer>`.');
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  pointerConfig(config, pointer);
  const gameDate = opts.gameDate ?? slateDate(ctx.now());
  const since = opts.since ?? null;
  const expected =
    opts.run !== undefined ? { run: opts.run, file: null } : await currentRun(config, root, pointer);
  const result = await verifyPointer({ config, pointer, gameDate, expectedRun: expected.run, since });
  if (result.reason === 'no-slate')
    return {
      exitCode: 0,
      data: { expectedFrom: expected.file ?? '--run', ...result },
      text: [
        `no slate: ${pointer} ${expected.run} on ${gameDate}: ${result.detail}`,
        '  note: on a slate day whose flow has not run yet, run verify again after it.',
      ],
    };
  const text = [
    `${result.ok ? 'ok' : 'FAILED'}: ${pointer} ${expected.run} on ${gameDate}: ${result.detail}`,
    ...(result.manifest ? [`  manifest: ${result.manifest.path}`] : []),
    ...(result.older > 0 ? [`  ignored ${result.older} manifest(s) older than ${since?.toISOString()}`] : []),
    ...result.invalid.map((i) => `  invalid manifest: ${i.problem}`),
  ];
  if (!result.ok)
    text.push(
      result.reason === 'no-manifests' || result.reason === 'only-older' || result.reason === 'not-finished'
        ? '  hint: wait for the flow run to finish, or check it with `git promote doctor`.'
        : '  hint: run `git promote doctor` to triage, then re-trigger the flow for today.',
    );
  return {
    exitCode: result.ok ? 0 : 1,
    data: { expectedFrom: expected.file ?? '--run', ...result },
    text,
  };
}
