/**
 * verify/doctor manifest scans over 20,000 manifest files, against reading the same files with
 * `cat` (through xargs, so it is one process per few thousand files). File generation is outside
 * the timing; the tree also holds other game dates that a scan must not read.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findManifestFiles, scanManifests } from '../src/adapters/manifests.js';
import { verifyManifests } from '../src/core/verify.js';
import { paired, wallTime } from './harness.js';
import type { BenchRow } from './types.js';

const LAYOUT = '{asset}/game_date={game_date}/run={run_id}/manifest.json';
const DATE = '2026-11-26';
const ASSETS = ['minutes_scores', 'rates_scores', 'usage_shares', 'sim_worlds'];
const RUNS_PER_ASSET = 5_000; // 4 x 5,000 = 20,000 manifests for the scanned date
const OTHER_DATES = 5;
const RUNS_PER_OTHER_DATE = 100;

function manifest(asset: string, date: string, run: string, i: number): string {
  return `${JSON.stringify(
    {
      asset,
      game_date: date,
      run_id: run,
      run_as_of_ts: new Date(Date.UTC(2026, 10, 26, 12, 0, i)).toISOString(),
      step: asset,
      status: i % 50 === 0 ? 'failed' : 'success',
      started_at: new Date(Date.UTC(2026, 10, 26, 12, 0, i)).toISOString(),
      finished_at: new Date(Date.UTC(2026, 10, 26, 12, 1, i)).toISOString(),
      duration_s: 60,
      outputs: [{ name: asset, rows: 450, columns: ['player_id', 'game_id', 'minutes_p50'] }],
      checks: [{ name: 'rows', status: 'pass' }],
      models: { minutes: `minutes-${i}` },
      failure_reason: i % 50 === 0 ? 'Temporary failure in name resolution' : null,
    },
    null,
    2,
  )}\n`;
}

function generate(root: string): void {
  const write = (asset: string, date: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const run = `live-${date}-${String(i).padStart(5, '0')}`;
      const dir = join(root, asset, `game_date=${date}`, `run=${run}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'manifest.json'), manifest(asset, date, run, i));
    }
  };
  for (const asset of ASSETS) {
    write(asset, DATE, RUNS_PER_ASSET);
    for (let d = 1; d <= OTHER_DATES; d++)
      write(asset, `2026-11-${String(26 - d).padStart(2, '0')}`, RUNS_PER_OTHER_DATE);
  }
}

/** `xargs -0 cat` over the files, output drained: the cost of just reading them. */
function cat(files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('xargs', ['-0', 'cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`xargs cat exited ${code}`))));
    child.stdin.end(files.join('\0'));
  });
}

export async function bench(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'git-promote-bench-manifests-'));
  try {
    generate(root);
    const allFiles = await findManifestFiles({ root, layout: LAYOUT, gameDate: DATE });
    const assetFiles = await findManifestFiles({ root, layout: LAYOUT, gameDate: DATE, asset: ASSETS[0]! });
    if (allFiles.length !== ASSETS.length * RUNS_PER_ASSET)
      throw new Error(`found ${allFiles.length} manifests`);

    const doctor = wallTime(async () => {
      const scan = await scanManifests({ root, layout: LAYOUT, gameDate: DATE });
      if (scan.entries.length !== allFiles.length) throw new Error('doctor scan missed manifests');
    });
    const verify = wallTime(async () => {
      const scan = await scanManifests({ root, layout: LAYOUT, gameDate: DATE, asset: ASSETS[0]! });
      verifyManifests({
        pointer: 'minutes',
        asset: ASSETS[0]!,
        gameDate: DATE,
        expectedRun: 'minutes-1',
        manifests: scan.entries,
      });
    });

    return [
      {
        kind: 'paired',
        name: `doctor scan: ${allFiles.length} manifests of one game date (read + validate)`,
        measure: 'wall',
        baselineName: `xargs cat of the same ${allFiles.length} files`,
        result: await paired(
          doctor,
          wallTime(() => cat(allFiles)),
          { runs: 5 },
        ),
      },
      {
        kind: 'paired',
        name: `verify: one asset, ${assetFiles.length} manifests (read + validate + verdict)`,
        measure: 'wall',
        baselineName: `xargs cat of the same ${assetFiles.length} files`,
        result: await paired(
          verify,
          wallTime(() => cat(assetFiles)),
          { runs: 5 },
        ),
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
