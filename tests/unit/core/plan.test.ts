import { describe, expect, it } from 'vitest';
import { planApply, type PlanInput } from '../../../src/core/plan.js';
import { pointerJson } from '../../helpers/fixtures.js';

const pointers = [
  { name: 'minutes', file: 'config/minutes.json', runField: 'run_id' },
  { name: 'rates', file: 'config/rates.json', runField: 'run_id' },
];

function input(over: Partial<PlanInput>): PlanInput {
  return {
    pointers,
    desired: { minutes: pointerJson('m1'), rates: pointerJson('r1') },
    applied: { minutes: 'm1', rates: 'r1' },
    actual: { minutes: pointerJson('m1'), rates: pointerJson('r1') },
    ...over,
  };
}

describe('planApply', () => {
  it('plans nothing when desired, applied and actual agree', () => {
    const plan = planApply(input({}));
    expect(plan.writes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });

  it('promotes a pointer whose desired run changed', () => {
    const plan = planApply(input({ desired: { minutes: pointerJson('m2'), rates: pointerJson('r1') } }));
    expect(plan.writes).toMatchObject([
      {
        pointer: 'minutes',
        desiredRun: 'm2',
        appliedRun: 'm1',
        actualRun: 'm1',
        reason: 'promote',
        content: pointerJson('m2'),
      },
    ]);
  });

  it('reports drift and restores a hand-edited or deleted file', () => {
    const plan = planApply(input({ actual: { minutes: pointerJson('hand'), rates: null } }));
    expect(plan.drift).toEqual([
      { pointer: 'minutes', file: 'config/minutes.json', detail: 'the file selects hand but m1 was applied' },
      { pointer: 'rates', file: 'config/rates.json', detail: 'the file is missing (applied r1)' },
    ]);
    expect(plan.writes.map((w) => w.reason)).toEqual(['restore', 'restore']);
  });

  it('treats an unparseable target file as drift, not as an error', () => {
    const plan = planApply(input({ actual: { minutes: '{"run_id": "m', rates: pointerJson('r1') } }));
    expect(plan.drift[0]!.detail).toMatch(/^the file is not a valid pointer: .*not valid JSON/);
    expect(plan.writes).toMatchObject([{ pointer: 'minutes', reason: 'restore', actualRun: null }]);
  });

  it('creates missing files on the first apply and rewrites a reformatted one', () => {
    const plan = planApply(input({ applied: null, actual: { minutes: null, rates: '{"run_id":"r1"}' } }));
    expect(plan.writes.map((w) => [w.pointer, w.reason])).toEqual([
      ['minutes', 'create'],
      ['rates', 'reformat'],
    ]);
    expect(plan.drift).toEqual([]);
  });

  it('refuses a desired pointer file that is not valid (bad JSON, bad run id)', () => {
    expect(() => planApply(input({ desired: { minutes: '{', rates: pointerJson('r1') } }))).toThrow(
      /not valid JSON/,
    );
    expect(() =>
      planApply(input({ desired: { minutes: pointerJson('../etc'), rates: pointerJson('r1') } })),
    ).toThrow(/is not a valid run id/);
  });

  it('decides each reason from what was applied and what the file holds', () => {
    const reasons = (over: Partial<PlanInput>) =>
      planApply(input(over)).pointers.map((p) => [p.pointer, p.write, p.reason, p.actualRun]);
    // Deleted and moved on at the tip: a promotion, not a restore.
    expect(
      reasons({
        desired: { minutes: pointerJson('m2'), rates: pointerJson('r1') },
        actual: { minutes: null, rates: pointerJson('r1') },
      }),
    ).toEqual([
      ['minutes', true, 'promote', null],
      ['rates', false, null, 'r1'],
    ]);
    // First apply over a file holding another run.
    expect(
      reasons({ applied: null, actual: { minutes: pointerJson('m0'), rates: pointerJson('r1') } }),
    ).toEqual([
      ['minutes', true, 'promote', 'm0'],
      ['rates', false, null, 'r1'],
    ]);
    // The applied run, written differently: no drift, only a reformat.
    expect(reasons({ actual: { minutes: '{"run_id":"m1"}', rates: pointerJson('r1') } })).toEqual([
      ['minutes', true, 'reformat', 'm1'],
      ['rates', false, null, 'r1'],
    ]);
  });

  it('names the file at the branch tip when it is not a valid pointer', () => {
    expect(() => planApply(input({ desired: { minutes: '[]', rates: pointerJson('r1') } }))).toThrow(
      'config/minutes.json at the branch tip must hold a JSON object',
    );
  });

  it('is a bug to plan a pointer without its desired content', () => {
    expect(() => planApply(input({ desired: { minutes: pointerJson('m1') } }))).toThrow(
      'no desired content for pointer rates',
    );
  });
});
