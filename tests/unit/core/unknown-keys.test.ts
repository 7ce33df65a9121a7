/** Unknown keys found by walking data against a zod schema, wherever the objects sit. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { unknownKeyProblems } from '../../../src/core/unknown-keys.js';

const item = z.looseObject({ name: z.string(), size: z.number().optional() });

describe('unknown keys', () => {
  it('are found in objects inside arrays, records and transforms, with their dot-path', () => {
    const schema = z.looseObject({
      list: z.array(item),
      byName: z.record(z.string(), item),
      piped: item.transform((x) => x),
    });
    const data = {
      list: [{ name: 'a' }, { name: 'b', sise: 1 }],
      byName: { x: { name: 'x', colour: 'red' } },
      piped: { name: 'p', nmae: 'q' },
    };
    expect(unknownKeyProblems(schema, data)).toEqual([
      'list.1.sise: unknown key; did you mean "size"?',
      'byName.x.colour: unknown key; known keys here: name, size',
      'piped.nmae: unknown key; did you mean "name"?',
    ]);
  });

  it('leave data of the wrong type to the schema itself', () => {
    expect(unknownKeyProblems(item, null)).toEqual([]);
    expect(unknownKeyProblems(item, ['name'])).toEqual([]);
    expect(unknownKeyProblems(z.string(), { a: 1 })).toEqual([]);
    expect(unknownKeyProblems(z.record(z.string(), item), 'ab')).toEqual([]);
    expect(unknownKeyProblems(z.array(item), { 0: { x: 1 } })).toEqual([]);
  });
});
