/** The metric gate at its limits: bounds, regressions, missing values, and how rows are shown. */
import { describe, expect, it } from 'vitest';
import { changeText, gateTable, metricGate, metricRuleSchema } from '../../../src/core/metric-gate.js';

const row = (
  rule: Record<string, unknown>,
  candidate: number | undefined,
  current: number | undefined | null,
) =>
  metricGate(
    { m: metricRuleSchema.parse(rule) },
    candidate === undefined ? {} : { m: candidate },
    current === null ? null : current === undefined ? {} : { m: current },
  ).rows[0]!;

describe('metric rules', () => {
  it('take bounds that meet, or a lone max, and refuse min above max', () => {
    expect(metricRuleSchema.safeParse({ min: 1, max: 1 }).success).toBe(true);
    expect(metricRuleSchema.safeParse({ max: 1 }).success).toBe(true);
    expect(metricRuleSchema.safeParse({ min: 2, max: 1 }).success).toBe(false);
  });
});

describe('metric gate limits', () => {
  it('passes a candidate exactly on its bounds and fails it just outside', () => {
    expect(row({ min: 0.85 }, 0.85, 0.9).ok).toBe(true);
    expect(row({ min: 0.85 }, 0.849, 0.9).problem).toBe('m 0.849 is below the minimum 0.85');
    expect(row({ max: 5 }, 5, 4).ok).toBe(true);
    expect(row({ max: 5 }, 5.01, 4).problem).toBe('m 5.01 is above the maximum 5');
    expect(row({ min: 0 }, 10 ** 9, 4).ok).toBe(true);
  });

  it('measures a regression the right way round for each direction', () => {
    expect(row({ better: 'higher', maxRegression: 0.1 }, 0.8, 0.9).ok).toBe(true);
    expect(row({ better: 'higher', maxRegression: 0.1 }, 0.79, 0.9).problem).toBe(
      'm worsened by 0.11 (higher is better), more than the allowed 0.1',
    );
    expect(row({ better: 'higher', maxRegression: 0.1 }, 5, 0.9).ok).toBe(true);
    expect(row({ better: 'lower', maxRegression: '10%' }, -0.9, -1).problem).toBeUndefined();
    expect(row({ better: 'lower', maxRegression: '10%' }, -0.89, -1).ok).toBe(false);
  });

  it('allows exactly the limit however large the values, and no more', () => {
    // 300000.4 − 300000.3 is 0.1000000000349 in floating point: the tolerance scales with the value.
    expect(row({ better: 'lower', maxRegression: 0.1 }, 300000.4, 300000.3).ok).toBe(true);
    expect(row({ better: 'lower', maxRegression: 0.1 }, 300000.41, 300000.3).ok).toBe(false);
    expect(row({ better: 'lower', maxRegression: 0 }, 0.1 + 0.2, 0.3).ok).toBe(true);
    expect(row({ better: 'lower', maxRegression: 0 }, 0.30001, 0.3).ok).toBe(false);
  });

  it('fails a metric missing or not finite on either side, but not without a current run', () => {
    expect(row({ min: 0 }, undefined, 1).problem).toBe('the candidate\'s meta.json has no metric "m"');
    expect(row({ min: 0 }, Infinity, 1).ok).toBe(false);
    expect(row({ better: 'lower', maxRegression: 1 }, 1, undefined).problem).toBe(
      'the current run\'s meta.json has no metric "m" to compare with',
    );
    expect(row({ better: 'lower', maxRegression: 1 }, 1, NaN).ok).toBe(false);
    expect(row({ better: 'lower', maxRegression: 1 }, 1, null)).toMatchObject({
      ok: true,
      current: null,
      change: null,
    });
  });

  it('shows every limit of a rule, for either direction', () => {
    expect(row({ better: 'higher', maxRegression: '2%', min: 0.5, max: 0.99 }, 0.9, 0.9).limit).toBe(
      'change ≥ −2%, ≥ 0.5, ≤ 0.99',
    );
    expect(row({ better: 'lower', maxRegression: 0.25 }, 1, 1).limit).toBe('change ≤ +0.25');
    expect(row({ better: 'lower', maxRegression: 0.123456789 }, 1, 1).limit).toBe('change ≤ +0.123457');
  });

  it('orders rows by metric name', () => {
    const gate = metricGate({ b: { min: 0 }, a: { min: 0 }, c: { min: 0 } }, { a: 1, b: 1, c: 1 }, null);
    expect(gate.rows.map((r) => r.metric)).toEqual(['a', 'b', 'c']);
  });

  it('leaves the change unknown unless both values are numbers', () => {
    expect(row({ min: 0 }, 1, undefined)).toMatchObject({ current: null, change: null });
    expect(
      metricGate({ m: { min: 0 } }, { m: 1 }, { m: 'x' } as unknown as Record<string, number>).rows[0],
    ).toMatchObject({ current: null, change: null });
    expect(
      metricGate({ m: { min: 0 } }, { m: 'x' } as unknown as Record<string, number>, { m: 1 }).rows[0],
    ).toMatchObject({ candidate: null, change: null });
  });
});

describe('metric rows shown', () => {
  it('give the change with its share of the current value, and no share from zero', () => {
    expect(changeText({ current: 4, change: 0.2 })).toBe('+0.2 (+5.0%)');
    expect(changeText({ current: -4, change: -0.2 })).toBe('-0.2 (-5.0%)');
    expect(changeText({ current: 0, change: 0.2 })).toBe('+0.2');
    expect(changeText({ current: null, change: 0.2 })).toBe('-');
  });

  it('put dashes for unknown values', () => {
    expect(gateTable([row({ min: 0 }, undefined, undefined)]).rows).toEqual([
      ['m', '-', '-', '-', '≥ 0', 'FAIL'],
    ]);
    expect(gateTable([row({ min: 0 }, 1, 1)]).rows).toEqual([['m', '1', '1', '0 (0.0%)', '≥ 0', 'pass']]);
  });
});
