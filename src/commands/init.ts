import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { runGit } from '../adapters/git.js';
import { validateConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { evidencePath } from '../core/evidence-path.js';
import { readPointerRun } from '../core/pointer-file.js';
import { githubRepoFromUrl } from '../core/github-remote.js';
import { promotionRuleset } from '../core/ruleset.js';
import { STATUS_CONTEXT } from '../core/validate-report.js';
import { stringifyJson } from '../core/json-file.js';
import { packageRoot, packageVersion } from '../version.js';
import type { CommonOptions, Context, Outcome } from './context.js';

/** Files `init` writes: template (under templates/) -> destination in the repository. */
export const INIT_FILES: { template: string; dest: string }[] = [
  { template: 'promote.config.json', dest: 'promote.config.json' },
  { template: 'github/workflows/promotion.yml', dest: '.github/workflows/promotion.yml' },
  {
    template: 'github/PULL_REQUEST_TEMPLATE/promotion.md',
    dest: '.github/PULL_REQUEST_TEMPLATE/promotion.md',
  },
  { template: 'systemd/git-promote-agent.service', dest: 'deploy/systemd/git-promote-agent.service' },
  { template: 'systemd/git-promote-notify@.service', dest: 'deploy/systemd/git-promote-notify@.service' },
];

/** Written when absent; an existing CODEOWNERS is the team's own and is never overwritten. */
const CODEOWNERS = { template: 'github/CODEOWNERS', dest: '.github/CODEOWNERS' };

/** How the workflow template names the Action until `--action-ref` pins it. */
export const ACTION_PLACEHOLDER = 'OWNER/git-promote@GIT_PROMOTE_ACTION_SHA';
const SCHEMA_FILE = 'schema/promote.config.schema.json';

export interface InitOptions extends CommonOptions {
  /** Overwrite files that already exist. */
  force?: boolean;
  /** owner/repo to write into the config (src/core/option-values.ts githubRepository). */
  github?: string;
  /** Pin the workflow's Action to this repository and commit. */
  actionRef?: { repo: string; sha: string };
}

/**
 * `$schema` of a written config: with --action-ref the schema file of that very commit; otherwise
 * the schema inside the installed package, relative to the config (an editor resolves either).
 */
function schemaRef(configDir: string, action: { repo: string; sha: string } | undefined): string {
  if (action) return `https://raw.githubusercontent.com/${action.repo}/${action.sha}/${SCHEMA_FILE}`;
  return relative(configDir, join(packageRoot(), SCHEMA_FILE)).split(sep).join('/');
}

interface RenderOptions {
  github: string | null;
  action: { repo: string; sha: string } | undefined;
  configDir: string;
}

async function render(template: string, o: RenderOptions): Promise<string> {
  const text = await readFile(join(packageRoot(), 'templates', template), 'utf8');
  if (template === 'promote.config.json') {
    const config = JSON.parse(text) as Record<string, unknown> & { repository: Record<string, unknown> };
    // Never a placeholder: the repository named, or none (and a next step that says so).
    if (o.github) config.repository.github = o.github;
    else delete config.repository.github;
    // The keys written need this release or a later one (docs/versions-and-slates.md).
    return stringifyJson({
      $schema: schemaRef(o.configDir, o.action),
      minVersion: `>=${packageVersion()}`,
      ...config,
    });
  }
  if (template === CODEOWNERS.template && o.github)
    return text.replace(/@OWNER\b/g, `@${o.github.split('/')[0]}`);
  if (template.endsWith('promotion.yml'))
    return text.replace(
      /OWNER\/git-promote@GIT_PROMOTE_ACTION_SHA # v\S+/g,
      `${o.action ? `${o.action.repo}@${o.action.sha}` : ACTION_PLACEHOLDER} # v${packageVersion()}`,
    );
  return text;
}

/** "pointer=run" of each pointer in the written config whose file here names a run without evidence. */
async function unadoptedPointers(configText: string, cwd: string): Promise<string[]> {
  const config = validateConfig(JSON.parse(configText)).config;
  if (!config) return [];
  const found: string[] = [];
  for (const [name, p] of Object.entries(config.pointers)) {
    try {
      const run = readPointerRun(await readFile(join(cwd, p.file), 'utf8'), p.runField, p.file);
      if (!existsSync(join(cwd, evidencePath(name, run)))) found.push(`${name}=${run}`);
    } catch {
      // No pointer file yet (or not a valid one): nothing to adopt there.
    }
  }
  return found;
}

export async function init(_args: string[], opts: InitOptions, ctx: Context): Promise<Outcome> {
  const { github, actionRef: action } = opts;
  // The files belong in a clone of the pipeline repository; its origin names the GitHub repository.
  try {
    await runGit(ctx.cwd, ctx.env, ['rev-parse', '--show-toplevel']);
  } catch (err) {
    throw new UsageError(
      `${ctx.cwd} is not inside a git repository; nothing was written`,
      'Run `git promote init` in a clone of the pipeline repository.',
      { cause: err },
    );
  }
  const origin = github
    ? null
    : await runGit(ctx.cwd, ctx.env, ['remote', 'get-url', '--', 'origin']).then(
        (r) => r.stdout.trim(),
        () => null,
      );
  const repository = github ?? (origin ? githubRepoFromUrl(origin) : null);
  const force = opts.force === true;
  const codeowners = join(ctx.cwd, CODEOWNERS.dest);
  const ownersExist = existsSync(codeowners);
  const planned = [...INIT_FILES, ...(ownersExist ? [] : [CODEOWNERS])].map((f) => ({
    ...f,
    path: join(ctx.cwd, f.dest),
  }));
  const existing = planned.filter((f) => existsSync(f.path));
  if (existing.length > 0 && !force) {
    throw new UsageError(
      `${existing.map((f) => f.dest).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`,
      'Pass --force to overwrite them, or remove them first.',
    );
  }
  // Render everything before writing anything, so a failure leaves no half-initialised repository.
  const contents = await Promise.all(
    planned.map((f) => render(f.template, { github: repository, action, configDir: ctx.cwd })),
  );
  for (const [i, f] of planned.entries()) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, contents[i]!);
  }
  const written = planned.map((f) => relative(ctx.cwd, f.path));
  const unadopted = await unadoptedPointers(contents[0]!, ctx.cwd);
  const ruleset = promotionRuleset();
  const repo = repository ?? 'OWNER/REPO';
  return {
    exitCode: 0,
    data: { written, overwritten: existing.map((f) => f.dest), github: repository, ruleset },
    text: [
      ...written.map((w) => `wrote ${w}${existing.some((e) => e.dest === w) ? ' (overwritten)' : ''}`),
      repository
        ? `repository.github: ${repository}${github ? '' : ' (from the URL of origin)'}`
        : 'repository.github: not set (origin is not a GitHub URL): set it, or pass --github owner/repo, to open pull requests',
      ...(ownersExist
        ? [
            `kept your ${CODEOWNERS.dest}: add owners for /promote.config.json, /.github/ and /.gitattributes (see docs/security.md)`,
          ]
        : [`next: in ${CODEOWNERS.dest}, name the team that owns the promotion rules`]),
      ...(action
        ? []
        : [
            `next: pin the Action in .github/workflows/promotion.yml: run init again with --force --action-ref owner/git-promote@<commit sha>, or replace ${ACTION_PLACEHOLDER} by hand`,
          ]),
      'next: edit promote.config.json (pointers, artifacts, smoke command), then `git promote status`',
      unadopted.length
        ? `next: ${unadopted.join(', ')} ${unadopted.length === 1 ? 'holds a run' : 'hold runs'} with no evidence (from before git-promote): once the config is committed, run \`git promote adopt\`, or no promotion can pass`
        : 'next: once the pointer files and the config are committed, `git promote adopt` records the runs they hold today, so the first promotion can pass',
      `next: protect the branch (${STATUS_CONTEXT} required, code-owner review for .github/ and the config):`,
      `  gh api --method POST repos/${repo}/rulesets --input - <<'EOF'`,
      ...JSON.stringify(ruleset, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
      '  EOF',
    ],
  };
}
