import { describe, expect, it } from 'vitest';
import { parseNameStatus } from '../../../src/adapters/git-diff.js';

describe('parseNameStatus', () => {
  it('reads NUL-separated status and raw path pairs, whatever the path holds', () => {
    const out = [
      'A',
      'promotions/minutes/m2.json',
      'M',
      'config/a b.json',
      'D',
      'x\n::error::y',
      'T',
      'link',
      '',
    ].join('\0');
    expect(parseNameStatus(out)).toEqual([
      { status: 'A', path: 'promotions/minutes/m2.json' },
      { status: 'M', path: 'config/a b.json' },
      { status: 'D', path: 'x\n::error::y' },
      { status: 'T', path: 'link' },
    ]);
    expect(parseNameStatus('')).toEqual([]);
  });
});
