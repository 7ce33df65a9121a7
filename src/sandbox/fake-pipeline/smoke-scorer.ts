/**
 * A stand-in for the pipeline's smoke scoring command (`score_minutes --no-publish`), used by
 * the tests and by `git promote sandbox`. It is a plain Node script written to disk and run as a
 * real process. It writes a run manifest in the pipeline's format to `--manifest`, and behaves as
 * told by an optional `smoke.json` in the model's artifact directory (`--models <dir>` holds
 * `run=<run_id>/`):
 *   {"mode": "ok" | "fail" | "hang" | "no-manifest" | "bad-json" | "failed-status",
 *    "rows": 450, "columns": ["player_id", ...], "sleepMs": 0, "escape": false, "escapeMs": 45000}
 * In "hang" mode it starts a worker process and records both pids in `run=<run_id>/pids.json`.
 * With "escape" it first starts a process in a session of its own that holds its stdout and
 * stderr for escapeMs, and records its pid in `run=<run_id>/escaped.json`.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SMOKE_SCORER_SCRIPT = `#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf('--' + name);
  return i === -1 ? dflt : args[i + 1];
};
const runId = opt('run-id');
const gameDate = opt('game-date');
const manifestPath = opt('manifest');
const outDir = opt('out');
const pointer = opt('pointer', 'minutes');
const asset = opt('asset', 'minutes_scores');
const models = opt('models');
let behaviour = {};
if (models) {
  try {
    behaviour = JSON.parse(fs.readFileSync(path.join(models, 'run=' + runId, 'smoke.json'), 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}
const mode = behaviour.mode || 'ok';
const rows = behaviour.rows === undefined ? 450 : behaviour.rows;
const columns = behaviour.columns || ['player_id', 'game_id', 'minutes_p50'];
const started = new Date();
process.stdout.write('scoring ' + pointer + ' run ' + runId + ' for ' + gameDate + '\\n');
const finish = () => {
  if (mode === 'fail') {
    process.stderr.write('Traceback (most recent call last):\\nKeyError: feature_minutes_rolling_7\\n');
    process.exit(3);
  }
  if (mode === 'no-manifest') process.exit(0);
  fs.mkdirSync(path.dirname(manifestPath), { recursive: true });
  if (mode === 'bad-json') {
    fs.writeFileSync(manifestPath, '{"asset": ');
    process.exit(0);
  }
  if (outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, asset + '.csv'), columns.join(',') + '\\n');
  }
  const finished = new Date();
  const manifest = {
    asset,
    game_date: gameDate,
    run_id: runId,
    run_as_of_ts: started.toISOString(),
    step: 'smoke',
    status: mode === 'failed-status' ? 'failed' : 'success',
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_s: (finished - started) / 1000,
    outputs: [{ name: asset, path: outDir ? path.join(outDir, asset + '.csv') : undefined, rows, columns }],
    checks: [{ name: 'row_count', status: 'pass' }],
    models: { [pointer]: runId },
    failure_reason: mode === 'failed-status' ? 'scoring raised ValueError' : null,
  };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\\n');
};
if (behaviour.escape && models) {
  // A grandchild that leaves the process group (setsid) and keeps the scorer's stdout and
  // stderr open: git-promote must not wait for those pipes to close.
  const escaped = require('node:child_process').spawn(
    process.execPath,
    ['-e', 'setTimeout(() => {}, ' + (behaviour.escapeMs || 45000) + ')'],
    { detached: true, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  escaped.unref();
  fs.writeFileSync(path.join(models, 'run=' + runId, 'escaped.json'), JSON.stringify({ pid: escaped.pid }));
}
if (mode === 'hang') {
  // A stuck scorer with a worker of its own: both must be killed by the timeout.
  const worker = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  });
  if (models) {
    const pids = JSON.stringify({ scorer: process.pid, worker: worker.pid });
    fs.writeFileSync(path.join(models, 'run=' + runId, 'pids.json'), pids);
  }
  setInterval(() => {}, 1000);
} else setTimeout(finish, behaviour.sleepMs || 0);
`;

/** Write the scorer script into `dir`; returns its path (run it with `node <path>`). */
export function writeSmokeScorer(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'smoke-scorer.cjs');
  writeFileSync(file, SMOKE_SCORER_SCRIPT);
  chmodSync(file, 0o755);
  return file;
}

/** The smoke config for a pointer that runs the scorer (for promote.config.json). */
export function smokeScorerCommand(
  scorer: string,
  opts: { pointer: string; asset: string; models: string; node?: string },
): string[] {
  return [
    opts.node ?? process.execPath,
    scorer,
    '--run-id',
    '{run_id}',
    '--game-date',
    '{game_date}',
    '--manifest',
    '{manifest}',
    '--out',
    '{out}',
    '--pointer',
    opts.pointer,
    '--asset',
    opts.asset,
    '--models',
    opts.models,
  ];
}
