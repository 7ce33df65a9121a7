import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { runCli } from '../../src/cli/program.js';
import { ACTION_PLACEHOLDER, INIT_FILES } from '../../src/commands/init.js';
import { validateConfig } from '../../src/core/config.js';
import { git, tempDir } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
/** A new git repository (init refuses to run outside one). */
function fresh(origin?: string): string {
  const d = tempDir();
  dirs.push(d);
  git(d, ['init', '--quiet']);
  if (origin) git(d, ['remote', 'add', 'origin', origin]);
  return d;
}

describe('git promote init', () => {
  it('takes owner/repo from the URL of origin, and never writes a placeholder', async () => {
    const cwd = fresh('git@github.com:acme/projections.git');
    const ctx = testContext({ cwd });
    expect(await runCli(['init'], ctx)).toBe(0);
    const config = JSON.parse(readFileSync(join(cwd, 'promote.config.json'), 'utf8'));
    expect(config.repository.github).toBe('acme/projections');
    expect(ctx.out()).toContain('repository.github: acme/projections (from the URL of origin)');

    const local = fresh('/srv/git/projections.git');
    const ctx2 = testContext({ cwd: local });
    expect(await runCli(['init'], ctx2)).toBe(0);
    const config2 = JSON.parse(readFileSync(join(local, 'promote.config.json'), 'utf8'));
    expect(config2.repository.github).toBeUndefined();
    expect(ctx2.out()).toContain('repository.github: not set');
  });

  it('writes the config, workflow, PR template and systemd unit', async () => {
    const cwd = fresh();
    const ctx = testContext({ cwd });
    expect(await runCli(['init', '--github', 'acme/projections'], ctx)).toBe(0);
    for (const f of INIT_FILES) expect(existsSync(join(cwd, f.dest)), f.dest).toBe(true);
    const config = JSON.parse(readFileSync(join(cwd, 'promote.config.json'), 'utf8'));
    // Without --action-ref: the schema inside the installed package, relative to the config.
    expect(config.$schema).toMatch(/schema\/promote\.config\.schema\.json$/);
    expect(existsSync(resolve(cwd, config.$schema)), config.$schema).toBe(true);
    expect(config.repository.github).toBe('acme/projections');
    expect(validateConfig(config).errors).toEqual([]);
    const workflow = readFileSync(join(cwd, '.github/workflows/promotion.yml'), 'utf8');
    expect(workflow).toContain('command: validate');
    expect(workflow).toContain(`${ACTION_PLACEHOLDER} # v0.1.0`);
    expect(ctx.out()).toContain('wrote promote.config.json');
    expect(ctx.out()).toContain('next: pin the Action in .github/workflows/promotion.yml');
  });

  it('--action-ref pins both jobs to the commit and points $schema at that commit', async () => {
    const cwd = fresh();
    const sha = 'ab'.repeat(20);
    const ctx = testContext({ cwd });
    expect(await runCli(['init', '--action-ref', `acme/git-promote@${sha}`], ctx)).toBe(0);
    const workflow = readFileSync(join(cwd, '.github/workflows/promotion.yml'), 'utf8');
    expect(workflow.match(new RegExp(`uses: acme/git-promote@${sha} # v0\\.1\\.0$`, 'gm'))).toHaveLength(2);
    expect(workflow).not.toMatch(/uses: .*GIT_PROMOTE_ACTION_SHA/);
    const config = JSON.parse(readFileSync(join(cwd, 'promote.config.json'), 'utf8'));
    expect(config.$schema).toBe(
      `https://raw.githubusercontent.com/acme/git-promote/${sha}/schema/promote.config.schema.json`,
    );
    expect(ctx.out()).not.toContain('next: pin the Action');
  });

  it('refuses an --action-ref that is not owner/repo@<full sha>, writing nothing', async () => {
    for (const ref of ['acme/git-promote@v1', 'acme/git-promote@abc1234', 'git-promote@' + 'a'.repeat(40)]) {
      const cwd = fresh();
      const ctx = testContext({ cwd });
      expect(await runCli(['init', '--action-ref', ref], ctx), ref).toBe(2);
      expect(ctx.err()).toContain('is not owner/repo@<full commit sha>');
      expect(ctx.err()).toContain('hint: Pass the repository git-promote comes from');
      expect(existsSync(join(cwd, 'promote.config.json'))).toBe(false);
    }
  });

  it('never overwrites without --force, and writes nothing at all then', async () => {
    const cwd = fresh();
    writeFileSync(join(cwd, 'promote.config.json'), '{"mine": true}\n');
    const ctx = testContext({ cwd });
    expect(await runCli(['init'], ctx)).toBe(2);
    expect(ctx.err()).toContain('error: promote.config.json already exists; nothing was written');
    expect(ctx.err()).toContain('hint: Pass --force');
    expect(readFileSync(join(cwd, 'promote.config.json'), 'utf8')).toBe('{"mine": true}\n');
    expect(existsSync(join(cwd, '.github'))).toBe(false);

    const forced = testContext({ cwd });
    expect(await runCli(['init', '--force', '--json'], forced)).toBe(0);
    expect(JSON.parse(forced.out()).overwritten).toEqual(['promote.config.json']);
    expect(readFileSync(join(cwd, 'promote.config.json'), 'utf8')).toContain('"pointers"');
  });

  it('writes CODEOWNERS for the rules and prints the ruleset that protects the branch', async () => {
    const cwd = fresh();
    const ctx = testContext({ cwd });
    expect(await runCli(['init', '--github', 'acme/projections'], ctx)).toBe(0);
    const owners = readFileSync(join(cwd, '.github/CODEOWNERS'), 'utf8');
    expect(owners).toMatch(/^\/promote\.config\.json @acme$/m);
    expect(owners).toMatch(/^\/\.github\/ @acme$/m);
    expect(ctx.out()).toContain("gh api --method POST repos/acme/projections/rulesets --input - <<'EOF'");
    const json = testContext({ cwd: fresh() });
    expect(await runCli(['init', '--json'], json)).toBe(0);
    const { ruleset } = JSON.parse(json.out()) as {
      ruleset: { rules: { type: string; parameters?: Record<string, unknown> }[] };
    };
    const rule = (type: string) => ruleset.rules.find((r) => r.type === type);
    expect(rule('required_status_checks')!.parameters!.required_status_checks).toEqual([
      { context: 'git-promote/validate' },
    ]);
    expect(rule('pull_request')!.parameters!.require_code_owner_review).toBe(true);
  });

  it('keeps an existing CODEOWNERS and says what to add to it', async () => {
    const cwd = fresh();
    mkdirSync(join(cwd, '.github'));
    writeFileSync(join(cwd, '.github/CODEOWNERS'), '* @team\n');
    const ctx = testContext({ cwd });
    expect(await runCli(['init'], ctx)).toBe(0);
    expect(readFileSync(join(cwd, '.github/CODEOWNERS'), 'utf8')).toBe('* @team\n');
    expect(ctx.out()).toContain(
      'kept your .github/CODEOWNERS: add owners for /promote.config.json, /.github/',
    );
  });

  it('refuses a malformed --github before writing', async () => {
    const cwd = fresh();
    mkdirSync(join(cwd, 'sub'));
    const ctx = testContext({ cwd });
    expect(await runCli(['init', '--github', '--evil'], ctx)).toBe(2);
    expect(existsSync(join(cwd, 'promote.config.json'))).toBe(false);
  });
});
