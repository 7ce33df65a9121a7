/**
 * Hints and comments may point at project files and at sections of them, and the docs link to each
 * other: every one must resolve (issue #16: docs/propose.md did not; issue #13 moved the README's
 * reference into docs/, so a stale "README: …" or a broken link would send a reader nowhere).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docFiles } from '../../scripts/generated-docs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Files whose hints and comments cite docs: the code, the templates init writes, test helpers. */
const citing = () =>
  [ROOT + 'src', ROOT + 'templates', ROOT + 'scripts', ROOT + 'tests/helpers'].flatMap((d) => files(d));

/** Markdown without fenced code blocks and inline code, where nothing is a link or a heading. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchors GitHub gives a page's headings (github-slugger: lower case, punctuation dropped). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '')
      .toLowerCase();
    const base = text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Headings of a markdown file as written (without the #s and backticks). */
const headings = (markdown: string) =>
  new Set(
    [...markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) =>
      m[1]!.replace(/`/g, ''),
    ),
  );

/** Every relative link of page `file` (its text) that does not resolve: a missing file or anchor. */
function brokenLinks(file: string, text = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const broken: string[] = [];
  for (const m of prose(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#') as [string, string | undefined];
    if (path === '') {
      if (!anchors(text).has(anchor!)) broken.push(`${file}: ${target} (no heading #${anchor} on this page)`);
      continue;
    }
    const resolved = join(ROOT, dirname(file), decodeURI(path));
    if (!existsSync(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor !== undefined) {
      if (!resolved.endsWith('.md'))
        broken.push(`${file}: ${target} (an anchor into a file that is not markdown)`);
      else if (!anchors(readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${file}: ${target} (no heading #${anchor} in ${relative(ROOT, resolved)})`);
    }
  }
  return broken;
}

describe('references to project files', () => {
  it('every docs/… file that src/, templates/, scripts/ or test helpers mention exists', () => {
    const missing: string[] = [];
    for (const file of citing()) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bdocs\/[\w./-]+\.md\b/g))
        if (!existsSync(join(ROOT, m[0]))) missing.push(`${relative(ROOT, file)}: ${m[0]}`);
    }
    expect(missing).toEqual([]);
  });

  it('every section they cite by name is a heading of that page', () => {
    const missing: string[] = [];
    let cited = 0;
    for (const file of citing()) {
      const text = readFileSync(file, 'utf8');
      const refs = [
        ...[...text.matchAll(/\b(docs\/[\w./-]+\.md),? \(?"([^"]+)"/g)].map((m) => [m[1]!, m[2]!] as const),
        ...[...text.matchAll(/\bREADME(?:\.md)?:? \(?"([^"]+)"/g)].map((m) => ['README.md', m[1]!] as const),
      ];
      for (const [page, section] of refs) {
        cited++;
        const path = join(ROOT, page);
        if (!existsSync(path) || !headings(readFileSync(path, 'utf8')).has(section))
          missing.push(`${relative(ROOT, file)}: ${page} "${section}"`);
      }
    }
    expect(missing).toEqual([]);
    expect(cited).toBeGreaterThan(3);
  });
});

describe('links in README.md and docs/', () => {
  it('every relative link names a file that exists and, with #anchor, a heading in it', () => {
    const broken = docFiles(ROOT).flatMap((f) => brokenLinks(f));
    expect(broken).toEqual([]);
  });

  it('the checker reports a missing file or anchor, here or on another page, and skips code and URLs', () => {
    const page = [
      '## Here',
      '[ok](agent.md#the-lock) [ok](#here) [ok](../README.md) [ok](https://example.com/x.md#y)',
      '[gone](nowhere.md) [gone](agent.md#no-such-heading) [gone](#not-here) `[code](nowhere.md)`',
    ].join('\n');
    expect(brokenLinks('docs/x.md', page)).toEqual([
      'docs/x.md: nowhere.md (no such file)',
      'docs/x.md: agent.md#no-such-heading (no heading #no-such-heading in docs/agent.md)',
      'docs/x.md: #not-here (no heading #not-here on this page)',
    ]);

    expect(
      anchors('# Merges by `GITHUB_TOKEN` start no workflows\n## A\n## A\n```\n# not a heading\n```\n'),
    ).toEqual(new Set(['merges-by-github_token-start-no-workflows', 'a', 'a-1']));
    expect(anchors('## Who merges: `policy.merge`\n### Fault injection (tests only)\n')).toEqual(
      new Set(['who-merges-policymerge', 'fault-injection-tests-only']),
    );
    expect(prose('see `[x](nowhere.md)` and\n```\n[y](nowhere.md)\n```\n[z](here.md)')).not.toContain(
      'nowhere',
    );
  });
});
