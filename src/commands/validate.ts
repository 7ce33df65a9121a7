/**
 * `git promote validate`: check a base..head change of the pipeline repository against the
 * promotion rules. Locally it compares --base (default: the configured remote branch) with --head
 * (default: HEAD); in GitHub Actions it takes both from the pull_request event, writes annotations
 * and a job summary, and posts the commit status `git-promote/validate` on the head sha.
 *
 * Everything is read from git objects (never the working tree, which in Actions is the PR's): one
 * diff, three batched blob reads (config, pointer files, evidence) and one `git log` per pointer
 * the PR moves. The rules are the target tip's config (docs/security.md).
 */
import { readRegularFile } from '../adapters/read-text.js';
import { basename, dirname } from 'node:path';
import { findConfigPath } from '../adapters/config-file.js';
import { changedFiles, mergeBase } from '../adapters/git-diff.js';
import { readBlobBytes, repoPrefix, resolveCommit, type Env } from '../adapters/git.js';
import { readPointerChanges, runWhereAdded } from '../adapters/pointer-history.js';
import { evidencePath } from '../core/evidence-path.js';
import { isAdoptedData } from '../core/schemas.js';
import { minVersionError } from '../core/versions.js';
import { packageVersion } from '../version.js';
import { runsHeld } from '../core/change-kind.js';
import {
  appendStepSummary,
  inActions,
  readActionsEvent,
  type ActionsEvent,
} from '../adapters/github-actions.js';
import { InternalError, isPromoteError, UsageError } from '../core/errors.js';
import { annotation, oneLine, type Annotation } from '../core/workflow-commands.js';
import {
  checkConfig,
  checkConfigChange,
  evidencePaths,
  pointerPaths,
  pointerRuns,
  runChecks,
  type FileChange,
  type TreeFiles,
} from '../core/validate-checks.js';
import {
  annotationList,
  buildReport,
  reportLines,
  summaryMarkdown,
  type ValidateReport,
} from '../core/validate-report.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { startValidateStatus } from './validate-status.js';
import { openForge } from './forge-access.js';
import type { Forge } from '../core/forge.js';
import { validateStages } from './validate-stages.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Loaded blobs of one commit, addressed by config-root-relative path. */
class Tree implements TreeFiles {
  private readonly files = new Map<string, { text: string; utf8: boolean } | null>();
  constructor(
    readonly sha: string,
    private readonly prefix: string,
  ) {}
  spec(path: string): string {
    return `${this.sha}:${this.prefix}${path}`;
  }
  set(path: string, bytes: Buffer | null): void {
    if (bytes === null) return void this.files.set(path, null);
    try {
      this.files.set(path, { text: utf8.decode(bytes), utf8: true });
    } catch {
      this.files.set(path, { text: bytes.toString('utf8'), utf8: false });
    }
  }
  has(path: string): boolean {
    return this.files.has(path);
  }
  get(path: string): string | null {
    const file = this.files.get(path);
    if (file === undefined) throw new InternalError(`validate read ${path} before loading it`);
    return file?.text ?? null;
  }
  notUtf8(path: string): boolean {
    return this.files.get(path)?.utf8 === false;
  }
}

/** What merging would leave: the head's version of each changed path, the target's otherwise. */
class MergedTree implements TreeFiles {
  constructor(
    private readonly target: Tree,
    private readonly head: Tree,
    private readonly changed: Set<string>,
  ) {}
  source(path: string): Tree {
    return this.changed.has(path) ? this.head : this.target;
  }
  get(path: string): string | null {
    return this.source(path).get(path);
  }
  notUtf8(path: string): boolean {
    return this.source(path).notUtf8(path);
  }
}

/** Load every not-yet-loaded path of each tree with one `git cat-file --batch`. */
async function load(cwd: string, env: Env, wants: [Tree, string[]][]): Promise<void> {
  const todo: [Tree, string][] = [];
  for (const [tree, paths] of wants) for (const p of new Set(paths)) if (!tree.has(p)) todo.push([tree, p]);
  const blobs = await readBlobBytes(
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

export interface ValidateOptions extends CommonOptions {
  /** Base revision (a safe ref, src/core/option-values.ts gitRef); default from the Actions event. */
  base?: string;
  /** Head revision; default from the Actions event, or HEAD. */
  head?: string;
}

/** --base/--head, else the Actions event, else HEAD against the configured remote branch. */
async function chooseRange(
  opts: ValidateOptions,
  ctx: Context,
  root: string,
  configPath: string,
): Promise<Range> {
  // With both --base and --head given, the event only adds labels: a malformed one is not needed.
  const explicit = Boolean(opts.base && opts.head);
  const event = !inActions(ctx.env)
    ? null
    : explicit
      ? await readActionsEvent(ctx.env).catch(() => null)
      : await readActionsEvent(ctx.env);
  if (
    (event?.number != null || event?.mergeGroup) &&
    (!event.base || !event.head) &&
    !(opts.base && opts.head)
  )
    throw new UsageError(
      `the ${event.mergeGroup ? 'merge_group' : 'pull_request'} event in ${ctx.env.GITHUB_EVENT_PATH} has no valid base and head sha`,
      'Run validate from a pull_request or merge_group workflow, or pass --base and --head.',
    );
  // A merge group is judged over base_sha..head_sha: base_sha is the tip the queue will land it
  // on (the queue re-creates the group when the branch moves), so its config is the tip's.
  const baseRef =
    opts.base ??
    (event?.mergeGroup ? (event.base ?? undefined) : undefined) ??
    (event ? await targetTip(root, ctx.env, event) : undefined) ??
    (await defaultBaseRef(configPath));
  const headRef = opts.head ?? event?.head ?? 'HEAD';
  return {
    base: await commitNamed(root, ctx.env, baseRef, '--base'),
    head: await commitNamed(root, ctx.env, headRef, '--head'),
    event,
  };
}

/** The commit sha a ref names; a usage error when it names none (for example not fetched). */
async function commitNamed(root: string, env: Env, ref: string, what: string): Promise<string> {
  const sha = await resolveCommit(root, env, ref);
  if (sha === null)
    throw new UsageError(
      `${what} ${JSON.stringify(ref)} is not a commit in this repository`,
      'Fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or pass another --base/--head.',
    );
  return sha;
}

/**
 * The target branch tip at the time of the check: `origin/<base ref>` as actions/checkout fetched
 * it (fetch-depth: 0), else the event's base sha. Never read from the working tree, which in
 * Actions is the PR's.
 */
async function targetTip(root: string, env: Env, event: ActionsEvent): Promise<string | undefined> {
  const fetched = event.baseRef
    ? await resolveCommit(root, env, `refs/remotes/origin/${event.baseRef}`).catch(() => null)
    : null;
  return fetched ?? event.base ?? undefined;
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

/**
 * Run the checks of a pull request from `head` into the target branch tip `base` and return the
 * report (no output, no status). Rules come from the config at `base` (docs/security.md).
 */
export async function validateRange(
  root: string,
  configFile: string,
  env: Env,
  range: { base: string; head: string },
  now: Date,
  /** GitHub, for the records of stages with `after` (docs/stages.md); absent, they fail unchecked. */
  deps: { openForge?: (github?: string) => Promise<Forge | null> } = {},
): Promise<ValidateReport> {
  const prefix = await repoPrefix(root, env, 'validate');
  const from = await mergeBase(root, env, range.base, range.head);
  const changes: FileChange[] = (await changedFiles(root, env, from, range.head)).map((c) =>
    c.path.startsWith(prefix)
      ? { status: c.status, path: c.path.slice(prefix.length), mode: c.mode }
      : { status: c.status, path: c.path, mode: c.mode, outside: true },
  );
  const target = new Tree(range.base, prefix);
  const head = new Tree(range.head, prefix);
  const merged = new MergedTree(target, head, new Set(changes.filter((c) => !c.outside).map((c) => c.path)));

  await load(root, env, [
    [target, [configFile]],
    [head, [configFile]],
  ]);
  const toolVersion = packageVersion();
  // The config that judges: one this release cannot read (minVersion) stops here, with exit 2.
  const tipConfig = target.get(configFile);
  const tooNew =
    tipConfig === null
      ? null
      : minVersionError(parseOrNull(tipConfig), toolVersion, `${configFile} on the target branch`);
  if (tooNew) throw tooNew;
  const { result, config } = checkConfig(tipConfig, configFile, 'on the target branch');
  if (!config) return buildReport(range.base, range.head, [result]);
  const results = [result];
  if (changes.some((c) => !c.outside && c.path === configFile))
    results.push(checkConfigChange(head.get(configFile), configFile, toolVersion));

  if (config.stages) {
    const loadBoth = (paths: string[]) =>
      load(root, env, [
        [target, paths],
        [head, paths.filter((f) => merged.source(f) === head)],
      ]);
    const staged = await validateStages({
      root,
      env,
      prefix,
      base: range.base,
      config,
      changes,
      target,
      merged,
      load: loadBoth,
      now,
      toolVersion,
      ...(deps.openForge ? { openForge: deps.openForge } : {}),
    });
    return buildReport(range.base, range.head, [...results, ...staged]);
  }

  const pointerFiles = pointerPaths(config);
  await load(root, env, [
    [target, pointerFiles],
    [head, pointerFiles.filter((f) => merged.source(f) === head)],
  ]);
  const targetRuns = pointerRuns(config, target);
  const mergedRuns = pointerRuns(config, merged);
  const evidence = evidencePaths(config, mergedRuns, changes, targetRuns);
  await load(root, env, [
    [head, evidence.filter((f) => merged.source(f) === head)],
    // The target tree too: the metric gate reads the replaced run's evidence there.
    [target, evidence],
  ]);

  // Past runs only matter for pointers the PR moves: one `git log` over each of those files.
  const held = new Map<string, ReadonlySet<string>>();
  for (const [name, p] of Object.entries(config.pointers)) {
    if (mergedRuns.get(name) === targetRuns.get(name)) continue;
    const changesOf = await readPointerChanges({
      cwd: root,
      env,
      tip: range.base,
      file: `${prefix}${p.file}`,
      runField: p.runField,
    });
    held.set(name, runsHeld(changesOf));
  }

  // Adopted evidence already on the branch that a pointer change selects: where did it land?
  const adoptionLanding = new Map<string, string | null>();
  for (const [name, p] of Object.entries(config.pointers)) {
    const run = mergedRuns.get(name);
    if (!run || run === targetRuns.get(name)) continue;
    const file = evidencePath(name, run);
    if (merged.source(file) !== target || !isAdoptedText(target.get(file))) continue;
    adoptionLanding.set(
      file,
      await runWhereAdded({
        cwd: root,
        env,
        tip: range.base,
        file: `${prefix}${file}`,
        pointerFile: `${prefix}${p.file}`,
        runField: p.runField,
      }),
    );
  }

  results.push(...runChecks({ config, target, merged, changes, held, adoptionLanding, now, toolVersion }));
  return buildReport(range.base, range.head, results);
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isAdoptedText(text: string | null): boolean {
  return text !== null && isAdoptedData(parseOrNull(text));
}

export async function validate(_args: string[], opts: ValidateOptions, ctx: Context): Promise<Outcome> {
  const configPath = findConfigPath(ctx.cwd, ctx.env, opts.config);
  const root = dirname(configPath);
  const configFile = basename(configPath);

  const range = await chooseRange(opts, ctx, root, configPath);
  const actions = inActions(ctx.env);
  // In Actions the status is marked pending first, so a required check never shows a stale result.
  const status = actions ? await startValidateStatus(ctx, range.head) : null;

  let report: ValidateReport;
  try {
    report = await validateRange(root, configFile, ctx.env, range, ctx.now(), {
      openForge: (github) => openForge(ctx, github),
    });
  } catch (err) {
    await status?.abort(isPromoteError(err) ? oneLine(err.message) : 'internal error');
    throw err;
  }

  const notes: string[] = [];
  // Annotations go to stdout for humans; with --json stdout is the JSON document, so stderr
  // (the runner reads workflow commands from both streams). The Action hands them to @actions/core.
  const annotate = (a: Annotation) =>
    ctx.workflow
      ? ctx.workflow.annotate(a)
      : (opts.json ? ctx.stderr : ctx.stdout).write(annotation(a.kind, a.props, a.message));
  if (actions) {
    for (const a of annotationList(report.results)) annotate(a);
    const markdown = summaryMarkdown(report);
    const written = ctx.workflow
      ? await ctx.workflow.summary(markdown)
      : await appendStepSummary(ctx.env, markdown);
    if (written) notes.push('job summary written');
  }
  if (status) {
    const note = await status.finish(report);
    notes.push(note);
    if (note.startsWith('warning: '))
      annotate({
        kind: 'warning',
        props: { title: 'git-promote status' },
        message: note.slice('warning: '.length),
      });
  }
  return {
    exitCode: report.ok ? 0 : 1,
    data: report,
    text: [...reportLines(report), ...notes],
  };
}
