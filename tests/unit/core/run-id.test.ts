import { describe, expect, it } from 'vitest';
import { isRunId, parseRunId, runIdProblem } from '../../../src/core/run-id.js';
import { PromoteError } from '../../../src/core/errors.js';

describe('run ids', () => {
  it.each(['20261120T1000Z', 'run-7', 'lgbm_v2.1', 'a:b=c+d', 'x'.repeat(128), '0'])('accepts %s', (id) => {
    expect(runIdProblem(id)).toBeNull();
    expect(parseRunId(id)).toBe(id);
  });

  it.each([
    ['../../etc', 'starts with "."'],
    ['-rf', 'starts with "-"'],
    ['a/b', 'contains "/"'],
    ['x'.repeat(300), '300 characters long'],
    ['', 'empty'],
    ['.hidden', 'starts with "."'],
    ['a..b', 'contains ".."'],
    ['a b', 'contains " "'],
    ['run\n1', 'contains "\\n"'],
    ['ünï', 'contains "ü"'],
  ])('rejects %j (%s)', (id, reason) => {
    expect(runIdProblem(id)).toContain(reason);
    expect(isRunId(id)).toBe(false);
    let thrown: unknown;
    try {
      parseRunId(id);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PromoteError);
    const e = thrown as PromoteError;
    expect(e.exitCode).toBe(2);
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message.length).toBeLessThan(200);
    expect(e.remedy).toMatch(/1-128 characters/);
  });

  it('is never a value that is not a string', () => {
    for (const v of [7, null, undefined, ['r1'], { run: 'r1' }]) expect(isRunId(v)).toBe(false);
  });

  it('quotes the value and what it was given as, shortened past 60 characters', () => {
    const message = (value: string, what?: string) => {
      try {
        parseRunId(value, what);
      } catch (err) {
        return (err as PromoteError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(message('a b')).toBe(
      'invalid run id "a b": it contains " " (allowed: letters, digits and . _ : = + -)',
    );
    expect(message('a b', 'pointer run')).toMatch(/^invalid pointer run "a b": /);
    const sixty = `${'a'.repeat(59)} `;
    expect(message(sixty)).toContain(JSON.stringify(sixty));
    expect(message(`${sixty}b`)).toContain(`"${'a'.repeat(57)}..."`);
  });
});
