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

  it('removes JSON-escaped and workflow-command-escaped forms of a secret holding " and \\', () => {
    const secret = 'pa"ss\\wörd\nline2';
    const r = createRedactor({ GH_TOKEN: secret });
    const once = JSON.stringify(secret);
    expect(r(`{"message": ${once}}`)).toBe('{"message": "***"}');
    expect(r(JSON.stringify({ message: `x ${once}` }))).toBe('{"message":"x \\"***\\""}');
    expect(r(once.replace('ö', '\\u00f6'))).toBe('"***"');
    expect(r(`::error::${secret.replace('\n', '%0A')}`)).toBe('::error::***');
  });

  it('removes the workflow-command form of a secret holding %, CR and LF', () => {
    // A space keeps this form apart from the URL-encoded one (%20 there, a space here).
    const r = createRedactor({ GH_TOKEN: 'a b%c\rd\ne' });
    expect(r('::error::a b%25c%0Dd%0Ae')).toBe('::error::***');
  });

  it('masks a secret that contains another one whole', () => {
    const r = createRedactor({ GITHUB_TOKEN: 'deploy-key', GH_TOKEN: 'deploy-key-2026' });
    expect(r('used deploy-key-2026 then deploy-key')).toBe('used *** then ***');
  });

  it('leaves values of fewer than four characters alone, which would mask common words', () => {
    expect(createRedactor({ GH_TOKEN: 'run' })('run 7')).toBe('run 7');
    expect(createRedactor({ GH_TOKEN: 'runs' })('runs 7')).toBe('*** 7');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('promote minutes → run-7 (#12)')).toBe('promote minutes → run-7 (#12)');
  });
});
