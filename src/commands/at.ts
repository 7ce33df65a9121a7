/**
 * `git promote at <instant>`: the run of every pointer live at an instant, from the branch's
 * first-parent history or this host's apply journal; `--write DIR` lays those pointer files out
 * for a backfill, `--range START..END` lists the change points for a backfill planner.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../adapters/fs/atomic-write.js';
import { loadConfig } from '../adapters/config-file.js';
import { configForStage } from '../core/stages.js';
import {
  changePoints,
  gameDateInstant,
  missing,
  parseInstant,
  snapshotAt,
  snapshotCommit,
  type Snapshot,
} from '../core/as-of.js';
import { CheckFailedError, UsageError } from '../core/errors.js';
import { stringifyJson } from '../core/json-file.js';
import { branchTimeline, hostTimeline, pointerFileContents, type TimelineSource } from './at-sources.js';
import type { CommonOptions, Context, Outcome } from './context.js';

export interface AtOptions extends CommonOptions {
  /** The stage whose pointer files are read (docs/stages.md); default agent.stage. */
  stage?: string;

  /** Where the timeline comes from; default branch. */
  source?: 'branch' | 'host';
  /** Write the pointer files of the instant into this directory. */
  write?: string;
  /** List the change points in [start, end] (ms) instead (src/core/as-of.ts parseRange). */
  range?: { start: number; end: number };
  /** The slate date (YYYY-MM-DD), with asOf, instead of <instant>. */
  gameDate?: string;
  asOf?: 'end' | 'pretip';
  /** false with --no-fetch. */
  fetch?: boolean;
}

/** The manifest `--write` leaves next to the pointer files. */
const AS_OF_MANIFEST = 'promote-as-of.json';

const iso = (ms: number) => new Date(ms).toISOString();

export async function at(args: string[], o: AtOptions, ctx: Context): Promise<Outcome> {
  const input = args[0];
  if (o.range !== undefined) {
    if (input !== undefined)
      throw new UsageError(
        'pass either <instant> or --range, not both',
        'Run `git promote at --range START..END --json`.',
      );
    if (o.write !== undefined)
      throw new UsageError(
        '--write takes one instant, not a --range',
        'Run `git promote at <instant> --write DIR` per partition.',
      );
  }
  if (o.gameDate !== undefined) {
    if (input !== undefined || o.range !== undefined)
      throw new UsageError(
        'pass one of <instant>, --game-date or --range',
        'Run `git promote at --game-date 2026-11-03 --as-of pretip`.',
      );
  } else if (o.asOf !== undefined) {
    throw new UsageError(
      '--as-of needs --game-date',
      'Run `git promote at --game-date 2026-11-03 --as-of pretip`.',
    );
  } else if (o.range === undefined && input === undefined) {
    throw new UsageError(
      'missing <instant>',
      'Run `git promote at 2026-11-03T22:00Z` or `git promote at 2026-11-03`.',
    );
  }
  // Parsed before anything is read: a malformed instant is a usage error whatever the source.
  const range = o.range ?? null;
  let instant = input !== undefined ? parseInstant(input) : 0;
  // The date and mode are checked before the config is read; the pretip time comes from it.
  if (o.gameDate !== undefined) gameDateInstant(o.gameDate, o.asOf ?? 'end', '00:00');

  const loaded = await loadConfig(ctx.cwd, ctx.env, o.config);
  const root = loaded.root;
  // With stages, the branch's history of the stage's pointer files (docs/stages.md); the host's
  // journal is this host's own.
  const config = o.source === 'host' ? loaded.config : configForStage(loaded.config, o.stage).config;
  if (o.gameDate !== undefined) instant = gameDateInstant(o.gameDate, o.asOf ?? 'end', config.asOf?.pretip);
  const src =
    o.source === 'host'
      ? hostTimeline({ root, env: ctx.env, config })
      : await branchTimeline({ root, env: ctx.env, config, fetch: o.fetch !== false });

  if (range) {
    const points = changePoints(src.timeline, range.start, range.end);
    return {
      exitCode: 0,
      data: {
        source: src.source,
        from: src.label,
        start: iso(range.start),
        end: iso(range.end),
        points: points.map((p) => ({ ...p, at: iso(p.at) })),
      },
      text: [
        `pointer sets ${iso(range.start)} .. ${iso(range.end)} (${src.source}: ${src.label})`,
        ...points.map(
          (p) =>
            `${iso(p.at)}  ${p.fromGameDate}  ${Object.entries(p.runs)
              .map(([n, r]) => `${n}=${r ?? '-'}`)
              .join(' ')}`,
        ),
      ],
    };
  }

  const snapshot = snapshotAt(src.timeline, instant);
  const live = snapshotCommit(snapshot);
  const absent = missing(snapshot);
  const data = {
    instant: iso(instant),
    input: o.gameDate !== undefined ? `--game-date ${o.gameDate} --as-of ${o.asOf ?? 'end'}` : input,
    source: src.source,
    from: src.label,
    commit: live?.commit ?? null,
    pointers: Object.fromEntries(
      Object.entries(snapshot).map(([name, c]) => [
        name,
        c ? { run: c.run, commit: c.commit, since: iso(c.at), file: config.pointers[name]!.file } : null,
      ]),
    ),
  };
  const text = [
    `as of ${iso(instant)} (${src.source}: ${src.label})`,
    ...Object.entries(snapshot).map(([name, c]) =>
      c && c.run !== null
        ? `${name}  ${c.run}  since ${iso(c.at)}  ${c.commit.slice(0, 12)}`
        : `${name}  no pointer yet`,
    ),
  ];
  if (absent.length === Object.keys(snapshot).length) {
    throw new CheckFailedError(
      `no pointer yet at ${iso(instant)} (${src.source}: ${src.label})`,
      o.source === 'host'
        ? 'The agent had applied nothing on this host by then; try --source branch.'
        : 'The branch had no pointer file by then; pick a later instant.',
    );
  }
  if (o.write !== undefined) {
    const layout = Object.fromEntries(Object.entries(config.pointers).map(([n, p]) => [n, p.file]));
    const written = await writePointers(src, snapshot, layout, resolve(ctx.cwd, o.write), data, ctx);
    text.push(
      `wrote ${written.length} pointer file(s) and ${AS_OF_MANIFEST} into ${resolve(ctx.cwd, o.write)}`,
    );
  }
  return { exitCode: 0, data, text };
}

/** The pointer files of the snapshot, byte for byte as the branch (or the agent) had them, plus a manifest. */
async function writePointers(
  src: TimelineSource,
  snapshot: Snapshot,
  layout: Record<string, string>,
  dir: string,
  data: Record<string, unknown>,
  ctx: Context,
): Promise<string[]> {
  const wanted = Object.entries(snapshot).flatMap(([pointer, c]) =>
    c && c.run !== null ? [{ pointer, commit: c.commit }] : [],
  );
  const contents = await pointerFileContents(src, ctx.env, wanted);
  // Every file is read before any is written: a missing one leaves DIR as it was.
  wanted.forEach(({ pointer, commit }, i) => {
    if (contents[i] === null || contents[i] === undefined)
      throw new CheckFailedError(
        `${src.files[pointer]} is missing at ${commit.slice(0, 12)} in ${src.gitDir}`,
        src.source === 'host'
          ? 'The agent mirror no longer has that commit; use --source branch.'
          : 'Fetch the branch again (run without --no-fetch).',
      );
  });
  const written = wanted.map(({ pointer }, i) => {
    // The same layout the agent writes in its target: the file's path under the config root.
    const path = join(dir, layout[pointer]!);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, contents[i]!);
    return path;
  });
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, AS_OF_MANIFEST), stringifyJson(data));
  return written;
}
