/** The fixed parts of an agent pass: config, target, state paths, crash hook; and the lock. */
import { join, resolve } from 'node:path';
import { loadConfig } from '../adapters/config-file.js';
import { crashHook, type CrashHook } from '../adapters/fs/crash-points.js';
import { acquireLock, type HeldLock } from '../adapters/fs/lock.js';
import { ensureStateDir, resolveStateDir, statePaths, type StatePaths } from '../adapters/fs/state-store.js';
import { TransientError, UsageError } from '../core/errors.js';
import type { Config } from '../core/schemas.js';
import { missingHostStage } from '../core/stages.js';
import type { Context } from '../commands/context.js';

/** Everything a pass needs that does not change between passes. */
export interface AgentSession {
  config: Config;
  root: string;
  target: string;
  paths: StatePaths;
  crash: CrashHook;
  /** The lock, once taken: checked before each pass writes anything. */
  lock?: HeldLock;
}

/** The lock file vanished under a running pass (its state directory was deleted): stop (exit 3). */
export class LockLostError extends TransientError {}

/** Throw LockLostError unless the session's lock is still ours (a session without a lock passes). */
export function assertLockHeld(session: AgentSession): void {
  if (!session.lock || session.lock.stillHeld()) return;
  throw new LockLostError(
    `the lock ${session.lock.path} is gone: the state directory ${session.paths.dir} was removed or replaced while git-promote ran, so it stopped before writing anything else`,
    'Find out what removed it; then start git-promote again (it starts from fresh state and checks the target anew).',
  );
}

export async function openSession(opts: { config?: string }, ctx: Context): Promise<AgentSession> {
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  if (!config.agent.target) {
    throw new UsageError(
      'agent.target is not set in promote.config.json',
      'Set agent.target to the pipeline checkout this host runs (where the pointer files live).',
    );
  }
  const noStage = missingHostStage(config);
  if (noStage) throw noStage;
  const target = resolve(root, config.agent.target);
  const paths = statePaths(resolveStateDir(config.agent.state, target, ctx.env, root));
  return { config, root, target, paths, crash: crashHook(ctx.env) };
}

export async function lockSession(
  session: AgentSession,
  opts: { wait?: boolean; command: string },
  ctx: Context,
): Promise<HeldLock> {
  ensureStateDir(session.paths);
  let said = false;
  session.lock = await acquireLock(session.paths.lock, {
    wait: opts.wait,
    signal: ctx.signal,
    now: ctx.now,
    command: opts.command,
    // With --wait, say once what it waits for (on stderr: stdout keeps the result).
    onRefused: (holder) => {
      if (!opts.wait || said) return;
      said = true;
      ctx.stderr.write(`waiting for the agent lock ${session.paths.lock}, held by ${holder}\n`);
    },
  });
  return session.lock;
}

export function pointerPath(session: AgentSession, file: string): string {
  return join(session.target, file);
}
