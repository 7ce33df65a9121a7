/**
 * The GitHub Action as the runner runs it: the committed bundle (action.yml `runs.main`) with node
 * under INPUT_*, GITHUB_* and the output and summary files, and the Action's source entry point
 * under GitHub's own local runner (@github/local-action, which stubs @actions/core), both against
 * the GitHub stand-in. Their results must be the CLI's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUTS } from '../../src/action/run.js';
import { slateDate } from '../../src/core/game-date.js';
import {
  mergeRequests,
  openPull,
  REPO,
  runActionStep,
  runStep,
  statusesOf,
  usePromotionGate,
  type OpenPull,
} from '../helpers/actions.js';
import { runCliProcess } from '../helpers/cli.js';
import { evidenceJson } from '../helpers/evidence.js';
import { tempDir } from '../helpers/git-repo.js';
import { promotionFiles, pushBranch, remoteSha, writePullRequestEvent } from '../helpers/promotion-repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const action = load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { main: string } };
const BUNDLE = join(ROOT, action.runs.main);
const TODAY = slateDate(new Date());
const fresh = (run: string) => promotionFiles(run, evidenceJson('minutes', run, { gameDate: TODAY }));

const gate = usePromotionGate();
const step = (inputs: Record<string, string>, pr: OpenPull) =>
  runActionStep(gate.gh, gate.repo.clone, gate.repo.dir, inputs, pr, {
    script: BUNDLE,
    declared: ACTION_INPUTS,
  });
/** Output without the workflow commands only the runner reads (::add-mask::, ::error::). */
const shown = (text: string) => text.replace(/^::(add-mask|error)::.*\n?/gm, '');

describe('the committed Action bundle', () => {
  it('is byte for byte what `npm run build:action` builds now', () => {
    const out = tempDir('git-promote-bundle-');
    try {
      execFileSync(process.execPath, ['scripts/bundle.mjs', 'action', out], { cwd: ROOT, stdio: 'pipe' });
      const committed = join(ROOT, 'dist-action');
      expect(readdirSync(committed).sort()).toEqual(readdirSync(out).sort());
      for (const file of readdirSync(out))
        expect(readFileSync(join(committed, file)).equals(readFileSync(join(out, file))), file).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("validates and merges a promotion with the CLI's result, the token an input only", async () => {
    pushBranch(gate.repo, 'promote/minutes/m2', fresh('m2'));
    const pr = await openPull(gate.gh, 'promote/minutes/m2');
    const cli = await runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate', '--json'], pr);
    expect(cli.code).toBe(0);
    const cliText = await runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate'], pr);

    const v = await step({ command: 'validate', token: gate.gh.token }, pr);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(shown(v.stdout)).toBe(cliText.stdout);
    expect(v.summary).toBe(cliText.summary);
    expect(v.outputs['exit-code']).toBe('0');
    expect(JSON.parse(v.outputs.result!)).toEqual(JSON.parse(cli.stdout));
    expect(statusesOf(gate.gh, pr.head)[0]).toMatchObject({
      state: 'success',
      context: 'git-promote/validate',
      targetUrl: 'https://github.example/acme/projections/actions/runs/4242',
    });
    // setSecret: the runner masks the token from here on; it is printed nowhere else.
    expect(v.stdout.match(/^::add-mask::.*$/gm)).toEqual([`::add-mask::${gate.gh.token}`]);
    expect(shown(v.stdout) + v.stderr + v.summary + v.outputs.result).not.toContain(gate.gh.token);

    const m = await step({ command: 'merge', token: gate.gh.token, pr: String(pr.number), sha: pr.head }, pr);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const merged = remoteSha(gate.repo, 'main');
    expect(shown(m.stdout).trim()).toBe(
      `merged PR #${pr.number} (squash, head ${pr.head.slice(0, 12)}) as ${merged.slice(0, 12)}`,
    );
    expect(JSON.parse(m.outputs.result!)).toMatchObject({ pr: pr.number, merged: true, sha: merged });
    expect(mergeRequests(gate.gh)).toHaveLength(1);
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
  });

  it('fails the step on a failed check (exit 1) and on bad input (exit 2, one error and a hint)', async () => {
    pushBranch(
      gate.repo,
      'promote/fail-rows',
      promotionFiles('m10', evidenceJson('minutes', 'm10', { rows: 3, gameDate: TODAY })),
    );
    const pr = await openPull(gate.gh, 'promote/fail-rows');
    const v = await step({ command: 'validate', token: gate.gh.token }, pr);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL rows/m);
    expect(v.stdout).toContain('::error::git-promote validate failed (exit 1)');
    // The failed check as an annotation written by @actions/core (its property order: title, file).
    expect(v.stdout).toMatch(
      /^::error title=git-promote rows \(minutes\),file=promotions\/minutes\/m10\.json::3 rows, outside/m,
    );
    expect(v.summary).toContain('| **FAIL** | rows |');
    expect(v.outputs['exit-code']).toBe('1');
    expect(statusesOf(gate.gh, pr.head)[0]).toMatchObject({ state: 'failure' });

    const m = await step({ command: 'merge', token: gate.gh.token, pr: String(pr.number), sha: pr.head }, pr);
    expect(m.code).toBe(1);
    expect(mergeRequests(gate.gh)).toHaveLength(0);

    // The sha input is the guard: a head other than the validated one is never merged (exit 4).
    pushBranch(gate.repo, 'promote/minutes/m4', fresh('m4'));
    const moved = await openPull(gate.gh, 'promote/minutes/m4');
    const guard = await step(
      { command: 'merge', token: gate.gh.token, pr: String(moved.number), sha: pr.head },
      moved,
    );
    expect(guard.code).toBe(4);
    expect(guard.stderr).toMatch(/^error: PR #\d+ head moved: validated /);
    expect(mergeRequests(gate.gh)).toHaveLength(0);

    const bogus = await step({ command: 'deploy', token: gate.gh.token }, pr);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe(
      'error: the Action\'s input command is "deploy", not validate or merge\n' +
        "hint: Set `command: validate` or `command: merge` under the step's `with:`.\n",
    );
    const noPr = await step({ command: 'merge', token: gate.gh.token }, pr);
    expect(noPr.code).toBe(2);
    expect(noPr.stderr).toMatch(/^error: merge needs --pr N\nhint: /);
    const config = await step(
      { command: 'merge', token: gate.gh.token, config: 'nope/promote.config.json', pr: String(pr.number) },
      pr,
    );
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(
      /^error: config file .*\/nope\/promote\.config\.json does not exist\nhint: /,
    );
  });
});

describe('the Action under @github/local-action', () => {
  it('runs src/action/main.ts for validate and merge with the same result as the CLI', async () => {
    pushBranch(gate.repo, 'promote/minutes/m3', fresh('m3'));
    const pr = await openPull(gate.gh, 'promote/minutes/m3');
    const cli = await runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate'], pr);
    expect(cli.code).toBe(0);

    const local = async (inputs: Record<string, string>) => {
      const dotenv = join(gate.repo.dir, `local-action-${inputs.command}.env`);
      // local-action reads inputs from a dotenv file; every declared input is set, as the runner does.
      writeFileSync(
        dotenv,
        ACTION_INPUTS.map((name) => `INPUT_${name.toUpperCase()}=${inputs[name] ?? ''}`).join('\n') + '\n',
      );
      const summary = join(gate.repo.dir, `local-summary-${inputs.command}.md`);
      writeFileSync(summary, '');
      // local-action starts tsx with `npm exec` from its working directory: run it in this repository.
      return runCliProcess(['run', ROOT, 'src/action/main.ts', dotenv], {
        cwd: ROOT,
        script: join(ROOT, 'node_modules/@github/local-action/bin/local-action.js'),
        timeoutMs: 50_000,
        env: {
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: gate.repo.clone,
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: writePullRequestEvent(gate.repo.dir, { ...pr, headRepo: REPO }),
          GITHUB_REPOSITORY: REPO,
          GITHUB_API_URL: gate.gh.url,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_RUN_ID: '4242',
          GITHUB_STEP_SUMMARY: summary,
          NO_COLOR: '1',
        },
      });
    };
    const v = await local({ command: 'validate', token: gate.gh.token });
    expect(v.code, v.stderr).toBe(0);
    for (const line of cli.stdout.trim().split('\n')) expect(v.stdout).toContain(line);
    expect(statusesOf(gate.gh, pr.head)[0]).toMatchObject({ state: 'success' });

    const m = await local({ command: 'merge', token: gate.gh.token, pr: String(pr.number), sha: pr.head });
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toContain(`merged PR #${pr.number} (squash, head ${pr.head.slice(0, 12)})`);
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
  }, 120_000);
});
