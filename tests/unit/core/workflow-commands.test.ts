import { describe, expect, it } from 'vitest';
import {
  annotation,
  escapeData,
  escapeProperty,
  markdownCell,
  oneLine,
} from '../../../src/core/workflow-commands.js';
import {
  annotations,
  buildReport,
  reportLines,
  statusFor,
  summaryMarkdown,
} from '../../../src/core/validate-report.js';

describe('workflow commands', () => {
  it('escapes messages and properties as @actions/core does', () => {
    expect(escapeData('100%\r\nnext')).toBe('100%25%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    expect(
      annotation('error', { file: 'promotions/m/x.json', title: 'git-promote smoke' }, 'smoke exited 2'),
    ).toBe('::error file=promotions/m/x.json,title=git-promote smoke::smoke exited 2\n');
    expect(annotation('warning', {}, 'plain')).toBe('::warning::plain\n');
    expect(annotation('notice', { file: 'a.json', line: 3, title: 't' }, 'm')).toBe(
      '::notice file=a.json,line=3,title=t::m\n',
    );
  });

  it('never lets hostile text start a workflow command of its own', () => {
    const hostile = 'x\n::set-output name=a::b\r\n::error::pwned';
    const line = annotation('error', { file: `evil,title=own:${hostile}` }, hostile);
    expect(line.split('\n')).toHaveLength(2); // one line plus the final newline
    expect(line).not.toMatch(/\n::set-output|,title=own/);
    expect(oneLine(hostile)).toBe('x\\u000a::set-output name=a::b\\u000d\\u000a::error::pwned');
    expect(oneLine('a\u2028b\u0085c')).toBe('a\\u2028b\\u0085c');
  });

  it('escapes an ampersand in a Markdown cell, so no entity can be smuggled in', () => {
    expect(markdownCell('&lt;script&gt; & co')).toBe('&amp;lt;script&amp;gt; &amp; co');
  });

  it('escapes Markdown table cells: no HTML, no pipes, no links', () => {
    expect(markdownCell('<img src=x onerror=alert(1)> | [a](http://x) `c`')).toBe(
      '&lt;img src=x onerror=alert\\(1\\)&gt; \\| \\[a\\]\\(http://x\\) \\`c\\`',
    );
  });
});

describe('validate report', () => {
  const base = 'a'.repeat(40);
  const head = 'b'.repeat(40);
  const results = [
    { name: 'config' as const, ok: true, reason: 'ok' },
    {
      name: 'smoke' as const,
      ok: false,
      reason: 'smoke exited 2',
      file: 'promotions/minutes/m2.json',
      pointer: 'minutes',
    },
    { name: 'scope' as const, ok: false, reason: 'needs human review: a\nb', file: 'src/x\n::error::y' },
  ];

  it('prints failures first, each on one line', () => {
    const lines = reportLines(buildReport(base, head, results));
    expect(lines[0]).toBe('validate aaaaaaaaaaaa..bbbbbbbbbbbb: 2 of 3 checks failed');
    expect(lines[1]).toBe('FAIL smoke (minutes): smoke exited 2 [promotions/minutes/m2.json]');
    expect(lines[2]).toBe('FAIL scope: needs human review: a\\u000ab [src/x\\u000a::error::y]');
    expect(lines[3]).toBe('pass config: ok');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('annotates each failure with its file and check name', () => {
    expect(annotations(results)).toBe(
      '::error file=promotions/minutes/m2.json,title=git-promote smoke (minutes)::smoke exited 2\n' +
        '::error file=src/x%0A%3A%3Aerror%3A%3Ay,title=git-promote scope::needs human review: a%0Ab\n',
    );
  });

  it('writes a Markdown summary table', () => {
    const md = summaryMarkdown(buildReport(base, head, results));
    expect(md).toContain('### git-promote validate: 2 failed');
    expect(md).toContain('| **FAIL** | smoke | minutes | smoke exited 2 | promotions/minutes/m2.json |');
    expect(md).toContain('| pass | config |  | ok |  |');
  });

  it('turns results into a commit status of at most 140 characters', () => {
    expect(statusFor(buildReport(base, head, results.slice(0, 1)))).toEqual({
      state: 'success',
      description: 'all 1 checks passed',
    });
    expect(statusFor(buildReport(base, head, results))).toEqual({
      state: 'failure',
      description: 'failed: smoke, scope',
    });
    expect(statusFor(buildReport(base, head, [results[0]!, results[2]!])).description).toBe(
      'needs human review: changes files besides pointers and their evidence',
    );
    const many = Array.from({ length: 30 }, (_, i) => ({
      name: `check-number-${i}` as 'smoke',
      ok: false,
      reason: 'x',
    }));
    expect(statusFor(buildReport(base, head, many)).description.length).toBeLessThanOrEqual(140);
    expect(buildReport(base, head, results)).toMatchObject({ ok: false, needsReview: true });
  });
});
