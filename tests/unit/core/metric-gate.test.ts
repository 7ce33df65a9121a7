import { describe, expect, it } from 'vitest';
import { changeText, gateTable, metricGate, type MetricPolicy } from '../../../src/core/metric-gate.js';
import { validateConfig } from '../../../src/core/config.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const policy: MetricPolicy = {
  mae: { better: 'lower', maxRegression: '2%' },
  coverage_p90: { min: 0.85 },
};

describe('metricGate', () => {
  it('passes a candidate within every limit, one row per rule in name order', () => {
    const gate = metricGate(
      policy,
      { mae: 4.28, coverage_p90: 0.9, extra: 1 },
      { mae: 4.2, coverage_p90: 0.88 },
    );
    expect(gate.ok).toBe(true);
    expect(gate.rows.map((r) => [r.metric, r.ok])).toEqual([
      ['coverage_p90', true],
      ['mae', true],
    ]);
  });

  it('passes a regression of exactly the limit and fails one just past it', () => {
    expect(metricGate({ mae: { better: 'lower', maxRegression: '2%' } }, { mae: 102 }, { mae: 100 }).ok).toBe(
      true,
    );
    const past = metricGate({ mae: { better: 'lower', maxRegression: '2%' } }, { mae: 102.01 }, { mae: 100 });
    expect(past.ok).toBe(false);
    expect(past.rows[0]!.problem).toBe('mae worsened by 2.01 (lower is better), more than the allowed 2');
  });

  it('reads "better: higher" the other way round, and an absolute maxRegression as an amount', () => {
    const rule: MetricPolicy = { auc: { better: 'higher', maxRegression: 0.01 } };
    expect(metricGate(rule, { auc: 0.9 }, { auc: 0.905 }).ok).toBe(true);
    expect(metricGate(rule, { auc: 0.89 }, { auc: 0.905 }).ok).toBe(false);
    // Improving never fails, however far.
    expect(metricGate(rule, { auc: 0.99 }, { auc: 0.5 }).ok).toBe(true);
    expect(metricGate({ mae: { better: 'lower', maxRegression: 0.1 } }, { mae: 1 }, { mae: 2 }).ok).toBe(
      true,
    );
  });

  it('fails min and max limits on the candidate alone', () => {
    const gate = metricGate({ cov: { min: 0.85, max: 0.99 } }, { cov: 0.84 }, { cov: 0.9 });
    expect(gate.rows[0]).toMatchObject({ ok: false, problem: 'cov 0.84 is below the minimum 0.85' });
    expect(metricGate({ cov: { max: 0.99 } }, { cov: 1 }, null).rows[0]!.problem).toBe(
      'cov 1 is above the maximum 0.99',
    );
  });

  it('fails a metric the candidate does not report, naming it, even without a current run', () => {
    const gate = metricGate(policy, { mae: 4 }, null);
    expect(gate.ok).toBe(false);
    expect(gate.rows.find((r) => r.metric === 'coverage_p90')).toMatchObject({
      ok: false,
      problem: `the candidate's meta.json has no metric "coverage_p90"`,
    });
    expect(metricGate(policy, undefined, null).rows.every((r) => !r.ok)).toBe(true);
  });

  it('fails a regression rule when the current run lacks the metric, and skips it on a first promotion', () => {
    const rule: MetricPolicy = { mae: { better: 'lower', maxRegression: '2%' } };
    expect(metricGate(rule, { mae: 4 }, {}).rows[0]).toMatchObject({
      ok: false,
      problem: `the current run's meta.json has no metric "mae" to compare with`,
    });
    expect(metricGate(rule, { mae: 4 }, null).ok).toBe(true);
  });

  it('renders a table with the change and the limit in words', () => {
    const gate = metricGate(policy, { mae: 4.5, coverage_p90: 0.8 }, { mae: 4.2, coverage_p90: 0.9 });
    expect(gateTable(gate.rows)).toEqual({
      columns: ['metric', 'current', 'candidate', 'change', 'limit', 'result'],
      rows: [
        ['coverage_p90', '0.9', '0.8', '-0.1 (-11.1%)', '≥ 0.85', 'FAIL'],
        ['mae', '4.2', '4.5', '+0.3 (+7.1%)', 'change ≤ +2%', 'FAIL'],
      ],
    });
    expect(changeText({ current: null, change: null })).toBe('-');
  });
});

describe('pointers.<name>.metrics in the config', () => {
  function withMetrics(metrics: unknown) {
    const config = sampleConfig('/data');
    (config.pointers as Record<string, Record<string, unknown>>).minutes!.metrics = metrics;
    return validateConfig(config);
  }

  it('accepts the rules of the issue', () => {
    expect(withMetrics(policy).errors).toEqual([]);
  });

  it('refuses maxRegression without better, a rule with no limit, a bad percentage and a typo', () => {
    expect(withMetrics({ mae: { maxRegression: '2%' } }).errors.join('\n')).toMatch(
      /maxRegression needs better/,
    );
    expect(withMetrics({ mae: { better: 'lower' } }).errors.join('\n')).toMatch(
      /needs maxRegression, min or max/,
    );
    expect(withMetrics({ mae: { better: 'lower', maxRegression: '2 percent' } }).errors.join('\n')).toMatch(
      /percentage/,
    );
    expect(withMetrics({ mae: { min: 1, maxRegresion: '2%' } }).errors.join('\n')).toMatch(
      /pointers\.minutes\.metrics\.mae\.maxRegresion: unknown key; did you mean "maxRegression"/,
    );
  });
});
