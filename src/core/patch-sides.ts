/**
 * Rebuild the old and new contents of one small file from a unified diff printed with a context
 * larger than the file (`git log -p --unified=<big>`): every line of the file is then in the one
 * hunk, so both sides are complete. This is what lets `history` read every version of a pointer
 * file from a single `git log` instead of one blob read per commit.
 */
export interface PatchSides {
  /** Content before the change; null when the file was created. */
  before: string | null;
  /** Content after the change; null when the file was deleted. */
  after: string | null;
}

/** Sides of the first file in `patch` (the text git prints after the commit header). */
export function patchSides(patch: string): PatchSides | null {
  const lines = patch.split('\n');
  let i = lines.findIndex((l) => l.startsWith('diff --git '));
  if (i < 0) return null;
  let created = false;
  let deleted = false;
  for (i++; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
    const l = lines[i]!;
    if (l.startsWith('diff --git ') || l.startsWith('Binary files ')) return null;
    if (l.startsWith('new file mode')) created = true;
    if (l.startsWith('deleted file mode')) deleted = true;
  }
  // A header without a hunk (a mode-only change, an empty file created or deleted) reads as empty.
  const before: string[] = [];
  const after: string[] = [];
  // The last side a line went to, so "\ No newline at end of file" can apply to it.
  let last: 'both' | 'before' | 'after' = 'both';
  let beforeNoEol = false;
  let afterNoEol = false;
  for (i++; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('diff --git ')) break;
    const tag = l[0]; // a further "@@" hunk header has none of the tags below
    const text = l.slice(1);
    if (tag === ' ') {
      before.push(text);
      after.push(text);
      last = 'both';
    } else if (tag === '-') {
      before.push(text);
      last = 'before';
    } else if (tag === '+') {
      after.push(text);
      last = 'after';
    } else if (tag === '\\') {
      if (last !== 'after') beforeNoEol = true;
      if (last !== 'before') afterNoEol = true;
    }
  }
  const join = (side: string[], noEol: boolean) => side.join('\n') + (side.length > 0 && !noEol ? '\n' : '');
  return {
    before: created ? null : join(before, beforeNoEol),
    after: deleted ? null : join(after, afterNoEol),
  };
}
