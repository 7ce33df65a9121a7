/**
 * Steps 2 and 3 of an apply pass: fetch the branch into the agent's private mirror and accept the
 * tip only if it descends from the applied commit (unless --allow-rewrite) and, when required, is
 * signed by an allowed signer.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  deleteRef,
  descendsFrom,
  ensureMirror,
  fetchMirror,
  markApplied,
  remoteUrl,
  verifySigned,
} from '../adapters/git-mirror.js';
import { CheckFailedError } from '../core/errors.js';
import type { Context } from '../commands/context.js';
import type { PassLog } from './pass-log.js';
import type { AgentSession } from './session.js';

interface FetchOptions {
  dryRun?: boolean;
  allowRewrite?: boolean;
  /** The commit applied last, or null on a first apply. */
  previousCommit: string | null;
}

/** The branch tip, fetched and checked; throws CheckFailedError when it must not be applied. */
export async function fetchTrustedTip(
  session: AgentSession,
  opts: FetchOptions,
  ctx: Context,
  log: PassLog,
): Promise<string> {
  const { config, paths } = session;
  const { remote, branch } = config.repository;
  const { previousCommit } = opts;
  await ensureMirror(paths.mirror, ctx.env);
  if (previousCommit && !opts.dryRun) await markApplied(paths.mirror, ctx.env, previousCommit);
  // The target is a clone of the pipeline repository; the config may live outside it (/etc/git-promote).
  const url = await remoteUrl(session.target, ctx.env, remote);
  // A dry run holds no lock: it fetches into a scratch ref of its own, so it never races the
  // agent's ref updates, and deletes it afterwards.
  const scratch = opts.dryRun
    ? `refs/git-promote/dry-run-${process.pid}-${randomBytes(4).toString('hex')}`
    : undefined;
  let tip: string;
  try {
    tip = await fetchMirror(paths.mirror, ctx.env, url, branch, { ref: scratch, signal: ctx.signal });
  } finally {
    if (scratch) await deleteRef(paths.mirror, ctx.env, scratch);
  }

  if (previousCommit && previousCommit !== tip && !opts.allowRewrite) {
    if (!(await descendsFrom(paths.mirror, ctx.env, previousCommit, tip))) {
      throw new CheckFailedError(
        `${remote}/${branch} at ${tip.slice(0, 12)} does not descend from the applied commit ${previousCommit.slice(0, 12)}: the branch history was rewritten`,
        'Find out why the branch was force-pushed; to apply it anyway run `git promote apply --allow-rewrite`.',
      );
    }
  }
  if (config.agent.requireSignedCommits) {
    const signers = config.agent.allowedSigners;
    const signer = await verifySigned(paths.mirror, ctx.env, tip, {
      gpg: signers?.gpg ?? [],
      ssh: signers?.ssh ? resolve(session.root, signers.ssh) : undefined,
    });
    log('signed', { commit: tip.slice(0, 12), signer });
  }
  return tip;
}
