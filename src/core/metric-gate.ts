/**
 * The metric gate: a pointer's `metrics` policy compared between the candidate's meta.json
 * metrics and the current run's (both carried by evidence). Each rule is one row of a table that
 * `validate` prints when the gate fails and the PR body shows whatever the outcome. A metric the
 * policy names and a run does not report fails with its name: a gate never passes by absence.
 */
import * as z from 'zod/v4';

/** `"2%"` (relative to the current value) or an absolute amount. */
const regressionSchema = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?%$/, 'must be a percentage such as "2%" or a non-negative number'),
]);

// Loose like every config object: the config walk (unknown-keys.ts) reports unknown keys with a
// "did you mean".
export const metricRuleSchema = z
  .looseObject({
    better: z.enum(['lower', 'higher']).optional(),
    maxRegression: regressionSchema.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((r) => r.maxRegression === undefined || r.better !== undefined, {
    message: 'maxRegression needs better: "lower" or "higher"',
    path: ['better'],
  })
  .refine((r) => r.maxRegression !== undefined || r.min !== undefined || r.max !== undefined, {
    message: 'a metric rule needs maxRegression, min or max',
  })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

export type MetricRule = z.output<typeof metricRuleSchema>;
export type MetricPolicy = Record<string, MetricRule>;
export type Metrics = Record<string, number> | undefined;

export interface MetricRow {
  metric: string;
  current: number | null;
  candidate: number | null;
  /** candidate − current, when both are known. */
  change: number | null;
  /** The limits the rule sets, in words: "≤ +2%", "≥ 0.85". */
  limit: string;
  ok: boolean;
  /** Why the row fails, when it does. */
  problem?: string;
}

export interface GateResult {
  ok: boolean;
  rows: MetricRow[];
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** The largest allowed worsening, as an absolute amount, given the current value. */
function allowedWorsening(rule: MetricRule, current: number): number {
  const r = rule.maxRegression!;
  return typeof r === 'number' ? r : (Math.abs(current) * Number(r.slice(0, -1))) / 100;
}

function limitText(rule: MetricRule): string {
  const parts: string[] = [];
  if (rule.maxRegression !== undefined) {
    const amount = typeof rule.maxRegression === 'number' ? fmt(rule.maxRegression) : rule.maxRegression;
    parts.push(rule.better === 'lower' ? `change ≤ +${amount}` : `change ≥ −${amount}`);
  }
  if (rule.min !== undefined) parts.push(`≥ ${fmt(rule.min)}`);
  if (rule.max !== undefined) parts.push(`≤ ${fmt(rule.max)}`);
  return parts.join(', ');
}

function rowFor(metric: string, rule: MetricRule, candidate: Metrics, current: Metrics | null): MetricRow {
  const cand = candidate?.[metric];
  const cur = current?.[metric];
  const row: MetricRow = {
    metric,
    current: typeof cur === 'number' ? cur : null,
    candidate: typeof cand === 'number' ? cand : null,
    change: typeof cur === 'number' && typeof cand === 'number' ? cand - cur : null,
    limit: limitText(rule),
    ok: true,
  };
  const fail = (problem: string): MetricRow => ({ ...row, ok: false, problem });
  if (row.candidate === null || !Number.isFinite(row.candidate))
    return fail(`the candidate's meta.json has no metric "${metric}"`);
  if (rule.min !== undefined && row.candidate < rule.min)
    return fail(`${metric} ${fmt(row.candidate)} is below the minimum ${fmt(rule.min)}`);
  if (rule.max !== undefined && row.candidate > rule.max)
    return fail(`${metric} ${fmt(row.candidate)} is above the maximum ${fmt(rule.max)}`);
  if (rule.maxRegression !== undefined) {
    // No current run at all (a pointer's first promotion): nothing to regress from.
    if (current === null) return row;
    if (row.current === null || !Number.isFinite(row.current))
      return fail(`the current run's meta.json has no metric "${metric}" to compare with`);
    const worse = rule.better === 'lower' ? row.candidate - row.current : row.current - row.candidate;
    const allowed = allowedWorsening(rule, row.current);
    // A tiny tolerance so that exactly the limit passes despite floating point.
    if (worse > allowed + 1e-12 * Math.max(1, Math.abs(row.current)))
      return fail(
        `${metric} worsened by ${fmt(worse)} (${rule.better} is better), more than the allowed ${fmt(allowed)}`,
      );
  }
  return row;
}

/**
 * Judge a candidate's metrics against the current run's. `current` is null when the pointer held
 * no run before; `undefined` metrics (a meta.json without `metrics`) count as every metric missing.
 */
export function metricGate(policy: MetricPolicy, candidate: Metrics, current: Metrics | null): GateResult {
  const rows = Object.entries(policy)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([metric, rule]) => rowFor(metric, rule, candidate, current));
  return { ok: rows.every((r) => r.ok), rows };
}

/** The change column: "+0.02 (+1.5%)", or "-" when either side is unknown. */
export function changeText(row: Pick<MetricRow, 'current' | 'change'>): string {
  if (row.change === null || row.current === null) return '-';
  const sign = row.change > 0 ? '+' : '';
  const pct =
    row.current !== 0 ? ` (${sign}${((row.change / Math.abs(row.current)) * 100).toFixed(1)}%)` : '';
  return `${sign}${fmt(row.change)}${pct}`;
}

/** The gate as table cells: metric, current, candidate, change, limit, result. */
export function gateTable(rows: MetricRow[]): { columns: string[]; rows: string[][] } {
  return {
    columns: ['metric', 'current', 'candidate', 'change', 'limit', 'result'],
    rows: rows.map((r) => [
      r.metric,
      r.current === null ? '-' : fmt(r.current),
      r.candidate === null ? '-' : fmt(r.candidate),
      changeText(r),
      r.limit,
      r.ok ? 'pass' : 'FAIL',
    ]),
  };
}
