/**
 * What propose pushes, validate accepts: evidence made by the real smoke command (fake scorer as
 * a child process) and a branch pushed by `propose --no-pr`, checked by `validate`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smoke } from '../../src/commands/smoke.js';
import { propose } from '../../src/commands/propose.js';
import { validate } from '../../src/commands/validate.js';
import type { ValidateReport } from '../../src/core/validate-report.js';
import { testContext } from '../helpers/context.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

let world: PipelineWorld;

beforeAll(async () => {
  world = createPipelineWorld();
  // The current runs were promoted before: their smoke evidence is on main.
  for (const [pointer, run] of [
    ['minutes', 'm-old'],
    ['rates', 'r-old'],
  ] as const) {
    const out = join(world.root, 'promotions', pointer, `${run}.json`);
    mkdirSync(dirname(out), { recursive: true });
    await smoke([pointer, run], { gameDate: '2026-11-20', out }, testContext({ cwd: world.root }));
  }
  world.repo.commit({}, 'evidence of the current runs');
});
afterAll(() => world.cleanup());

describe('propose then validate', () => {
  it('passes the promotion branch propose pushed, and fails it once the evidence is stale', async () => {
    world.addRun('minutes', 'm-new', { metrics: { mae: 4.0 } });
    await propose(['minutes=m-new'], { pr: false, gameDate: '2026-11-25' }, testContext({ cwd: world.root }));
    world.repo.git(['fetch', '--quiet', 'origin']);
    const range = { base: 'origin/main', head: 'origin/promote/minutes/m-new' };

    const outcome = await validate([], range, testContext({ cwd: world.root }));
    const report = outcome.data as ValidateReport;
    expect(report.results.filter((r) => !r.ok)).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    const minutes = report.results.filter((r) => r.pointer === 'minutes').map((r) => r.name);
    expect(minutes).toEqual(
      expect.arrayContaining(['smoke', 'manifest', 'columns', 'rows', 'evidence-age', 'contract']),
    );

    const later = testContext({ cwd: world.root, now: () => new Date('2026-12-05T18:00:00Z') });
    const stale = await validate([], range, later);
    expect(stale.exitCode).toBe(1);
    expect((stale.data as ValidateReport).results.filter((r) => !r.ok).map((r) => r.name)).toEqual([
      'evidence-age',
    ]);
  });
});
