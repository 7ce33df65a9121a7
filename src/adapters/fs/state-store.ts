/**
 * The agent's state directory: state.json (what is applied, what follow-up is pending), an
 * append-only journal.jsonl (one line per event that changed something), the lock, the intent of a
 * write in progress, the private mirror and, without manifests.root, the apply manifests.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as z from 'zod/v4';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { stringifyJson } from '../../core/json-file.js';
import { withPath, writeAll, writeFileAtomic } from './atomic-write.js';
import { noCrash, type CrashHook } from './crash-points.js';

export interface StatePaths {
  dir: string;
  state: string;
  journal: string;
  lock: string;
  intent: string;
  mirror: string;
  manifests: string;
  /** The pass record behind the metrics and doctor's "last successful pass". */
  passes: string;
}

/**
 * agent.state when set (relative to the config's directory); otherwise one directory per target
 * under $XDG_STATE_HOME/git-promote (default ~/.local/state), so two targets never share a lock.
 */
export function resolveStateDir(
  agentState: string | undefined,
  target: string,
  env: Record<string, string | undefined>,
  root: string,
): string {
  if (agentState) return resolve(root, agentState);
  const base = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, '.local/state') : undefined);
  if (!base) {
    throw new UsageError(
      'no state directory: agent.state is not set and neither XDG_STATE_HOME nor HOME is',
      'Set agent.state in promote.config.json (for example /var/lib/git-promote).',
    );
  }
  const id = createHash('sha256').update(target).digest('hex').slice(0, 10);
  return join(base, 'git-promote', `${basename(target) || 'target'}-${id}`);
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    state: join(dir, 'state.json'),
    journal: join(dir, 'journal.jsonl'),
    lock: join(dir, 'agent.lock'),
    intent: join(dir, 'intent.json'),
    mirror: join(dir, 'mirror.git'),
    manifests: join(dir, 'manifests'),
    passes: join(dir, 'passes.json'),
  };
}

export function ensureStateDir(paths: StatePaths): void {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
}

const changeSchema = z.looseObject({
  pointer: z.string(),
  file: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  reason: z.string(),
});

/** A commit waiting for (or resuming) its afterApply follow-ups, e.g. a flow run. */
const pendingSchema = z.looseObject({
  id: z.string(),
  commit: z.string(),
  previousCommit: z.string().nullable(),
  changed: z.array(changeSchema),
  runs: z.record(z.string(), z.string()).optional(),
  manifest: z.string().nullable().optional(),
  since: z.string(),
  /** hook name -> what the hook returned (e.g. {flowRunId}); a hook listed here is done. */
  followUps: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** hook name -> what the hook saved while running (e.g. {flowRunId} before following it). */
  progress: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type Pending = z.output<typeof pendingSchema>;

const revertedSchema = z.looseObject({
  sha: z.string(),
  parents: z.array(z.string()),
  subject: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  pr: z.number().nullable(),
});

/**
 * The host was rolled back with `git promote rollback --local` (break-glass, docs/switching-safely.md):
 * it holds runs the branch does not select, so the agent applies nothing until the branch agrees.
 */
export const divergedSchema = z.looseObject({
  /** The apply id of the local rollback. */
  id: z.string(),
  since: z.string(),
  host: z.string(),
  /** The branch commit the host had applied when it was rolled back. */
  base: z.string(),
  /** Every pointer's run on the host now: the branch agrees when it selects exactly these. */
  runs: z.record(z.string(), z.string()),
  rollbacks: z.array(
    z.looseObject({
      pointer: z.string(),
      file: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      reason: z.string().nullable(),
      reverts: z.array(revertedSchema),
    }),
  ),
  /** The revert branch prepared in the agent's mirror, for `git promote reconcile` to push. */
  branch: z.string(),
  head: z.string(),
});
export type Diverged = z.output<typeof divergedSchema>;

export const agentStateSchema = z.looseObject({
  version: z.literal(1),
  target: z.string(),
  applied: z
    .looseObject({
      id: z.string(),
      commit: z.string(),
      at: z.string(),
      runs: z.record(z.string(), z.string()),
    })
    .nullable(),
  pending: pendingSchema.nullable(),
  /** The follow-ups of the last commit whose follow-ups all finished. */
  lastFollowUps: z
    .looseObject({ commit: z.string(), followUps: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .nullable()
    .default(null),
  diverged: divergedSchema.nullable().default(null),
});
export type AgentState = z.output<typeof agentStateSchema>;

export function emptyState(target: string): AgentState {
  return { version: 1, target, applied: null, pending: null, lastFollowUps: null, diverged: null };
}

export function readState(paths: StatePaths, target: string): AgentState {
  let text: string;
  try {
    text = readFileSync(paths.state, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(target);
    throw withPath(err, paths.state);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: refused below like any other invalid state
  }
  const parsed = agentStateSchema.safeParse(data);
  if (!parsed.success) {
    // Written atomically, so this is a hand edit or a disk fault: refuse rather than guess.
    throw new CheckFailedError(
      `agent state ${paths.state} is not valid`,
      `Restore it from the last "applied" line of ${paths.journal}, or remove it to start over.`,
    );
  }
  if (parsed.data.target !== target) {
    throw new UsageError(
      `agent state ${paths.state} belongs to target ${parsed.data.target}, not ${target}`,
      'Give each target its own agent.state directory.',
    );
  }
  return parsed.data;
}

export function writeState(paths: StatePaths, state: AgentState, crash: CrashHook = noCrash): void {
  writeFileAtomic(paths.state, stringifyJson(state), crash);
  crash('state-written');
}

interface JournalEntry {
  at: string;
  event: string;
  id?: string;
  commit?: string;
  [key: string]: unknown;
}

/**
 * Append one line on an O_APPEND descriptor, then fsync. A crash (or a full disk, which fails the
 * append) can at worst leave a torn last line: readers skip it, and the next append starts on a
 * fresh line.
 */
export function appendJournal(paths: StatePaths, entry: JournalEntry, crash: CrashHook = noCrash): void {
  const fd = openSync(paths.journal, 'a+', 0o644);
  try {
    const line = `${endsWithNewline(fd) ? '' : '\n'}${JSON.stringify(entry)}\n`;
    writeAll(fd, line);
    fsyncSync(fd);
  } catch (err) {
    throw withPath(err, paths.journal);
  } finally {
    closeSync(fd);
  }
  crash('journal-appended');
}

function endsWithNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 10;
}

/** Every intact journal line, oldest first. */
export function readJournal(paths: StatePaths): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(paths.journal, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw withPath(err, paths.journal);
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      // a torn last line from a crash mid-append, or the empty string after the final newline
    }
  }
  return out;
}
