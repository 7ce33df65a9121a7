import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findManifestFiles, listGameDates, scanManifests } from '../../src/adapters/manifests.js';
import { tempDir, writeFiles } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function m(asset: string, date: string, run: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    asset,
    game_date: date,
    run_id: run,
    run_as_of_ts: '2026-11-26T15:00:00Z',
    status: 'success',
    ...extra,
  });
}

describe('scanManifests', () => {
  it('reads only the partition of the asset and date, and reports invalid files', async () => {
    const root = tempDir();
    dirs.push(root);
    writeFiles(root, {
      'minutes_scores/game_date=2026-11-26/run=a/manifest.json': m('minutes_scores', '2026-11-26', 'a'),
      'minutes_scores/game_date=2026-11-26/run=b/manifest.json': '{ not json',
      'minutes_scores/game_date=2026-11-26/run=c/manifest.json': JSON.stringify({ asset: 'minutes_scores' }),
      'minutes_scores/game_date=2026-11-26/run=..evil/manifest.json': m('minutes_scores', '2026-11-26', 'x'),
      'minutes_scores/game_date=2026-11-26/notes.txt': 'ignored',
      'minutes_scores/game_date=2026-11-25/run=old/manifest.json': m('minutes_scores', '2026-11-25', 'old'),
      'rates_scores/game_date=2026-11-26/run=r/manifest.json': m('rates_scores', '2026-11-26', 'r'),
    });
    const layout = '{asset}/game_date={game_date}/run={run_id}/manifest.json';
    const scan = await scanManifests({ root, layout, gameDate: '2026-11-26', asset: 'minutes_scores' });
    expect(scan.entries.map((e) => e.manifest.run_id)).toEqual(['a']);
    expect(scan.invalid.map((i) => i.path)).toEqual([
      join(root, 'minutes_scores/game_date=2026-11-26/run=b/manifest.json'),
      join(root, 'minutes_scores/game_date=2026-11-26/run=c/manifest.json'),
    ]);
    expect(scan.invalid[0]!.problem).toContain('is not valid JSON');

    const all = await scanManifests({ root, layout, gameDate: '2026-11-26' });
    expect(all.entries.map((e) => `${e.manifest.asset}/${e.manifest.run_id}`)).toEqual([
      'minutes_scores/a',
      'rates_scores/r',
    ]);
  });

  it('follows other layouts, with the run id in the file name', async () => {
    const root = tempDir();
    dirs.push(root);
    writeFiles(root, {
      'daily/2026-11-26/minutes_scores/run-7.json': m('minutes_scores', '2026-11-26', '7'),
    });
    const files = await findManifestFiles({
      root,
      layout: 'daily/{game_date}/{asset}/run-{run_id}.json',
      gameDate: '2026-11-26',
    });
    expect(files).toEqual([join(root, 'daily/2026-11-26/minutes_scores/run-7.json')]);
    expect(
      await findManifestFiles({
        root: join(root, 'missing'),
        layout: '{asset}/{game_date}/{run_id}.json',
        gameDate: '2026-11-26',
      }),
    ).toEqual([]);
  });
});

describe('listGameDates (the slates)', () => {
  const layout = '{asset}/game_date={game_date}/run={run_id}/manifest.json';

  it("lists the game dates of an asset's partitions, sorted once each, ignoring what is not a date", async () => {
    const root = tempDir();
    dirs.push(root);
    writeFiles(root, {
      'minutes_scores/game_date=2026-07-14/run=a/manifest.json': m('minutes_scores', '2026-07-14', 'a'),
      'minutes_scores/game_date=2026-07-14/run=b/manifest.json': m('minutes_scores', '2026-07-14', 'b'),
      'minutes_scores/game_date=2026-07-02/run=a/manifest.json': m('minutes_scores', '2026-07-02', 'a'),
      'minutes_scores/game_date=2026-02-30/run=a/manifest.json': 'not a real date',
      'minutes_scores/game_date=latest/run=a/manifest.json': 'not a date',
      'minutes_scores/notes.txt': 'ignored',
      'rates_scores/game_date=2026-07-20/run=r/manifest.json': m('rates_scores', '2026-07-20', 'r'),
      'promotion/game_date=2026-07-22/run=apply-1/manifest.json': m('promotion', '2026-07-22', 'apply-1'),
    });
    expect(await listGameDates({ root, layout, asset: 'minutes_scores' })).toEqual([
      '2026-07-02',
      '2026-07-14',
    ]);
    // Every asset, but the agent's own apply records never make a slate.
    expect(await listGameDates({ root, layout, skipAssets: ['promotion'] })).toEqual([
      '2026-07-02',
      '2026-07-14',
      '2026-07-20',
    ]);
    expect(await listGameDates({ root, layout: '{asset}/{run_id}/manifest.json' })).toEqual([]);
    expect(await listGameDates({ root: join(root, 'missing'), layout })).toEqual([]);
  });
});
