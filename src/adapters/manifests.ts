/**
 * Find and read run manifests under `manifests.root` following `manifests.layout`. Only the
 * partition directories a query needs are listed (`{asset}` and `{game_date}` are filled in
 * first), so a tree of many thousands of manifests is never globbed as a whole.
 */
import { readRegularFileSync } from './read-text.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPromoteError } from '../core/errors.js';
import { parseWith } from '../core/json-file.js';
import { isGameDate } from '../core/game-date.js';
import { isRunId } from '../core/run-id.js';
import { manifestSchema } from '../core/schemas.js';
import { fillTemplate } from '../core/template.js';
import type { ManifestEntry } from '../core/verify.js';

interface ManifestQuery {
  root: string;
  layout: string;
  gameDate: string;
  /** Only this asset; every asset when omitted (needs `{asset}` in a directory segment). */
  asset?: string;
  /** Files read between two yields to the event loop (default 500). */
  batchSize?: number;
}

export interface InvalidManifest {
  path: string;
  problem: string;
}

export interface ManifestScan {
  entries: ManifestEntry[];
  invalid: InvalidManifest[];
}

const PLACEHOLDER = /\{([a-z_]+)\}/g;

function segmentPattern(segment: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of segment.matchAll(PLACEHOLDER)) {
    source += escapeRe(segment.slice(last, m.index));
    source += '([^/]+?)';
    names.push(m[1]!);
    last = m.index + m[0].length;
  }
  source += escapeRe(segment.slice(last));
  return { re: new RegExp(`^${source}$`), names };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function acceptable(name: string, value: string): boolean {
  if (value.startsWith('.')) return false;
  return name === 'run_id' ? isRunId(value) : true;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/** The manifest file paths of a query, found by listing only the directories the layout needs. */
export async function findManifestFiles(query: ManifestQuery): Promise<string[]> {
  const known: Record<string, string> = { game_date: query.gameDate };
  if (query.asset !== undefined) known.asset = query.asset;
  const segments = fillTemplate(query.layout, known).split('/').filter(Boolean);
  let current = [query.root];
  for (const segment of segments) current = await descend(current, segment);
  return current;
}

/** The paths one layout segment below `dirs` (a placeholder segment matches what is listed there). */
async function descend(
  dirs: string[],
  segment: string,
  wanted: (name: string, value: string) => boolean = acceptable,
): Promise<string[]> {
  if (!segment.includes('{')) return dirs.map((dir) => join(dir, segment));
  const { re, names } = segmentPattern(segment);
  const next: string[] = [];
  const listings = await Promise.all(dirs.map(async (dir) => ({ dir, names: await list(dir) })));
  for (const { dir, names: entries } of listings) {
    for (const entry of entries) {
      const m = re.exec(entry);
      if (m && names.every((n, i) => wanted(n, m[i + 1]!))) next.push(join(dir, entry));
    }
  }
  return next;
}

/**
 * The game dates that have a partition for `asset` (every asset when omitted) under the manifest
 * root, sorted and unique: the slates (docs/versions-and-slates.md). Only the directories down to
 * the `{game_date}` segment are listed; a layout without that segment has none.
 */
export async function listGameDates(
  query: Omit<ManifestQuery, 'gameDate' | 'batchSize'> & {
    /** Assets that do not count (the agent's own apply manifests). */
    skipAssets?: readonly string[];
  },
): Promise<string[]> {
  const known: Record<string, string> = {};
  if (query.asset !== undefined) known.asset = query.asset;
  const segments = fillTemplate(query.layout, known).split('/').filter(Boolean);
  const at = segments.findIndex((s) => s.includes('{game_date}'));
  if (at === -1) return [];
  const skip = new Set(query.skipAssets ?? []);
  const wanted = (name: string, value: string) =>
    acceptable(name, value) && !(name === 'asset' && skip.has(value));
  let current = [query.root];
  for (const segment of segments.slice(0, at)) current = await descend(current, segment, wanted);
  const { re, names } = segmentPattern(segments[at]!);
  const slot = names.indexOf('game_date') + 1;
  const dates = new Set<string>();
  for (const dir of current)
    for (const entry of await list(dir)) {
      const m = re.exec(entry);
      if (m && names.every((n, i) => wanted(n, m[i + 1]!)) && isGameDate(m[slot]!)) dates.add(m[slot]!);
    }
  return [...dates].sort();
}

/**
 * Read and validate the manifests of a query; unreadable or invalid files are reported, not
 * thrown. Files are read synchronously in batches, yielding to the event loop between batches:
 * for thousands of small files that is several times faster than fs.promises.readFile (four
 * thread-pool round trips per file) while a long scan still never blocks for long.
 */
export async function scanManifests(query: ManifestQuery): Promise<ManifestScan> {
  const files = await findManifestFiles(query);
  const entries: ManifestEntry[] = [];
  const invalid: InvalidManifest[] = [];
  const batch = query.batchSize ?? 500;
  for (let start = 0; start < files.length; start += batch) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const path of files.slice(start, start + batch)) {
      let text: string;
      try {
        text = readRegularFileSync(path);
      } catch (err) {
        if (isPromoteError(err)) {
          invalid.push({ path, problem: err.message });
          continue;
        }
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') continue;
        invalid.push({ path, problem: `cannot read: ${code ?? String(err)}` });
        continue;
      }
      try {
        const manifest = parseWith(manifestSchema, text, path);
        if (query.asset !== undefined && manifest.asset !== query.asset) continue;
        if (manifest.game_date !== query.gameDate) continue;
        entries.push({ path, manifest });
      } catch (err) {
        if (!isPromoteError(err)) throw err;
        invalid.push({ path, problem: err.message });
      }
    }
  }
  entries.sort((a, b) => a.path.localeCompare(b.path));
  invalid.sort((a, b) => a.path.localeCompare(b.path));
  return { entries, invalid };
}
