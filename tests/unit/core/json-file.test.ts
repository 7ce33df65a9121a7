import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJson, parseWith, stringifyJson } from '../../../src/core/json-file.js';
import { PromoteError } from '../../../src/core/errors.js';

function failure(fn: () => unknown): PromoteError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PromoteError);
    return err as PromoteError;
  }
  throw new Error('expected a failure');
}

describe('JSON files', () => {
  it('names the file and says how to find the syntax error', () => {
    const e = failure(() => parseJson('{"a": 1,', 'state.json'));
    expect(e.message).toMatch(/^state\.json is not valid JSON: /);
    expect(e.remedy).toBe(
      'Fix the JSON syntax in state.json (for example with `python -m json.tool state.json`).',
    );
  });

  it('lists every schema problem once: the first in the message, the others as details', () => {
    const schema = z.object({ a: z.string(), b: z.number(), c: z.boolean() });
    const e = failure(() => parseWith(schema, '{"a": 1, "b": "x", "c": true}', 'p.json'));
    expect(e.message).toMatch(/^p\.json is not valid: a: /);
    expect(e.details).toHaveLength(1);
    expect(e.details[0]).toMatch(/^b: /);
    expect(e.remedy).toBe('Fix p.json so it matches the documented format.');
  });

  it('writes 2-space indented JSON with a final newline', () => {
    expect(stringifyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});
