/** What validate prints, puts in the job summary and posts as the commit status. */
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  reportLines,
  statusFor,
  summaryMarkdown,
  textTable,
} from '../../../src/core/validate-report.js';
import type { CheckResult } from '../../../src/core/validate-checks.js';

const BASE = 'b'.repeat(40);
const HEAD = 'h'.repeat(40);
const table = { columns: ['metric', 'current', 'candidate'], rows: [['mae', '4', '4.25']] };
const pass: CheckResult = {
  name: 'smoke',
  ok: true,
  reason: 'smoke exited 0',
  pointer: 'minutes',
  file: 'promotions/minutes/m2.json',
};
const metrics: CheckResult = {
  name: 'metrics',
  ok: false,
  reason: 'mae worsened',
  pointer: 'minutes',
  file: 'promotions/minutes/m2.json',
  table,
};
const scope = (ok: boolean, review?: true): CheckResult => ({
  name: 'scope',
  ok,
  reason: 'scope',
  ...(review ? { review } : {}),
});

describe('validate report', () => {
  it('passes only when every check passed, and needs review only through scope', () => {
    expect(buildReport(BASE, HEAD, [pass, scope(true)])).toMatchObject({ ok: true, needsReview: false });
    expect(buildReport(BASE, HEAD, [pass, metrics, scope(true)])).toMatchObject({
      ok: false,
      needsReview: false,
    });
    expect(buildReport(BASE, HEAD, [pass, scope(false)])).toMatchObject({ ok: false, needsReview: true });
    expect(buildReport(BASE, HEAD, [pass, scope(true, true)])).toMatchObject({ ok: true, needsReview: true });
    expect(buildReport(BASE, HEAD, [{ ...pass, review: true }])).toMatchObject({ needsReview: false });
  });

  it('prints failures first with their file and table, then the passes without files', () => {
    expect(reportLines(buildReport(BASE, HEAD, [pass, metrics]))).toEqual([
      'validate bbbbbbbbbbbb..hhhhhhhhhhhh: 1 of 2 checks failed',
      'FAIL metrics (minutes): mae worsened [promotions/minutes/m2.json]',
      '    metric  current  candidate',
      '    mae     4        4.25',
      'pass smoke (minutes): smoke exited 0',
    ]);
    expect(reportLines(buildReport(BASE, HEAD, [pass]))[0]).toBe(
      'validate bbbbbbbbbbbb..hhhhhhhhhhhh: all 1 checks passed',
    );
  });

  it('pads table columns to their widest cell, with no trailing spaces', () => {
    expect(textTable({ columns: ['a', 'bb'], rows: [['ccc', 'd'], ['e']] })).toEqual([
      'a    bb',
      'ccc  d',
      'e',
    ]);
    expect(textTable({ columns: ['a', 'bb', 'c'], rows: [['x']] })).toEqual(['a  bb  c', 'x']);
  });

  it('writes a job summary with every check and the tables under it', () => {
    expect(summaryMarkdown(buildReport(BASE, HEAD, [pass, metrics]))).toBe(
      [
        '### git-promote validate: 1 failed',
        '',
        'Base `bbbbbbbbbbbb`, head `hhhhhhhhhhhh`.',
        '',
        '| result | check | pointer | reason | file |',
        '| --- | --- | --- | --- | --- |',
        '| pass | smoke | minutes | smoke exited 0 | promotions/minutes/m2.json |',
        '| **FAIL** | metrics | minutes | mae worsened | promotions/minutes/m2.json |',
        '',
        '#### metrics \\(minutes\\): failed',
        '',
        '| metric | current | candidate |',
        '| --- | --- | --- |',
        '| mae | 4 | 4.25 |',
        '',
        '',
      ].join('\n'),
    );
    expect(summaryMarkdown(buildReport(BASE, HEAD, [{ ...metrics, ok: true }]))).toMatch(
      /^### git-promote validate: passed\n[\s\S]*#### metrics \\\(minutes\\\): passed\n/,
    );
  });

  it("posts a status that says what failed, within GitHub's 140 characters", () => {
    expect(statusFor(buildReport(BASE, HEAD, [pass, scope(true, true)]))).toEqual({
      state: 'success',
      description: 'all 2 checks passed; needs human review: changes no pointer',
    });
    expect(statusFor(buildReport(BASE, HEAD, [pass, scope(false)]))).toEqual({
      state: 'failure',
      description: 'needs human review: changes files besides pointers and their evidence',
    });
    // "failed: " and a name: 8 + 132 = 140 characters exactly, then one more.
    const failing = (length: number) => ({ ...metrics, name: 'x'.repeat(length) }) as unknown as CheckResult;
    expect(statusFor(buildReport(BASE, HEAD, [failing(132)])).description).toBe(`failed: ${'x'.repeat(132)}`);
    expect(statusFor(buildReport(BASE, HEAD, [failing(133)])).description).toBe(
      `failed: ${'x'.repeat(131)}…`,
    );
  });
});
