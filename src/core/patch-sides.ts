/**
 * Rebuild the old and new contents of one small file from a unified diff printed with a context
 * larger than the file (`git log -p --unified=<big>`): every line of the file is then in the one
 * hunk, so both sides are complete. This is what lets `history` read every version of a pointer
 * file from a single `git log` instead of one blob read per commit. The diff is parsed by
 * `parsePatch` of the `diff` package; only git's extended header lines (new, deleted, binary),
 * which it does not interpret, are read here.
 */
import { parsePatch, type StructuredPatch } from 'diff';

interface PatchSides {
  /** Content before the change; null when the file was created. */
  before: string | null;
  /** Content after the change; null when the file was deleted. */
  after: string | null;
}

/** Sides of the first file in `patch` (the text git prints after the commit header). */
export function patchSides(patch: string): PatchSides | null {
  const start = patch.search(/^diff --git /m);
  if (start < 0) return null;
  // The first file only: a hunk of the next file must never be read as this one's.
  const rest = patch.slice(start);
  const next = rest.slice(1).search(/^diff --git /m);
  const text = next < 0 ? rest : rest.slice(0, next + 1);
  // git's extended header: the lines between `diff --git` and the first `---` or hunk.
  const end = text.search(/^(---|@@)/m);
  const header = end < 0 ? text : text.slice(0, end);
  if (/^Binary files /m.test(header)) return null;
  const created = /^new file mode /m.test(header);
  const deleted = /^deleted file mode /m.test(header);
  let file: StructuredPatch | undefined;
  try {
    file = parsePatch(text)[0];
  } catch {
    return null; // not a well-formed unified diff
  }
  if (!file) return null;
  const before: string[] = [];
  const after: string[] = [];
  // The last side a line went to, so "\ No newline at end of file" can apply to it.
  let last: 'both' | 'before' | 'after' = 'both';
  let beforeNoEol = false;
  let afterNoEol = false;
  for (const line of file.hunks.flatMap((h) => h.lines)) {
    const body = line.slice(1);
    if (line.startsWith('-')) {
      before.push(body);
      last = 'before';
    } else if (line.startsWith('+')) {
      after.push(body);
      last = 'after';
    } else if (line.startsWith('\\')) {
      if (last !== 'after') beforeNoEol = true;
      if (last !== 'before') afterNoEol = true;
    } else {
      before.push(body);
      after.push(body);
      last = 'both';
    }
  }
  const join = (side: string[], noEol: boolean) => side.join('\n') + (side.length > 0 && !noEol ? '\n' : '');
  return {
    before: created ? null : join(before, beforeNoEol),
    after: deleted ? null : join(after, afterNoEol),
  };
}
