/** Commits of a pointer's history as parseLog returns them, and the entries classify makes of them. */
import { classify, type HistoryEntry, type LogCommit } from '../../src/core/history.js';

/** A full-length fake sha made of one repeated character. */
export const sha = (c: string) => c.repeat(40);

export function logCommit(over: Partial<LogCommit> = {}): LogCommit {
  return {
    sha: sha('a'),
    parents: [sha('0')],
    authorName: 'Ann',
    authorEmail: 'ann@example.com',
    authorDate: '2026-11-25T10:00:00Z',
    commitDate: '2026-11-25T10:05:00Z',
    message: 'Promote minutes to B (#7)\n',
    patch: '',
    ...over,
  };
}

/**
 * The classified change `from` -> `to` made by commit sha(s) with `message`: evidence present
 * unless a manual edit, and already at the parent for a rollback.
 */
export function historyEntry(
  s: string,
  kind: HistoryEntry['kind'],
  from: string | null,
  to: string,
  message: string,
): HistoryEntry {
  return classify({
    commit: logCommit({ sha: sha(s), message }),
    from,
    to,
    evidence: kind === 'manual edit' ? null : '{}',
    evidenceAtParent: kind === 'rollback',
    block: null,
    problems: [],
    // The classifier decides by the runs held before: a rollback returns to one of them.
    heldBefore: new Set(kind === 'rollback' ? [to] : kind === 'manual edit' ? [] : from ? [from] : []),
  });
}
