/** "Did you mean" for unknown config keys: the edit distance and when a key is close enough. */
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../src/core/did-you-mean.js';

describe('edit distance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['abcd', 'acbd', 1],
    ['runFeild', 'runField', 1],
    ['ca', 'abc', 3],
    ['abcdef', 'badcfe', 3],
  ])('from %j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('did you mean', () => {
  it('suggests the closest known key, ignoring case, the first of equals', () => {
    expect(didYouMean('requireSignedCommit', ['requireSignedCommits', 'requireSigned'])).toBe(
      'requireSignedCommits',
    );
    expect(didYouMean('RUNFIELD', ['file', 'runField'])).toBe('runField');
    expect(didYouMean('bat', ['cat', 'hat'])).toBe('cat');
    expect(didYouMean('colums', ['contract', 'columns', 'column'])).toBe('columns');
    expect(didYouMean('requireSignedCommit', ['requireSigned', 'requireSignedCommits'])).toBe(
      'requireSignedCommits',
    );
  });

  it('allows a third of the word to differ, at least two edits, and no more', () => {
    expect(didYouMean('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz'); // 3 of 9
    expect(didYouMean('abcdefghi', ['abcdewxyz'])).toBeUndefined(); // 4 of 9
    expect(didYouMean('abc', ['xyc'])).toBe('xyc'); // 2 of 3: the floor of two
    expect(didYouMean('abc', ['xyz'])).toBeUndefined();
    expect(didYouMean('team', [])).toBeUndefined();
  });
});
