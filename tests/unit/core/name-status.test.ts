import { describe, expect, it } from 'vitest';
import { parseRawDiff } from '../../../src/adapters/git-diff.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);

describe('parseRawDiff', () => {
  it('reads modes, status and raw paths, whatever the path holds', () => {
    const out = [
      `:000000 100644 ${Z} ${A} A`,
      'promotions/minutes/m2.json',
      `:100644 100755 ${A} ${A} M`,
      'config/a b.json',
      `:100644 000000 ${A} ${Z} D`,
      'x\n::error::y',
      `:100644 120000 ${A} ${A} T`,
      'link',
      `:000000 160000 ${Z} ${A} A`,
      'sub',
      '',
    ].join('\0');
    expect(parseRawDiff(out)).toEqual([
      { status: 'A', path: 'promotions/minutes/m2.json', mode: '100644' },
      { status: 'M', path: 'config/a b.json', mode: '100755' },
      { status: 'D', path: 'x\n::error::y', mode: null },
      { status: 'T', path: 'link', mode: '120000' },
      { status: 'A', path: 'sub', mode: '160000' },
    ]);
    expect(parseRawDiff('')).toEqual([]);
  });
});
