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
});
