import { describe, expect, it } from 'vitest';
import { withGhToken } from '../../../src/adapters/gh-token.js';

describe('a token from gh', () => {
  const gh = (token: string) => {
    const calls: string[][] = [];
    return { calls, run: (args: string[]) => (calls.push(args), `${token}\n`) };
  };

  it('comes last: GITHUB_TOKEN, then GH_TOKEN, then gh', () => {
    const g = gh('gho_fromgh0000');
    expect(withGhToken({ GITHUB_TOKEN: 'a-token-1' }, g.run)).toEqual({ GITHUB_TOKEN: 'a-token-1' });
    expect(withGhToken({ GH_TOKEN: 'a-token-2' }, g.run)).toEqual({ GH_TOKEN: 'a-token-2' });
    expect(g.calls).toEqual([]);
    expect(withGhToken({}, g.run)).toEqual({ GH_TOKEN: 'gho_fromgh0000' });
    expect(g.calls).toEqual([['auth', 'token']]);
  });

  it('asks gh for the GitHub Enterprise host of GITHUB_API_URL, and never runs in Actions', () => {
    const g = gh('gho_fromgh0000');
    withGhToken({ GITHUB_API_URL: 'https://ghe.example.com/api/v3' }, g.run);
    expect(g.calls).toEqual([['auth', 'token', '--hostname', 'ghe.example.com']]);
    expect(withGhToken({ GITHUB_ACTIONS: 'true' }, g.run)).toEqual({ GITHUB_ACTIONS: 'true' });
    expect(g.calls).toHaveLength(1);
  });

  it('leaves the environment alone when gh is missing or logged out', () => {
    const env = { PATH: '/bin' };
    expect(
      withGhToken(env, () => {
        throw new Error('spawn gh ENOENT');
      }),
    ).toBe(env);
    expect(withGhToken(env, () => '\n')).toBe(env);
  });
});
