/** Renderings of validate results: human lines, annotations, job summary and commit status. */
import type { CheckResult } from './validate-checks.js';
import { annotation, markdownCell, oneLine, type Annotation } from './workflow-commands.js';

export const STATUS_CONTEXT = 'git-promote/validate';

export interface ValidateReport {
  /** Every check passed: exit 0, status success, merge may proceed. */
  ok: boolean;
  /**
   * A person must review and merge this PR: a promotion mixed with other changes (`scope` failed)
   * or a PR that changes no pointer (a config or workflow change). `merge` never merges it.
   */
  needsReview: boolean;
  base: string;
  head: string;
  results: CheckResult[];
}

/** The report of a list of results. */
export function buildReport(base: string, head: string, results: CheckResult[]): ValidateReport {
  return {
    ok: results.every((r) => r.ok),
    needsReview: results.some((r) => r.name === 'scope' && (!r.ok || r.review === true)),
    base,
    head,
    results,
  };
}

function subject(r: CheckResult): string {
  return r.pointer ? `${r.name} (${r.pointer})` : r.name;
}

/** Human lines: failures first in full, then passes; every untrusted part on one line. */
export function reportLines(report: ValidateReport): string[] {
  const failed = report.results.filter((r) => !r.ok);
  const head = `validate ${report.base.slice(0, 12)}..${report.head.slice(0, 12)}: ${
    failed.length === 0
      ? `all ${report.results.length} checks passed`
      : `${failed.length} of ${report.results.length} checks failed`
  }`;
  const line = (r: CheckResult) =>
    `${r.ok ? (r.warning ? 'warn' : 'pass') : 'FAIL'} ${oneLine(subject(r))}: ${oneLine(r.reason)}${r.file && !r.ok ? ` [${oneLine(r.file)}]` : ''}`;
  // A failed check's table (the metric gate's) follows it, indented.
  const withTable = (r: CheckResult) => [
    line(r),
    ...(r.table ? textTable(r.table).map((l) => `    ${l}`) : []),
  ];
  const warned = report.results.filter((r) => r.ok && r.warning);
  return [
    head,
    ...failed.flatMap(withTable),
    ...warned.map(line),
    ...report.results.filter((r) => r.ok && !r.warning).map(line),
  ];
}

/** Columns padded to their widest cell; every cell on one line. */
export function textTable(table: { columns: string[]; rows: string[][] }): string[] {
  const all = [table.columns, ...table.rows].map((row) => row.map((c) => oneLine(c)));
  const widths = table.columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/** One `::error` annotation per failed check, one `::warning` per warning. */
export function annotationList(results: CheckResult[]): Annotation[] {
  return results
    .filter((r) => !r.ok || r.warning)
    .map((r) => ({
      kind: r.ok ? ('warning' as const) : ('error' as const),
      props: { ...(r.file ? { file: r.file } : {}), title: `git-promote ${subject(r)}` },
      message: r.reason,
    }));
}

/** The failed checks as workflow-command lines. */
export function annotations(results: CheckResult[]): string {
  return annotationList(results)
    .map((a) => annotation(a.kind, a.props, a.message))
    .join('');
}

/** The Markdown job summary (appended to GITHUB_STEP_SUMMARY). */
export function summaryMarkdown(report: ValidateReport): string {
  const failed = report.results.filter((r) => !r.ok).length;
  const title =
    failed === 0 ? '### git-promote validate: passed' : `### git-promote validate: ${failed} failed`;
  const rows = report.results.map(
    (r) =>
      `| ${r.ok ? (r.warning ? 'warn' : 'pass') : '**FAIL**'} | ${markdownCell(r.name)} | ${markdownCell(r.pointer ?? '')} | ${markdownCell(r.reason)} | ${
        r.file ? `${markdownCell(r.file)}` : ''
      } |`,
  );
  const tables = report.results
    .filter((r) => r.table)
    .flatMap((r) => [
      `#### ${markdownCell(subject(r))}: ${r.ok ? 'passed' : 'failed'}`,
      '',
      `| ${r.table!.columns.map(markdownCell).join(' | ')} |`,
      `| ${r.table!.columns.map(() => '---').join(' | ')} |`,
      ...r.table!.rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`),
      '',
    ]);
  return [
    title,
    '',
    `Base \`${report.base.slice(0, 12)}\`, head \`${report.head.slice(0, 12)}\`.`,
    '',
    '| result | check | pointer | reason | file |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...tables,
    '',
  ].join('\n');
}

/** Commit status state and description (at most 140 characters, GitHub's limit). */
export function statusFor(report: ValidateReport): { state: 'success' | 'failure'; description: string } {
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length === 0)
    return {
      state: 'success',
      description: report.needsReview
        ? `all ${report.results.length} checks passed; needs human review: changes no pointer`
        : `all ${report.results.length} checks passed`,
    };
  const scopeOnly = failed.every((r) => r.name === 'scope');
  const names = [...new Set(failed.map((r) => r.name))].join(', ');
  const description = scopeOnly
    ? 'needs human review: changes files besides pointers and their evidence'
    : `failed: ${names}`;
  return {
    state: 'failure',
    description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
  };
}
