/** Where JSON text stops being valid: agrees with JSON.parse, and points at the first bad character. */
import { describe, expect, it } from 'vitest';
import { describeJsonError, jsonErrorOffset, lineColumn } from '../../../src/core/json-syntax.js';

/** Every part of the grammar: literals, numbers, escapes, empty and nested containers. */
const DOC =
  '{"a": [true, false, null, -0.5e-3, 12, 1E+2, 0, 3.25],\n' +
  ' "s": "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uABCDx",\n' +
  ' "o": {}, "e": [ ], "n": {"k": [1, {"x": "y"}]}}\n';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('JSON syntax', () => {
  it('accepts what JSON.parse accepts and nothing else, for every one-character edit of a rich document', () => {
    expect(parses(DOC)).toBe(true);
    expect(jsonErrorOffset(DOC)).toBeUndefined();
    for (let i = 0; i <= DOC.length; i++) {
      const edits = [DOC.slice(0, i) + DOC.slice(i + 1)];
      for (const c of ['x', ',', ']', '}', '"', ':', '\\', '\u0001', '-', '.', 'e', '0', ' ', 'u'])
        edits.push(DOC.slice(0, i) + c + DOC.slice(i));
      for (const text of edits)
        expect(jsonErrorOffset(text) === undefined, JSON.stringify(text)).toBe(parses(text));
    }
  });

  it.each([
    ['tru', 'line 1, column 4: unexpected end of input'],
    ['trux', 'line 1, column 4: unexpected "x"'],
    ['fals', 'line 1, column 5: unexpected end of input'],
    ['nul', 'line 1, column 4: unexpected end of input'],
    ['"abc', 'line 1, column 5: unexpected end of input'],
    ['"a\u0001"', 'line 1, column 3: unexpected "\\u0001"'],
    ['"\\x"', 'line 1, column 3: unexpected "x"'],
    ['"\\', 'line 1, column 3: unexpected end of input'],
    ['"\\u12g4"', 'line 1, column 6: unexpected "g"'],
    ['"\\u12', 'line 1, column 6: unexpected end of input'],
    ['01', 'line 1, column 2: unexpected "1"'],
    ['1.', 'line 1, column 2: unexpected "."'],
    ['1.5e', 'line 1, column 4: unexpected "e"'],
    ['-a', 'line 1, column 1: unexpected "-"'],
    ['{"a" 1}', 'line 1, column 6: unexpected "1"'],
    ['{"a":1,}', 'line 1, column 8: unexpected "}"'],
    ['{a:1}', 'line 1, column 2: unexpected "a"'],
    ['[1,]', 'line 1, column 4: unexpected "]"'],
    ['[1 2]', 'line 1, column 4: unexpected "2"'],
    ['[', 'line 1, column 2: unexpected end of input'],
    ['\ufeff{}', 'line 1, column 1: unexpected "\ufeff"'],
    ['{}\n  x', 'line 2, column 3: unexpected "x"'],
  ])('points at the first bad character of %j', (text, described) => {
    expect(parses(text)).toBe(false);
    expect(describeJsonError(text)).toBe(described);
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
