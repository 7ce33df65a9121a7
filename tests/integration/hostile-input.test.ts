/**
 * Input files that cannot be what their writer meant: an event file holding null, [] or a
 * pull_request that is no object (exit 2, never a silent fall back to origin/main..HEAD), and
 * evidence or meta.json whose meta has no canonical form (1e400, a lone surrogate): a failed
 * check naming the file (exit 1), never "This is a bug". Through the built CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import type { TestRepo } from '../helpers/git-repo.js';
import { createPromotionRepo, promotionFiles, pushBranch } from '../helpers/promotion-repo.js';
import { createPipelineWorld } from '../helpers/smoke-scorer.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createPromotionRepo();
});
afterAll(() => repo.cleanup());

const BOUND = { timeoutMs: 20_000 };

describe('malformed event files', () => {
  it.each([
    ['null', 'null', 'it holds null, not an event object'],
    ['[]', '[]', 'it holds an array, not an event object'],
    [
      'a string pull_request',
      '{"pull_request": "7", "number": 7}',
      'its pull_request is missing or not an object',
    ],
  ])('validate refuses an event holding %s (exit 2)', async (_name, text, detail) => {
    const event = join(repo.dir, 'event.json');
    writeFileSync(event, text);
    const res = await runCliProcess(['validate'], {
      cwd: repo.clone,
      env: { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
      ...BOUND,
    });
    expect(res.stderr).toContain(`error: the GitHub event payload ${event} is malformed: ${detail}`);
    expect(res.stdout).not.toContain('validate '); // no report of a guessed range
    expect(res.code).toBe(2);
  });
});

describe('meta without a canonical JSON form', () => {
  const withMeta = (field: string) =>
    evidenceJson('minutes', 'm2').replace('"meta": {', `"meta": {\n    ${field},`);

  it.each([
    ['1e400', '"huge": 1e400', 'Infinity is not allowed'],
    ['a lone surrogate', '"note": "\\ud800"', 'Lone surrogate is not allowed'],
  ])('validate fails the meta-sha256 check naming the file for %s (exit 1)', async (_name, field, why) => {
    const head = pushBranch(repo, `promote/meta-${field.length}`, promotionFiles('m2', withMeta(field)));
    const res = await runCliProcess(['validate', '--base', 'main', '--head', head], {
      cwd: repo.clone,
      ...BOUND,
    });
    expect(res.stdout).toMatch(
      new RegExp(
        `FAIL meta-sha256 \\(minutes\\): the embedded meta cannot be hashed: .*${why}.*\\[${evidenceFile('minutes', 'm2')}\\]`,
      ),
    );
    expect(res.stderr).not.toContain('This is a bug');
    expect(res.code).toBe(1);
  });

  it('smoke refuses a candidate meta.json holding 1e400 (exit 1, file named)', async () => {
    const world = createPipelineWorld();
    try {
      world.addRun('minutes', 'm-new');
      const meta = join(world.data, 'models/minutes/run=m-new/meta.json');
      const text = readFileSync(meta, 'utf8').replace('{', '{\n  "huge": 1e400,');
      writeFileSync(meta, text);
      const res = await runCliProcess(['smoke', 'minutes', 'm-new'], { cwd: world.root, ...BOUND });
      expect(res.stderr).toContain(`error: candidate minutes=m-new refused: ${meta} cannot be hashed`);
      expect(res.stderr).toContain('Infinity is not allowed');
      expect(res.code).toBe(1);
    } finally {
      world.cleanup();
    }
  });
});
