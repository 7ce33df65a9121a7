/**
 * The commit status `git-promote/validate` on the head sha: pending when validation starts, then
 * success or failure. Posting is best effort: a fork PR's token cannot write statuses, and that
 * must not turn a passing validation red, so problems become a note in the output.
 */
import { isPromoteError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { STATUS_CONTEXT, statusFor, type ValidateReport } from '../core/validate-report.js';
import { runUrl } from '../adapters/github-actions.js';
import type { Context } from './context.js';
import { openForge } from './forge-access.js';

type Finish = (report: ValidateReport) => Promise<string>;

async function post(
  forge: Forge,
  sha: string,
  state: 'pending' | 'success' | 'failure',
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

/** Post `pending` when a token allows; returns how to post the result, or null without a token. */
export async function startValidateStatus(ctx: Context, sha: string): Promise<Finish | null> {
  const forge = await openForge(ctx);
  if (!forge) return async () => `status ${STATUS_CONTEXT} not posted: no GITHUB_TOKEN or repository`;
  const problem = await post(forge, sha, 'pending', 'validating promotion', ctx);
  return async (report) => {
    const { state, description } = statusFor(report);
    const failed = problem ?? (await post(forge, sha, state, description, ctx));
    return failed
      ? `warning: status ${STATUS_CONTEXT} not posted: ${failed}`
      : `status ${STATUS_CONTEXT} = ${state} on ${sha.slice(0, 12)}`;
  };
}
