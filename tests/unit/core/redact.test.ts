import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/redact.js';

describe('output redaction', () => {
  const env = {
    GITHUB_TOKEN: 'ghs_abcdefghijklmnopqrstuvwxyz012345',
    GH_TOKEN: 'plain-secret-value',
    PREFECT_API_AUTH_STRING: 'admin:p@ss/word',
  };
  const redact = createRedactor(env);

  it('removes every token from a line, plain and URL-encoded', () => {
    const line = `token ${env.GITHUB_TOKEN} and ${env.GH_TOKEN} and ${encodeURIComponent(env.PREFECT_API_AUTH_STRING)}`;
    const out = redact(line);
    for (const v of Object.values(env)) {
      expect(out).not.toContain(v);
      expect(out).not.toContain(encodeURIComponent(v));
    }
    expect(out).toBe('token *** and *** and ***');
  });

  it('removes the base64 form used in Basic auth headers', () => {
    const b64 = Buffer.from(env.PREFECT_API_AUTH_STRING).toString('base64');
    expect(redact(`Authorization: Basic ${b64}`)).toBe('Authorization: Basic ***');
  });

  it('masks token shapes and URL credentials that did not come from the environment', () => {
    const none = createRedactor({});
    expect(none('x ghp_0123456789abcdefghijABCDEFGHIJ y')).toBe('x *** y');
    expect(none('https://x-access-token:abc123@github.com/o/r.git')).toBe('https://***@github.com/o/r.git');
    expect(none('github_pat_11ABCDEFG0123456789_abcdefghijklmnop')).toBe('***');
    expect(none('Bearer pnu_0123456789abcdefghijABCDEFGHIJ0123')).toBe('Bearer ***');
    expect(none('pnb_0123456789abcdefghijABCDEFGHIJ0123.')).toBe('***.');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('promote minutes → run-7 (#12)')).toBe('promote minutes → run-7 (#12)');
  });
});
