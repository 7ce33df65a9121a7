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
});
