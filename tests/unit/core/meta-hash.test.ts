import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalProblem, canonicalSha256 } from '../../../src/core/meta-hash.js';
import { PromoteError } from '../../../src/core/errors.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('meta hash', () => {
  it('hashes the RFC 8785 canonical form: key order and whitespace do not matter', () => {
    const a = JSON.parse('{"run_id": "r1", "metrics": {"mae": 1.50, "n": 3}}') as unknown;
    const b = JSON.parse('{"metrics":{"n":3,"mae":1.5},"run_id":"r1"}') as unknown;
    expect(canonicalSha256(a)).toBe(sha256('{"metrics":{"mae":1.5,"n":3},"run_id":"r1"}'));
    expect(canonicalSha256(b)).toBe(canonicalSha256(a));
  });

  it('says why a value has no canonical form, and nothing when it has one', () => {
    expect(canonicalProblem({ a: [1, 'x', null] })).toBeNull();
    expect(canonicalProblem(undefined)).toBe('it is not a JSON value');
    expect(canonicalProblem({ n: Infinity })).toMatch(/^it has no canonical JSON form \(RFC 8785\): \S/);
  });

  it('refuses to hash such a value, with the reason and what to do', () => {
    for (const [value, reason] of [
      [{ n: JSON.parse('1e400') as number }, 'the meta cannot be hashed: it has no canonical JSON form'],
      [undefined, 'the meta cannot be hashed: it is not a JSON value'],
    ] as const) {
      let thrown: unknown;
      try {
        canonicalSha256(value);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(PromoteError);
      expect((thrown as PromoteError).message).toContain(reason);
      expect((thrown as PromoteError).remedy).toContain('finite numbers');
    }
  });
});
