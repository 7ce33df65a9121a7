import { describe, expect, it } from 'vitest';
import { toForgeError } from '../../../src/adapters/github/errors.js';

const answer = (status: number, data: unknown, headers: Record<string, string> = {}) => ({
  status,
  message: 'octokit message',
  request: { headers: { authorization: 'token ghp_secretsecretsecretsecret123456' } },
  response: { status, data, headers },
});

describe('toForgeError', () => {
  it.each([
    [401, 2],
    [403, 1],
    [404, 1],
    [422, 1],
    [409, 4],
    [500, 3],
    [502, 3],
    [418, 1],
  ])('maps %i to exit %i', (status, exit) => {
    expect(toForgeError(answer(status, { message: 'why' }), { what: 'x' }).exitCode).toBe(exit);
  });

  it('treats 405 as busy only for a merge', () => {
    expect(toForgeError(answer(405, { message: 'no' }), { what: 'merge', merge: true }).exitCode).toBe(4);
    expect(toForgeError(answer(405, { message: 'no' }), { what: 'x' }).exitCode).toBe(1);
  });

  it('reads rate limits as transient, naming the wait', () => {
    const e = toForgeError(answer(403, { message: 'API rate limit exceeded' }, { 'retry-after': '60' }), {
      what: 'x',
    });
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('retry after 60s');
    expect(toForgeError(answer(429, {}), { what: 'x' }).exitCode).toBe(3);
  });

  it("quotes GitHub's validation errors and never the request", () => {
    const e = toForgeError(
      answer(422, {
        message: 'Validation Failed',
        errors: [{ message: 'A pull request already exists' }, { field: 'head', code: 'invalid' }],
      }),
      { what: 'open a pull request' },
    );
    expect(e.message).toBe(
      'GitHub: could not open a pull request: GitHub refused it (422 Validation Failed: A pull request already exists: head invalid)',
    );
    expect(e.cause).toBeUndefined();
    expect(JSON.stringify(e)).not.toContain('ghp_');
  });

  it('treats no response as a network problem (exit 3)', () => {
    const e = toForgeError({ status: 500, message: 'connect ECONNREFUSED 127.0.0.1:1' }, { what: 'x' });
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('ECONNREFUSED');
  });
});
