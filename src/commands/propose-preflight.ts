/**
 * What `propose` checks before it commits or pushes anything, so a promotion that cannot become a
 * mergeable pull request stops on the laptop instead of leaving a pushed branch behind:
 * - GitHub (skipped with --no-pr and --dry-run): one GET of the repository, not retried, shows that
 *   GitHub answers, the token is valid and the repository is visible to it;
 * - the whole `validate` rule set, run locally on the candidate commit against the target branch
 *   tip (the same code CI runs), so evidence CI would reject (too old, wrong shape) is refused here.
 * A failing check refuses with every failure listed, unless --force.
 */
import { basename } from 'node:path';
import { commitFiles } from '../adapters/git-commit.js';
import type { Env } from '../adapters/git.js';
import { ExitCode, isPromoteError, PromoteError, type ExitCodeValue } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import type { Config } from '../core/schemas.js';
import { oneLine } from '../core/workflow-commands.js';
import type { Context } from './context.js';
import { validateRange } from './validate.js';

interface PreflightFailure {
  name: string;
  reason: string;
  exitCode: ExitCodeValue;
  remedy: string;
}

/** GitHub answers, the token is valid and the repository is visible: null when so. */
export async function checkGitHub(forge: Forge): Promise<PreflightFailure | null> {
  try {
    await forge.getRepository();
    return null;
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { name: 'github', reason: err.message, exitCode: err.exitCode, remedy: err.remedy };
  }
}

/**
 * The validate rule set on the commit propose would push (created as a loose object, on no branch)
 * against the target tip it would be proposed into. Returns the candidate commit and the failures.
 */
export async function checkLikeCi(input: {
  root: string;
  configPath: string;
  env: Env;
  baseSha: string;
  files: Record<string, string>;
  message: string;
  now: Date;
  /** GitHub, for the records of stages with `after` (validate.ts). */
  openForge?: (github?: string) => Promise<Forge | null>;
}): Promise<{ commit: string; failures: PreflightFailure[] }> {
  const commit = await commitFiles(input.root, input.env, {
    parent: input.baseSha,
    files: input.files,
    message: input.message,
  });
  const report = await validateRange(
    input.root,
    basename(input.configPath),
    input.env,
    { base: input.baseSha, head: commit },
    input.now,
    input.openForge ? { openForge: input.openForge } : {},
  );
  const failures = report.results
    .filter((r) => !r.ok)
    .map((r) => ({
      name: r.pointer ? `${r.name} (${r.pointer})` : r.name,
      reason: oneLine(r.reason),
      exitCode: ExitCode.check,
      remedy:
        'Fix what the failing check names (old evidence: smoke again on a recent --game-date); CI runs the same checks.',
    }));
  return { commit, failures };
}

/**
 * The forge for a command about to open a pull request, checked before any smoke run or push (a
 * PR that cannot be opened should stop it now, not half-way); --force only warns.
 */
export async function checkedForge(config: Config, force: boolean, ctx: Context): Promise<Forge> {
  const { forgeFromEnv } = await import('../adapters/github/index.js');
  const forge = forgeFromEnv(config.repository.github, ctx.env, {
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    onWait: (w) => ctx.stderr.write(`GitHub ${w.reason}: waiting ${w.seconds}s before retry ${w.attempt}\n`),
  });
  const github = await checkGitHub(forge);
  refuseOrWarn(github ? [github] : [], force, ctx);
  return forge;
}

/** Refuse with every failure (exit code of the first), or with --force warn and go on. */
/**
 * What a dry run of propose, adopt or `propose --stage` reports of the checks CI would run: exit
 * 1 when one fails (unless --force, as the real run would go on), the failures as data, and a
 * line each (or one that all pass).
 */
export function dryRunChecks(
  failures: PreflightFailure[],
  force: boolean,
): { exitCode: 0 | 1; failedChecks: { name: string; reason: string }[]; lines: string[] } {
  return {
    exitCode: failures.length && !force ? 1 : 0,
    failedChecks: failures.map((f) => ({ name: f.name, reason: f.reason })),
    lines: failures.length
      ? failures.map((f) => `  FAIL ${f.name}: ${f.reason}`)
      : ['every check CI runs passes on this change'],
  };
}

export function refuseOrWarn(failures: PreflightFailure[], force: boolean, ctx: Context): void {
  if (failures.length === 0) return;
  const lines = failures.map((f) => `${f.name}: ${f.reason}`);
  if (force) {
    ctx.stderr.write(
      `warning: proposing despite ${failures.length} failing check${failures.length === 1 ? '' : 's'} (--force):\n${lines.map((l) => `  ${l}\n`).join('')}`,
    );
    return;
  }
  const first = failures[0]!;
  throw new PromoteError(
    first.exitCode,
    `propose refused before committing or pushing anything: ${failures.length} check${failures.length === 1 ? '' : 's'} failed`,
    `${first.remedy.replace(/\.$/, '')}; \`--force\` proposes anyway.`,
    { details: lines },
  );
}

/** An error after the push, with what was pushed and that running propose again reuses it. */
export function afterPush(
  err: unknown,
  pushed: { branch: string; sha: string; remote: string },
  command: 'propose' | 'adopt' = 'propose',
): unknown {
  if (!isPromoteError(err)) return err;
  return new PromoteError(
    err.exitCode,
    err.message,
    `${err.remedy} Running the same \`git promote ${command}\` again reuses ${pushed.branch} and its pull request.`,
    {
      cause: err,
      details: [
        ...err.details,
        `already pushed: ${pushed.branch} (${pushed.sha.slice(0, 12)}) to ${pushed.remote}`,
      ],
    },
  );
}
