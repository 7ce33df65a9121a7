/**
 * `git promote smoke <pointer> <run>`: check the candidate's meta.json, run the configured smoke
 * scoring (no publish), check the manifest it wrote and build the evidence. `propose` uses
 * smokeCandidate() for each pointer it promotes.
 */
import { makeTempDir } from '../adapters/temp-dir.js';
import { mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadConfig } from '../adapters/config-file.js';
import { readRegularFile, readTextOr } from '../adapters/read-text.js';
import { runSmokeCommand } from '../adapters/smoke-runner.js';
import { describeLeftovers } from '../adapters/child-group.js';
import { pointerConfig } from '../core/config.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { CheckFailedError, TransientError, UsageError } from '../core/errors.js';
import { buildEvidence, manifestChecks, metaChecks, type EvidenceCheck } from '../core/evidence.js';
import { addDays, slateDate } from '../core/game-date.js';
import { listGameDates } from '../adapters/manifests.js';
import { APPLY_MANIFEST_ASSET } from '../core/verify.js';
import { parseWith, stringifyJson } from '../core/json-file.js';
import { canonicalProblem } from '../core/meta-hash.js';
import { terminalSafe } from '../core/terminal-text.js';
import { parseRunId } from '../core/run-id.js';
import { manifestSchema, metaSchema, type Config, type Evidence, type Meta } from '../core/schemas.js';
import { fillArgs, fillTemplate } from '../core/template.js';
import { packageVersion } from '../version.js';
import type { CommonOptions, Context, Outcome } from './context.js';

interface SmokeOutcome {
  evidence: Evidence;
  ok: boolean;
  failed: EvidenceCheck[];
}

/** Read and validate the candidate's meta.json from its artifact directory. */
export async function readCandidateMeta(
  config: Config,
  pointer: string,
  run: string,
): Promise<{ meta: Meta; path: string }> {
  const p = pointerConfig(config, pointer);
  const path = join(fillTemplate(p.artifacts, { run_id: run }), 'meta.json');
  const text = await readTextOr(
    path,
    () =>
      new CheckFailedError(
        `candidate ${pointer}=${run} has no meta.json at ${path}`,
        `Check the run id, or train/export the model so ${path} exists.`,
      ),
  );
  const meta = parseWith(metaSchema, text, path);
  const unhashable = canonicalProblem(meta);
  if (unhashable)
    throw new CheckFailedError(
      `candidate ${pointer}=${run} refused: ${path} cannot be hashed: ${unhashable}`,
      `Write ${path} with finite numbers and well-formed strings (export the model again).`,
    );
  return { meta, path };
}

/** Refuse a candidate whose meta.json is for another run or whose contract does not fit. */
export function assertCandidate(
  pointer: string,
  run: string,
  meta: Meta,
  range: string | undefined,
): EvidenceCheck[] {
  const checks = metaChecks(run, meta, range);
  const bad = checks.filter((c) => !c.ok);
  if (bad.length > 0)
    throw new CheckFailedError(
      `candidate ${pointer}=${run} refused: ${bad.map((c) => c.detail).join('; ')}`,
      bad.some((c) => c.name === 'contract')
        ? `Promote a run whose contract fits pointers.${pointer}.contract, or change that range deliberately in promote.config.json.`
        : `Fix meta.json of ${run} so its run_id is ${run}.`,
    );
  return checks;
}

/**
 * The slates of a pointer up to today ET: game dates with manifests of its verify.asset (of any
 * asset without one). Null when manifests are not configured.
 */
export async function slateDates(
  config: Config,
  pointer: string,
  now: Date,
): Promise<{ asset: string | null; today: string; dates: string[] } | null> {
  const manifests = config.manifests;
  if (!manifests) return null;
  const asset = pointerConfig(config, pointer).verify?.asset ?? null;
  const today = slateDate(now);
  const all = await listGameDates({
    root: manifests.root,
    layout: manifests.layout,
    ...(asset ? { asset } : { skipAssets: [APPLY_MANIFEST_ASSET] }),
  });
  return { asset, today, dates: all.filter((d) => d <= today) };
}

/** The most recent slate (up to today ET), or yesterday ET when none is known. */
export function defaultGameDate(slates: { dates: string[] } | null, now: Date): string {
  return slates?.dates.at(-1) ?? addDays(slateDate(now), -1);
}

/** What the evidence records of the slates after its game date (for evidence age in slates). */
export function slatesAfter(
  slates: { asset: string | null; today: string; dates: string[] } | null,
  gameDate: string,
): Evidence['slates'] {
  if (!slates) return undefined;
  return {
    ...(slates.asset ? { asset: slates.asset } : {}),
    through: slates.today,
    after: slates.dates.filter((d) => d > gameDate),
  };
}

export interface SmokeOptions extends CommonOptions {
  /** The slate date to score (YYYY-MM-DD); default the latest with manifests, or yesterday ET. */
  gameDate?: string;
  /** Write the evidence JSON to this file. */
  out?: string;
}

/** Check the candidate, run its smoke scoring and build the evidence (throws when smoke itself fails). */
export async function smokeCandidate(input: {
  config: Config;
  root: string;
  pointer: string;
  run: string;
  gameDate?: string;
  ctx: Context;
}): Promise<SmokeOutcome> {
  const { config, root, pointer, run, ctx } = input;
  const p = pointerConfig(config, pointer);
  const { meta } = await readCandidateMeta(config, pointer, run);
  const candidateChecks = assertCandidate(pointer, run, meta, p.contract);
  if (!p.smoke)
    throw new UsageError(
      `pointers.${pointer}.smoke is not configured, so there is no smoke command to run`,
      `Add pointers.${pointer}.smoke to promote.config.json, or pass --evidence FILE to propose.`,
    );
  const smoke = p.smoke;
  const slates = await slateDates(config, pointer, ctx.now());
  const gameDate = input.gameDate ?? defaultGameDate(slates, ctx.now());
  const timeoutMs = parseDuration(smoke.timeout) ?? 600_000;
  const work = await makeTempDir(ctx.env, 'git-promote-smoke-');
  try {
    const manifestPath = join(work, 'manifest.json');
    const command = fillArgs(smoke.command, {
      run_id: run,
      game_date: gameDate,
      manifest: manifestPath,
      out: join(work, 'out'),
    });
    const cwd = smoke.cwd ? (isAbsolute(smoke.cwd) ? smoke.cwd : resolve(root, smoke.cwd)) : root;
    const label = `smoke ${pointer}=${run} (${gameDate})`;
    const result = await runSmokeCommand({
      command,
      cwd,
      env: ctx.env,
      timeoutMs,
      now: ctx.now,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.isTTY
        ? {
            onProgress: (ms: number) => ctx.stderr.write(`\r${label}: running ${formatDuration(ms)}  `),
            progressEveryMs: 1000,
          }
        : {}),
    });
    if (ctx.isTTY) ctx.stderr.write('\r\x1b[K');
    const shown = command.join(' ');
    if (result.spawnError)
      throw new UsageError(
        `smoke command for ${pointer} could not start: ${command[0]}: ${result.spawnError.code ?? result.spawnError.message}`,
        `Fix pointers.${pointer}.smoke.command (the program must be on PATH or an absolute path).`,
      );
    if (result.aborted)
      throw new TransientError(`${label} was interrupted`, 'Run the command again when you are ready.');
    const escaped = result.leftovers.length
      ? `${describeLeftovers(result.leftovers)} left its process group and still runs`
      : '';
    if (result.timedOut)
      throw new CheckFailedError(
        `${label} timed out after ${smoke.timeout} and was stopped: its process group was killed${escaped ? `, but ${escaped}` : ''}`,
        escaped
          ? `Stop ${result.leftovers.map((l) => l.pid).join(' ')} yourself (kill <pid>), then find out why scoring is slow or raise pointers.${pointer}.smoke.timeout.`
          : `Find out why scoring is slow, or raise pointers.${pointer}.smoke.timeout in promote.config.json.`,
        { details: result.stderrTail.slice(-5) },
      );
    if (escaped)
      ctx.stderr.write(
        `warning: ${label}: ${terminalSafe(escaped)}\nhint: A smoke command should not leave processes behind; stop them with kill <pid>.\n`,
      );
    if (result.exitCode !== 0)
      throw new CheckFailedError(
        `${label} failed: \`${shown}\` exited with ${result.exitCode ?? result.signal}`,
        'Read the scorer output above, fix the model or the command, then run `git promote smoke` again.',
        { details: result.stderrTail.slice(-10) },
      );
    let manifestText: string;
    try {
      manifestText = await readRegularFile(manifestPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new CheckFailedError(
        `${label} exited 0 but wrote no manifest (expected at the {manifest} path)`,
        `Make the smoke command write its run manifest to the path given by {manifest} in pointers.${pointer}.smoke.command.`,
      );
    }
    const manifest = parseWith(manifestSchema, manifestText, 'the smoke manifest');
    const checks: EvidenceCheck[] = [
      ...candidateChecks,
      { name: 'smoke.exit', ok: true, detail: `exit 0 in ${formatDuration(result.durationMs)}` },
      ...manifestChecks({ pointer, run, gameDate, manifest, expect: smoke.expect }),
    ];
    const evidence = buildEvidence({
      pointer,
      run,
      gameDate,
      smoke: {
        command,
        exitCode: 0,
        startedAt: result.startedAt.toISOString(),
        finishedAt: result.finishedAt.toISOString(),
        durationMs: result.durationMs,
      },
      manifest,
      meta,
      checks,
      tool: { name: 'git-promote', version: packageVersion() },
      slates: slatesAfter(slates, gameDate),
    });
    const failed = checks.filter((c) => !c.ok);
    return { evidence, ok: failed.length === 0, failed };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The error for smoke evidence with failed checks (exit 1). */
export function failedChecksError(pointer: string, run: string, failed: EvidenceCheck[]): CheckFailedError {
  return new CheckFailedError(
    `smoke ${pointer}=${run}: ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => `${c.name} (${c.detail ?? 'failed'})`).join('; ')}`,
    'Do not promote this run: fix the model or its scoring, or adjust pointers.' +
      pointer +
      '.smoke.expect if the expectation is wrong.',
  );
}

async function writeAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.tmp`);
  await writeFile(tmp, content);
  await rename(tmp, path);
}

export async function smoke(args: string[], opts: SmokeOptions, ctx: Context): Promise<Outcome> {
  const [pointer, rawRun] = args;
  if (!pointer || !rawRun)
    throw new UsageError(
      'smoke needs <pointer> <run>',
      'Example: git promote smoke minutes 2026-11-20T10-00',
    );
  const run = parseRunId(rawRun);
  const { gameDate, out } = opts;
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  pointerConfig(config, pointer);
  const result = await smokeCandidate({ config, root, pointer, run, ...(gameDate ? { gameDate } : {}), ctx });
  const e = result.evidence;
  if (out !== undefined) await writeAtomic(resolve(ctx.cwd, out), stringifyJson(e));
  const text = [
    `smoke ${pointer}=${run} on ${e.game_date}: ${result.ok ? 'passed' : 'FAILED'} in ${formatDuration(e.smoke.duration_ms)}`,
    ...e.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
    `  meta_sha256 ${e.meta_sha256}`,
    ...(out !== undefined ? [`evidence written to ${out}`] : []),
  ];
  if (!result.ok) {
    // The evidence is still shown (and written with --out) so the failure can be studied.
    const err = failedChecksError(pointer, run, result.failed);
    ctx.stderr.write(terminalSafe(`error: ${err.message}\nhint: ${err.remedy}\n`));
    return { exitCode: 1, data: e, text };
  }
  return { exitCode: 0, data: e, text };
}
