/**
 * The off-season through the built CLI (issue #23): smoke scores the latest slate by default and
 * records the slates it saw after it, so evidence age can be counted in slates. A promotion ten
 * days after the last slate passes with {slates: 3} and is refused with {days: 3}.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, slateDate } from '../../src/core/game-date.js';
import { runCliProcess } from '../helpers/cli.js';
import { writeFiles } from '../helpers/git-repo.js';
import { remoteSha } from '../helpers/promotion-repo.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

// The CLI runs on the real clock.
const TODAY = slateDate(new Date());
const LAST_SLATE = addDays(TODAY, -10);

let world: PipelineWorld | undefined;
afterEach(() => {
  world?.cleanup();
  world = undefined;
});

/** A pipeline world whose manifests show slates on `dates`, with the given evidence age limit. */
function offSeason(maxAge: Record<string, unknown>, dates: string[]): PipelineWorld {
  const w = createPipelineWorld({
    configOverrides: { policy: { ...maxAge, labels: ['promotion'], mergeMethod: 'squash' } },
  });
  for (const date of dates)
    writeFiles(join(w.data, 'manifests'), {
      [`minutes_scores/game_date=${date}/run=live-${date}/manifest.json`]: JSON.stringify({
        asset: 'minutes_scores',
        game_date: date,
        run_id: `live-${date}`,
        run_as_of_ts: `${date}T15:00:00Z`,
        status: 'success',
        models: { minutes: 'm-old' },
      }),
    });
  w.addRun('minutes', 'm-new');
  return w;
}

const run = (w: PipelineWorld, args: string[]) => runCliProcess(args, { cwd: w.root });

describe('evidence age in slates', () => {
  it('passes a promotion 10 days after the last slate with {slates: 3}: smoke scored that slate', async () => {
    world = offSeason({ evidenceMaxAge: { slates: 3 } }, [
      addDays(TODAY, -14),
      addDays(TODAY, -12),
      LAST_SLATE,
    ]);
    const propose = await run(world, ['propose', 'minutes=m-new', '--no-pr']);
    expect(propose.stderr).toBe('');
    expect(propose.code).toBe(0);
    expect(propose.stdout).toContain(`minutes: m-old → m-new (game date ${LAST_SLATE}, smoke passed)`);

    // validate of the pushed promotion, as CI runs it.
    const head = remoteSha(world.repo, 'promote/minutes/m-new');
    const base = remoteSha(world.repo, 'main');
    const validate = await run(world, ['validate', '--base', base, '--head', head]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(
      `pass evidence-age (minutes): game date ${LAST_SLATE} is 0 slates old (at most 3; 0 slates after it seen by the smoke run through ${TODAY})`,
    );
  });

  it('refuses the same promotion with {days: 3}: ten calendar days', async () => {
    world = offSeason({ evidenceMaxAge: { days: 3 } }, [LAST_SLATE]);
    const propose = await run(world, ['propose', 'minutes=m-new', '--no-pr']);
    expect(propose.code).toBe(1);
    expect(propose.stderr).toContain(
      `  evidence-age (minutes): game date ${LAST_SLATE} is 10 days old (at most 3); smoke again`,
    );
  });

  it('counts the slates after the game date: four later slates refuse it, the latest passes', async () => {
    const later = [-8, -6, -4, -2].map((d) => addDays(TODAY, d));
    world = offSeason({ evidenceMaxAge: { slates: 3 } }, [LAST_SLATE, ...later]);
    const out = join(world.repo.dir, 'evidence.json');
    const smoke = await run(world, ['smoke', 'minutes', 'm-new', '--game-date', LAST_SLATE, '--out', out]);
    expect(smoke.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      schema: 'git-promote/evidence@1',
      game_date: LAST_SLATE,
      slates: { asset: 'minutes_scores', through: TODAY, after: later },
    });

    const old = await run(world, ['propose', 'minutes=m-new', '--no-pr', '--evidence', out]);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain(
      `evidence-age (minutes): game date ${LAST_SLATE} is 4 slates old (at most 3;`,
    );

    const latest = await run(world, ['propose', 'minutes=m-new', '--no-pr']);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain(`(game date ${later.at(-1)}, smoke passed)`);
  });
});
