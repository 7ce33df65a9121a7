/**
 * First use and daily use through the built CLI (issue #16): one test per problem a new user or
 * on-call hit. `npm run build` must have run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliProcess } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createRepo({ 'config/minutes_current_run.json': pointerJson('m1') });
});
afterAll(() => repo.cleanup());

describe('strict config', () => {
  it('refuses a typo in a security setting (exit 2) with its dot-path and a "did you mean"', async () => {
    const config = sampleConfig(repo.dir, {
      agent: { target: join(repo.dir, 'target'), requireSignedCommit: true },
    });
    writeFileSync(join(repo.clone, 'promote.config.json'), JSON.stringify(config, null, 2));
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('promote.config.json has 1 problem:');
    expect(r.stderr).toContain(
      '  agent.requireSignedCommit: unknown key; did you mean "requireSignedCommits"?',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the line and column of a JSON syntax error (exit 2)', async () => {
    writeFileSync(join(repo.clone, 'promote.config.json'), '{\n  "pointers": {}\n  "policy": {}\n}\n');
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/promote\.config\.json is not valid JSON: line 3, column 3: unexpected "\\""/);
  });
});
