/**
 * Between full passes, the agent looks at the remote cheaply (docs/agent-interval.md): one
 * `git ls-remote` of the branch, and a read of the pointer files it wrote. An interval does a full
 * pass (fetch, plan, write, follow-ups) only when something may have changed: the branch tip
 * differs from the one the last full pass applied, a pointer file in the target differs from what
 * that pass left (drift to restore), the last pass failed (a refusal is retried every interval),
 * the remote could not be read, or FULL_PASS_EVERY intervals went by without a full pass.
 */
import { remoteUrl } from '../adapters/git-mirror.js';
import { readOrNull } from '../adapters/read-text.js';
import { remoteBranchTip } from '../adapters/remote-tip.js';
import type { Context } from '../commands/context.js';
import { assertLockHeld, pointerPath, type AgentSession } from './session.js';

/** A full pass at least this often, whatever the remote says. */
export const FULL_PASS_EVERY = 10;

/** What the last successful full pass left behind. */
interface Armed {
  url: string;
  tip: string;
  /** Pointer file contents in the target after the pass, by file. */
  files: Map<string, string | null>;
  /** Intervals since that pass that were answered by the cheap check. */
  skipped: number;
}

export interface RemoteCheck {
  /** After a full pass that succeeded at `tip`: the cheap check may answer the next intervals. */
  passed(tip: string): Promise<void>;
  /** After a full pass that failed: the next interval does a full pass. */
  failed(): void;
  /**
   * True when this interval needs no full pass: nothing changed since the last one. Throws
   * LockLostError when the agent's lock is gone (as a full pass would).
   */
  unchanged(): Promise<boolean>;
}

function targetFiles(session: AgentSession): Map<string, string | null> {
  const files = new Map<string, string | null>();
  for (const p of Object.values(session.config.pointers))
    files.set(p.file, readOrNull(pointerPath(session, p.file)));
  return files;
}

export function remoteCheck(session: AgentSession, ctx: Context): RemoteCheck {
  let armed: Armed | null = null;
  return {
    async passed(tip) {
      // The URL is read again after every full pass, so a changed remote is followed; when it
      // cannot be read, the next interval does a full pass, which says why.
      const url = await remoteUrl(session.target, ctx.env, session.config.repository.remote).catch(
        () => null,
      );
      armed = url === null ? null : { url, tip, files: targetFiles(session), skipped: 0 };
    },
    failed() {
      armed = null;
    },
    async unchanged() {
      if (!armed || armed.skipped + 1 >= FULL_PASS_EVERY) return false;
      assertLockHeld(session);
      const now = targetFiles(session);
      for (const [file, content] of armed.files) if (now.get(file) !== content) return false;
      const { branch } = session.config.repository;
      const tip = await remoteBranchTip(session.paths.mirror, ctx.env, armed.url, branch, ctx.signal);
      if (tip !== armed.tip) return false;
      armed.skipped++;
      return true;
    },
  };
}
