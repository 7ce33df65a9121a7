/**
 * `git promote validate`: check a base..head change of the pipeline repository against the
 * promotion rules. Locally it compares --base (default: the configured remote branch) with --head
 * (default: HEAD); in GitHub Actions it takes both from the pull_request event, writes annotations
 * and a job summary, and posts the commit status `git-promote/validate` on the head sha.
 *
 * Everything is read from git objects (never the working tree, which in Actions is a merge commit):
 * one diff, then three batched blob reads (config, pointer files, evidence).
 */
import { readRegularFile } from '../adapters/read-text.js';
import { basename, dirname } from 'node:path';
import { findConfigPath } from '../adapters/config-file.js';
import { changedFiles, mergeBase, resolveCommit } from '../adapters/git-diff.js';
import { openGit, readBlobs, repoPrefix, type Env, type Git } from '../adapters/git.js';
import {
  appendStepSummary,
  inActions,
  readActionsEvent,
  type ActionsEvent,
} from '../adapters/github-actions.js';
import { InternalError, isPromoteError, UsageError } from '../core/errors.js';
import { annotation, oneLine } from '../core/workflow-commands.js';
import {
  checkConfig,
  evidencePaths,
  pointerFilesOf,
  pointerPaths,
  pointerRuns,
  policyFrom,
  runChecks,
  type FileChange,
  type TreeFiles,
} from '../core/validate-checks.js';
import {
  annotations,
  buildReport,
  reportLines,
  summaryMarkdown,
  type ValidateReport,
} from '../core/validate-report.js';
import type { Context, Outcome } from './context.js';
import { startValidateStatus } from './validate-status.js';

/** Loaded blobs of one commit, addressed by config-root-relative path. */
class Tree implements TreeFiles {
  private readonly files = new Map<string, string | null>();
  constructor(
    readonly sha: string,
    private readonly prefix: string,
  ) {}
  spec(path: string): string {
    return `${this.sha}:${this.prefix}${path}`;
  }
  set(path: string, content: string | null): void {
    this.files.set(path, content);
  }
  has(path: string): boolean {
    return this.files.has(path);
  }
  get(path: string): string | null {
    const content = this.files.get(path);
    if (content === undefined) throw new InternalError(`validate read ${path} before loading it`);
    return content;
  }
}

/** Load every not-yet-loaded path of each tree with one `git cat-file --batch`. */
async function load(cwd: string, env: Env, wants: [Tree, string[]][]): Promise<void> {
  const todo: [Tree, string][] = [];
  for (const [tree, paths] of wants) for (const p of new Set(paths)) if (!tree.has(p)) todo.push([tree, p]);
  const blobs = await readBlobs(
    cwd,
    env,
    todo.map(([tree, p]) => tree.spec(p)),
  );
  todo.forEach(([tree, p], i) => tree.set(p, blobs[i] ?? null));
}

interface Range {
  base: string;
  head: string;
  event: ActionsEvent | null;
}

/** --base/--head, else the Actions event, else HEAD against the configured remote branch. */
async function chooseRange(
  opts: Record<string, unknown>,
  ctx: Context,
  git: Git,
  configPath: string,
): Promise<Range> {
  // With both --base and --head given, the event only adds labels: a malformed one is not needed.
  const explicit = Boolean(opts.base && opts.head);
  const event = !inActions(ctx.env)
    ? null
    : explicit
      ? await readActionsEvent(ctx.env).catch(() => null)
      : await readActionsEvent(ctx.env);
  if (event?.number != null && (!event.base || !event.head) && !(opts.base && opts.head))
    throw new UsageError(
      `the pull_request event in ${ctx.env.GITHUB_EVENT_PATH} has no valid base and head sha`,
      'Run validate from a pull_request workflow, or pass --base and --head.',
    );
  const baseRef = (opts.base as string | undefined) ?? event?.base ?? (await defaultBaseRef(configPath));
  const headRef = (opts.head as string | undefined) ?? event?.head ?? 'HEAD';
  return {
    base: await resolveCommit(git, baseRef, '--base'),
    head: await resolveCommit(git, headRef, '--head'),
    event,
  };
}

/**
 * `refs/remotes/<remote>/<branch>` from the working-tree config, read leniently because the config
 * itself is under test (its problems are reported by the `config` check); origin/main otherwise.
 */
async function defaultBaseRef(configPath: string): Promise<string> {
  let remote = 'origin';
  let branch = 'main';
  try {
    const data = JSON.parse(await readRegularFile(configPath)) as { repository?: Record<string, unknown> };
    if (typeof data.repository?.remote === 'string') remote = data.repository.remote;
    if (typeof data.repository?.branch === 'string') branch = data.repository.branch;
  } catch {
    // Unreadable or not JSON: keep the defaults.
  }
  return `refs/remotes/${remote}/${branch}`;
}

/** Run the checks of base..head and return the report (no output, no status). */
export async function validateRange(
  root: string,
  configFile: string,
  env: Env,
  range: { base: string; head: string },
  now: Date,
  labels?: string[],
): Promise<ValidateReport> {
  const git = openGit(root, env);
  const prefix = await repoPrefix(git, 'validate');
  const from = await mergeBase(git, range.base, range.head);
  const changes: FileChange[] = (await changedFiles(git, from, range.head)).map((c) =>
    c.path.startsWith(prefix)
      ? { status: c.status, path: c.path.slice(prefix.length) }
      : { status: c.status, path: c.path, outside: true },
  );
  const target = new Tree(range.base, prefix);
  const base = new Tree(from, prefix);
  const head = new Tree(range.head, prefix);

  await load(root, env, [
    [head, [configFile]],
    [target, [configFile]],
  ]);
  const { result, config } = checkConfig(head.get(configFile), configFile);
  if (!config) return buildReport(range.base, range.head, [result]);

  await load(root, env, [
    [head, pointerPaths(config)],
    [base, pointerPaths(config)],
  ]);
  const paths = evidencePaths(config, pointerRuns(config, head), pointerRuns(config, base), changes);
  await load(root, env, [
    [head, paths.head],
    [base, paths.base],
  ]);
  const results = runChecks({
    config,
    policy: policyFrom(target.get(configFile), config),
    basePointerFiles: pointerFilesOf(target.get(configFile)),
    base,
    head,
    changes,
    now,
    ...(labels ? { labels } : {}),
  });
  return buildReport(range.base, range.head, [result, ...results]);
}

export async function validate(
  _args: string[],
  opts: Record<string, unknown>,
  ctx: Context,
): Promise<Outcome> {
  const configPath = findConfigPath(ctx.cwd, ctx.env, opts.config as string | undefined);
  const root = dirname(configPath);
  const git = openGit(root, ctx.env);
  const configFile = basename(configPath);

  const range = await chooseRange(opts, ctx, git, configPath);
  const actions = inActions(ctx.env);
  // In Actions the status is marked pending first, so a required check never shows a stale result.
  const status = actions ? await startValidateStatus(ctx, range.head) : null;

  let report: ValidateReport;
  try {
    report = await validateRange(root, configFile, ctx.env, range, ctx.now(), range.event?.labels);
  } catch (err) {
    await status?.abort(isPromoteError(err) ? oneLine(err.message) : 'internal error');
    throw err;
  }

  const notes: string[] = [];
  if (actions) {
    const json = Boolean(opts.json);
    // Annotations go to stdout for humans; with --json stdout is the JSON document, so stderr
    // (the runner reads workflow commands from both streams).
    (json ? ctx.stderr : ctx.stdout).write(annotations(report.results));
    if (await appendStepSummary(ctx.env, summaryMarkdown(report))) notes.push('job summary written');
  }
  if (status) {
    const note = await status.finish(report);
    notes.push(note);
    if (note.startsWith('warning: '))
      (opts.json ? ctx.stderr : ctx.stdout).write(
        annotation('warning', { title: 'git-promote status' }, note.slice('warning: '.length)),
      );
  }
  return {
    exitCode: report.ok ? 0 : 1,
    data: report,
    text: [...reportLines(report), ...notes],
  };
}
