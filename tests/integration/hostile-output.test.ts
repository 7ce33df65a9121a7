/**
 * Output that carries text git-promote does not control: secrets in every escaped form are
 * masked, in text and in --json output. Through the built CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
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
