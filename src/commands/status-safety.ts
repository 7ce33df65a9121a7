/**
 * What `status` and `doctor` say about switching safely (docs/switching-safely.md): per pointer,
 * whether the run a rollback would restore is ready on this host; the freeze window now or next
 * and what waits for it; and whether the host is diverged after a break-glass rollback, with what
 * to do about it.
 */
import { readJournal, type Diverged, type StatePaths } from '../adapters/fs/state-store.js';
import { rollbackReadiness, type Readiness } from '../adapters/fs/rollback-readiness.js';
import { readBlobs } from '../adapters/git.js';
import { readPointerChanges } from '../adapters/pointer-history.js';
import { runsHeld } from '../core/change-kind.js';
import { isPromoteError } from '../core/errors.js';
import { evidencePath } from '../core/evidence-path.js';
import { activeFreeze, nextFreeze, type FreezeSpan } from '../core/freeze.js';
import { isRunId } from '../core/run-id.js';
import type { Config } from '../core/schemas.js';
import { classifyWrites, disagreements, frozenWrites, type ClassifiedWrite } from '../core/switch-gate.js';
import type { Context } from './context.js';

/** For each pointer: can this host go back to the run before the branch's latest change? */
export async function readinessByPointer(
  config: Config,
  root: string,
  sha: string,
  prefix: string,
  env: Context['env'],
): Promise<Record<string, Readiness>> {
  const entries = Object.entries(config.pointers);
  const previous = await Promise.all(
    entries.map(async ([, p]) => {
      const [latest] = await readPointerChanges({
        cwd: root,
        env,
        tip: sha,
        file: `${prefix}${p.file}`,
        runField: p.runField,
        limit: 1,
      });
      return latest?.from ?? null;
    }),
  );
  // Only valid run ids become paths; readiness reports the others.
  const wanted = entries.flatMap(([name], i) => {
    const run = previous[i];
    return run && isRunId(run) ? [{ i, spec: `${sha}:${prefix}${evidencePath(name, run)}` }] : [];
  });
  const blobs = await readBlobs(
    root,
    env,
    wanted.map((x) => x.spec),
  );
  const texts: (string | null)[] = entries.map(() => null);
  wanted.forEach((x, k) => (texts[x.i] = blobs[k] ?? null));
  return Object.fromEntries(
    entries.map(([name, p], i) => [
      name,
      rollbackReadiness(name, p, root, previous[i] ?? null, texts[i] ?? null),
    ]),
  );
}

export interface FreezeStatus {
  /** The window now, or null. */
  active: FreezeSpan | null;
  /** The next window to start. */
  next: FreezeSpan | null;
  /** Pending changes a window holds (now, or when the next one starts). */
  waiting: ClassifiedWrite[];
}

/**
 * The freeze windows around now and what they hold: every pending change from the host's runs to
 * the branch's, classified from the history up to the commit the host applied.
 */
export async function freezeStatus(
  config: Config,
  root: string,
  prefix: string,
  hostCommit: string | null,
  pending: { pointer: string; from: string | null; to: string }[],
  ctx: Context,
): Promise<FreezeStatus | null> {
  const windows = config.agent.freeze;
  if (windows.length === 0) return null;
  const now = ctx.now();
  const held = new Map<string, ReadonlySet<string>>();
  for (const c of pending) {
    const p = config.pointers[c.pointer]!;
    try {
      const changes = hostCommit
        ? await readPointerChanges({
            cwd: root,
            env: ctx.env,
            tip: hostCommit,
            file: `${prefix}${p.file}`,
            runField: p.runField,
          })
        : [];
      held.set(c.pointer, runsHeld(changes));
    } catch (err) {
      // The host's commit is not in this clone: nothing known to be held, so it counts as a promotion.
      if (isPromoteError(err)) throw err;
      held.set(c.pointer, new Set());
    }
  }
  return {
    active: activeFreeze(windows, now),
    next: nextFreeze(windows, now),
    waiting: frozenWrites(classifyWrites(pending, held)),
  };
}

export function freezeLines(f: FreezeStatus): string[] {
  const waiting = f.waiting.length
    ? f.waiting.map((w) => `${w.pointer} ${w.from ?? '-'} -> ${w.to} (${w.kind})`).join(', ')
    : null;
  const lines: string[] = [];
  if (f.active)
    lines.push(
      `freeze: ${f.active.name} (${f.active.label}) now, until ${f.active.end.toISOString()}: only rollbacks apply` +
        (waiting ? `; waiting: ${waiting}` : '; nothing pending waits'),
    );
  if (f.next)
    lines.push(
      `freeze: next ${f.next.name} (${f.next.label}) from ${f.next.start.toISOString()}` +
        (f.active ? '' : waiting ? `; would hold: ${waiting}` : '; nothing pending would wait'),
    );
  return lines;
}

export interface DivergedStatus {
  since: string;
  /** "minutes m2 -> m1" for each pointer rolled back locally. */
  rolledBack: string[];
  host: string;
  runs: Record<string, string>;
  branch: string;
  differences: string[];
  pr: { number: number; url: string } | null;
  next: string;
}

/** The diverged host, with what to do next (reconcile, or merge the PR reconcile opened). */
export function divergedStatus(
  d: Diverged,
  paths: StatePaths,
  branchRuns: Record<string, string> | null,
): DivergedStatus {
  const entry = readJournal(paths)
    .filter((e) => e.event === 'reconcile' && e.id === d.id)
    .at(-1);
  const raw = entry?.pr as { number?: unknown; url?: unknown } | null | undefined;
  const pr =
    raw && typeof raw.number === 'number' && typeof raw.url === 'string'
      ? { number: raw.number, url: raw.url }
      : null;
  return {
    since: d.since,
    rolledBack: d.rollbacks.map((r) => `${r.pointer} ${r.from ?? '-'} -> ${r.to}`),
    host: d.host,
    runs: d.runs,
    branch: d.branch,
    differences: branchRuns
      ? disagreements(
          d.runs,
          branchRuns,
          d.rollbacks.map((r) => r.pointer),
        )
      : [],
    pr,
    next: pr
      ? `merge PR #${pr.number} (${pr.url}); the agent resumes once the branch selects the host's runs, without writing again`
      : 'run `git promote reconcile` on this host once GitHub answers (it pushes the revert branch and opens its PR), then merge the PR',
  };
}

export function divergedLine(d: DivergedStatus): string {
  return `this host was rolled back locally at ${d.since} (${d.rolledBack.join(', ')})${
    d.differences.length ? ` (${d.differences.join('; ')})` : ''
  }; the agent applies nothing over it. next: ${d.next}`;
}
