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
    ['  git@github.com:acme/projections.git\n', 'acme/projections'],
    ['x git@github.com:acme/projections', null],
    ['git@github.com:acme/projections:extra', null],
    ['ftp://github.com/acme/projections', null],
    ['http://github.example.com/acme/projections', 'acme/projections'],
    ['git://github.com/acme/projections.git', 'acme/projections'],
    ['https://github.com/acme/projections.git//', 'acme/projections'],
    ['https://github.com/acme/acme.github.io', 'acme/acme.github.io'],
    ['https://github.com/acme//projections', 'acme/projections'],
    ['https://ghe.example.com/git/acme/projections', 'acme/projections'],
    ['https://github.com/ac%20me/projections', null],
    ['https://github.com/acme/proj%20ections', null],
  ])('%s -> %s', (url, repo) => {
    expect(githubRepoFromUrl(url)).toBe(repo);
  });
});
