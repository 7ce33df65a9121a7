import { describe, expect, it } from 'vitest';
import { patchSides } from '../../../src/core/patch-sides.js';

const header = 'diff --git a/p.json b/p.json\nindex 1..2 100644\n--- a/p.json\n+++ b/p.json\n';

describe('patchSides', () => {
  it('rebuilds both versions from a full-context hunk, blank lines included', () => {
    const patch = `\n${header}@@ -1,5 +1,5 @@\n {\n-  "run_id": "A",\n+  "run_id": "B",\n \n   "note": "x"\n }\n`;
    expect(patchSides(patch)).toEqual({
      before: '{\n  "run_id": "A",\n\n  "note": "x"\n}\n',
      after: '{\n  "run_id": "B",\n\n  "note": "x"\n}\n',
    });
  });

  it('handles created and deleted files', () => {
    const created = `diff --git a/p.json b/p.json\nnew file mode 100644\nindex 0..1\n--- /dev/null\n+++ b/p.json\n@@ -0,0 +1 @@\n+{"run_id":"A"}\n`;
    expect(patchSides(created)).toEqual({ before: null, after: '{"run_id":"A"}\n' });
    const deleted = `diff --git a/p.json b/p.json\ndeleted file mode 100644\nindex 1..0\n--- a/p.json\n+++ /dev/null\n@@ -1 +0,0 @@\n-{"run_id":"A"}\n`;
    expect(patchSides(deleted)).toEqual({ before: '{"run_id":"A"}\n', after: null });
  });

  it('applies "No newline at end of file" to the right side', () => {
    const patch = `${header}@@ -1 +1 @@\n-{"run_id":"A"}\n\\ No newline at end of file\n+{"run_id":"B"}\n`;
    expect(patchSides(patch)).toEqual({ before: '{"run_id":"A"}', after: '{"run_id":"B"}\n' });
    const both = `${header}@@ -1 +1 @@\n-{"run_id":"A"}\n\\ No newline at end of file\n+{"run_id":"B"}\n\\ No newline at end of file\n`;
    expect(patchSides(both)).toEqual({ before: '{"run_id":"A"}', after: '{"run_id":"B"}' });
  });

  it('handles an empty file created or deleted, and a mode-only change (no hunk at all)', () => {
    const created = 'diff --git a/p.json b/p.json\nnew file mode 100644\nindex 0000000..e69de29\n';
    expect(patchSides(created)).toEqual({ before: null, after: '' });
    const deleted = 'diff --git a/p.json b/p.json\ndeleted file mode 100644\nindex e69de29..0000000\n';
    expect(patchSides(deleted)).toEqual({ before: '', after: null });
    const mode = 'diff --git a/p.json b/p.json\nold mode 100644\nnew mode 100755\n';
    expect(patchSides(mode)).toEqual({ before: '', after: '' });
  });

  it('keeps content lines that look like diff syntax as content', () => {
    const patch = `${header}@@ -1,3 +1,3 @@\n---- a/x\n-diff --git a/b b/b\n++++ b/x\n+@@ -1 +1 @@\n  \\ not a marker\n`;
    expect(patchSides(patch)).toEqual({
      before: '--- a/x\ndiff --git a/b b/b\n \\ not a marker\n',
      after: '+++ b/x\n@@ -1 +1 @@\n \\ not a marker\n',
    });
  });

  it('returns null for a hunk whose line counts do not match (a cut or forged diff)', () => {
    expect(patchSides(`${header}@@ -1,2 +1,2 @@\n-{"run_id":"A"}\n+{"run_id":"B"}\n`)).toBeNull();
  });

  it('returns null for binary or missing diffs', () => {
    expect(patchSides('')).toBeNull();
    expect(patchSides(`diff --git a/p b/p\nindex 1..2\nBinary files a/p and b/p differ\n`)).toBeNull();
  });

  it('reads a header without a hunk: a mode change, an empty file created or deleted', () => {
    expect(patchSides('diff --git a/p b/p\nold mode 100644\nnew mode 100755\n')).toEqual({
      before: '',
      after: '',
    });
    expect(patchSides('diff --git a/p b/p\nnew file mode 100644\nindex 0000000..e69de29\n')).toEqual({
      before: null,
      after: '',
    });
    expect(patchSides('diff --git a/p b/p\ndeleted file mode 100644\nindex e69de29..0000000\n')).toEqual({
      before: '',
      after: null,
    });
  });

  it('reads the first file only; a first file without a hunk reads as empty, never as the next file', () => {
    const second = 'diff --git a/q b/q\n--- a/q\n+++ b/q\n@@ -1 +1 @@\n-x\n+y\n';
    expect(patchSides(`${header}@@ -1 +1 @@\n-A\n+B\n${second}`)).toEqual({ before: 'A\n', after: 'B\n' });
    expect(patchSides(`diff --git a/p b/p\nold mode 100644\nnew mode 100755\n${second}`)).toEqual({
      before: '',
      after: '',
    });
  });

  it('finds a hunk whose header carries a section heading, and reads several hunks', () => {
    const patch = `${header}@@ -1,2 +1,2 @@ a heading\n-A\n+B\n c\n@@ -9 +9 @@\n d\n`;
    expect(patchSides(patch)).toEqual({ before: 'A\nc\nd\n', after: 'B\nc\nd\n' });
  });

  it('applies "No newline" to the new side only, or to both after a context line', () => {
    expect(patchSides(`${header}@@ -1 +1 @@\n-A\n+B\n\\ No newline at end of file\n`)).toEqual({
      before: 'A\n',
      after: 'B',
    });
    expect(patchSides(`${header}@@ -1,2 +1,2 @@\n-A\n+B\n c\n\\ No newline at end of file\n`)).toEqual({
      before: 'A\nc',
      after: 'B\nc',
    });
  });

  it('gives an emptied file as empty, not as one blank line', () => {
    expect(patchSides(`${header}@@ -1 +0,0 @@\n-A\n`)).toEqual({ before: 'A\n', after: '' });
  });
});
