/**
 * `git promote merge --pr N [--sha SHA]`: merge a validated promotion PR, guarded by its exact head
 * sha, so that what merges is exactly what `validate` checked. A moved head (409) or an
 * unmergeable PR (405) is reported and never retried (exit 4): the new head needs validating.
 */
import { loadConfig } from '../adapters/config-file.js';
import { BusyError, CheckFailedError, UsageError } from '../core/errors.js';
import { mergeRefusals, statusRefusal, type Refusal } from '../core/merge-policy.js';
import type { Context, Outcome } from './context.js';
import { repositoryName, requireForge } from './forge-access.js';

const SHA = /^[0-9a-f]{40}$/;

function prNumber(value: unknown): number {
  const text = typeof value === 'string' ? value : '';
  if (!/^[1-9][0-9]{0,9}$/.test(text))
    throw new UsageError(
      text ? `--pr ${JSON.stringify(text)} is not a pull request number` : 'merge needs --pr N',
      'Pass the pull request number, for example --pr 42.',
    );
  return Number(text);
}

function expectedSha(value: unknown): string | null {
  if (value === undefined) return null;
  const text = String(value).toLowerCase();
  if (!SHA.test(text))
    throw new UsageError(
      `--sha ${JSON.stringify(String(value).slice(0, 60))} is not a full commit sha`,
      'Pass the 40-character head sha that was validated (github.event.pull_request.head.sha).',
    );
  return text;
}

function refuse(refusals: Refusal[]): never {
  const [first, ...rest] = refusals as [Refusal, ...Refusal[]];
  throw new CheckFailedError(first.message, first.remedy, { details: rest.map((r) => r.message) });
}

export async function merge(_args: string[], opts: Record<string, unknown>, ctx: Context): Promise<Outcome> {
  const number = prNumber(opts.pr);
  const guard = expectedSha(opts.sha);
  const { config } = await loadConfig(ctx.cwd, ctx.env, opts.config as string | undefined);
  const forge = await requireForge(ctx, config.repository.github);
  const repo = repositoryName(ctx, config.repository.github)!;

  const pull = await forge.getPull(number);
  if (pull.merged) {
    const sha = pull.mergeCommitSha;
    return {
      exitCode: 0,
      data: { pr: number, merged: true, alreadyMerged: true, sha },
      text: [`PR #${number} is already merged${sha ? ` as ${sha.slice(0, 12)}` : ''}: nothing to do`],
    };
  }
  const refusals = mergeRefusals(pull, config, repo);
  if (refusals.length) refuse(refusals);

  const head = pull.head.sha;
  if (guard && head !== guard)
    throw new BusyError(
      `PR #${number} head moved: validated ${guard.slice(0, 12)}, now ${head.slice(0, 12)}`,
      'Not merged. The new head is validated by its own workflow run, which merges it if it passes.',
    );
  const status = statusRefusal(await forge.getStatuses(head), head);
  if (status) refuse([status]);

  const method = config.policy.mergeMethod;
  const merged = await forge.mergePull(number, { sha: head, method });
  return {
    exitCode: 0,
    data: { pr: number, merged: true, alreadyMerged: false, head, sha: merged.sha, method },
    text: [`merged PR #${number} (${method}, head ${head.slice(0, 12)}) as ${merged.sha.slice(0, 12)}`],
  };
}
