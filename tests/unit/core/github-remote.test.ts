import { describe, expect, it } from 'vitest';
import { githubRepoFromUrl } from '../../../src/core/github-remote.js';

describe('owner/repo from a remote URL', () => {
  it.each([
    ['git@github.com:acme/projections.git', 'acme/projections'],
    ['https://github.com/acme/projections', 'acme/projections'],
    ['https://github.com/acme/projections.git/', 'acme/projections'],
    ['ssh://git@ghe.example.com:2222/acme/projections.git', 'acme/projections'],
    ['https://x-access-token:t@github.com/acme/projections.git', 'acme/projections'],
    ['/srv/git/projections.git', null],
    ['file:///srv/git/acme/projections.git', null],
    ['https://github.com/acme', null],
  ])('%s -> %s', (url, repo) => {
    expect(githubRepoFromUrl(url)).toBe(repo);
  });
});
