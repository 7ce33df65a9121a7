/**
 * The commit status `git-promote/validate` on the head sha: pending when validation starts, then
 * success or failure. Posting is best effort: a fork PR's token cannot write statuses, and that
 * must not turn a passing validation red, so problems become a note in the output.
 */
import { isPromoteError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { STATUS_CONTEXT, statusFor, type ValidateReport } from '../core/validate-report.js';
import { runUrl } from '../adapters/github-actions.js';
import { oneLine } from '../core/workflow-commands.js';
import type { Context } from './context.js';
import { openForge } from './forge-access.js';

interface StatusPoster {
  /** Post the result; returns a line for the output. */
  finish(report: ValidateReport): Promise<string>;
  /** Validation could not run: post `error`, so the pending status does not hang. */
  abort(reason: string): Promise<void>;
}

async function post(
  forge: Forge,
  sha: string,
  state: 'pending' | 'success' | 'failure' | 'error',
  description: string,
  ctx: Context,
): Promise<string | null> {
  const targetUrl = runUrl(ctx.env);
  try {
    await forge.createStatus(sha, {
      state,
      context: STATUS_CONTEXT,
      description,
      ...(targetUrl ? { targetUrl } : {}),
    });
    return null;
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return err.message;
  }
}

/** Post `pending` when a token allows; the poster then posts the result (or notes why not). */
export async function startValidateStatus(ctx: Context, sha: string): Promise<StatusPoster> {
  const forge = await openForge(ctx);
  if (!forge)
    return {
      finish: async () => `status ${STATUS_CONTEXT} not posted: no GITHUB_TOKEN or repository`,
      abort: async () => undefined,
    };
  const problem = await post(forge, sha, 'pending', 'validating promotion', ctx);
  return {
    async finish(report) {
      const { state, description } = statusFor(report);
      const failed = problem ?? (await post(forge, sha, state, description, ctx));
      return failed
        ? `warning: status ${STATUS_CONTEXT} not posted: ${oneLine(failed)}`
        : `status ${STATUS_CONTEXT} = ${state} on ${sha.slice(0, 12)}`;
    },
    async abort(reason) {
      if (problem) return;
      const description = `validate could not run: ${reason}`;
      await post(
        forge,
        sha,
        'error',
        description.length > 140 ? `${description.slice(0, 139)}…` : description,
        ctx,
      );
    },
  };
}
