/**
 * Output that carries text git-promote does not control: secrets in every escaped form are
 * masked, in text and in --json output; escape sequences in git's text never reach the
 * terminal raw. Through the built CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { git, writeFiles } from '../helpers/git-repo.js';
import { pointerJson } from '../helpers/fixtures.js';
import { createPromotionRepo } from '../helpers/promotion-history.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

let world: PipelineWorld | undefined;
afterEach(() => {
  world?.cleanup();
  world = undefined;
});

describe('secrets with characters that JSON escapes', () => {
  const secret = 'admin:pa"ss\\wörd-42';
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
  ];

  it.each([[[]], [['--json']]])('never reach the output %j', async (extra) => {
    world = createPipelineWorld();
    // The bad value is echoed back (JSON-quoted) in the error: text escapes it once, --json twice.
    const res = await runCliProcess(['smoke', 'minutes', 'm-old', '--game-date', secret, ...extra], {
      cwd: world.root,
      env: { PREFECT_API_AUTH_STRING: secret },
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('error: invalid --game-date "***"');
    if (extra.length) expect((JSON.parse(res.stdout) as { ok: boolean }).ok).toBe(false);
    for (const form of forms) {
      expect(res.stdout).not.toContain(form);
      expect(res.stderr).not.toContain(form);
    }
  });
});

describe('control characters in text from git', () => {
  it('history shows an author name with escape sequences neutralised, in text and --json', async () => {
    const repo = createPromotionRepo('A');
    try {
      const evil = 'Mallory \x1b]0;pwned\x07\x1b[2J\x9b31m\rRoot';
      writeFiles(repo.clone, { 'config/minutes_current_run.json': pointerJson('Z') });
      git(repo.clone, ['commit', '--quiet', '-am', 'hand edit'], { GIT_AUTHOR_NAME: evil });
      git(repo.clone, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
      for (const extra of [[], ['--json']]) {
        const res = await runCliProcess(['history', 'minutes', ...extra], {
          cwd: repo.clone,
          timeoutMs: 20_000,
        });
        expect(res.code).toBe(0);
        // eslint-disable-next-line no-control-regex
        expect(res.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
        expect(res.stdout).toContain(
          extra.length ? 'Mallory \\u001b]0;pwned' : 'Mallory \\u001b]0;pwned\\u0007',
        );
      }
    } finally {
      repo.cleanup();
    }
  });
});
