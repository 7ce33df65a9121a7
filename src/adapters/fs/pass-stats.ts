/** passes.json in the state directory (the agent's pass record) and the metrics file it feeds. */
import { readFileSync } from 'node:fs';
import * as z from 'zod/v4';
import { stringifyJson } from '../../core/json-file.js';
import { emptyPassStats, PASS_ERROR_KINDS, type PassStats } from '../../core/pass-metrics.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StatePaths } from './state-store.js';

const passStatsSchema = z.looseObject({
  version: z.literal(1),
  since: z.string().nullable().default(null),
  lastSuccessAt: z.string().nullable(),
  lastError: z
    .looseObject({ at: z.string(), kind: z.enum(PASS_ERROR_KINDS), message: z.string() })
    .nullable(),
  errors: z.looseObject(
    Object.fromEntries(PASS_ERROR_KINDS.map((k) => [k, z.number().int().nonnegative().default(0)])) as Record<
      (typeof PASS_ERROR_KINDS)[number],
      z.ZodDefault<z.ZodNumber>
    >,
  ),
});

/** The record, or null when no pass has been recorded (or the file is unreadable: start over). */
export function readPassStats(paths: StatePaths): PassStats | null {
  let text: string;
  try {
    text = readFileSync(paths.passes, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = passStatsSchema.safeParse(JSON.parse(text));
    // Counters restart from 0 after a hand edit or disk fault; Prometheus reads that as a reset.
    return parsed.success ? (parsed.data as PassStats) : emptyPassStats();
  } catch {
    return emptyPassStats();
  }
}

export function writePassStats(paths: StatePaths, stats: PassStats): void {
  writeFileAtomic(paths.passes, stringifyJson(stats));
}

/**
 * Replace the textfile-collector file atomically; the temp file's name does not end in .prom, so
 * node_exporter never reads a half-written one. 0644 whatever the UMask: node_exporter runs as
 * another user.
 */
export function writeMetricsFile(path: string, text: string): void {
  writeFileAtomic(path, text, undefined, 0o644);
}
