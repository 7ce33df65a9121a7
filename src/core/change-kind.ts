/**
 * The one classifier of a pointer change, shared by validate, history and rollback (see
 * docs/commands/validate.md, "Kinds of change"): returning a pointer to a run it selected before on the
 * target branch's first-parent history is a rollback; any other new run is a promotion, whatever
 * the commit message, labels or evidence say; a change that selects no new run is a manual edit.
 */
export type ChangeKind = 'promotion' | 'rollback' | 'manual edit';

export function classifyChange(
  from: string | null,
  to: string | null,
  /** Every run the pointer selected before this change (on first-parent history). */
  heldBefore: ReadonlySet<string>,
): ChangeKind {
  if (to === null || to === from) return 'manual edit';
  return heldBefore.has(to) ? 'rollback' : 'promotion';
}

/** The runs a pointer selected, from its changes (any order): every `from` and `to` seen. */
export function runsHeld(changes: Iterable<{ from: string | null; to: string | null }>): Set<string> {
  const held = new Set<string>();
  for (const c of changes) {
    if (c.from !== null) held.add(c.from);
    if (c.to !== null) held.add(c.to);
  }
  return held;
}
