/**
 * Unknown keys of an object, found by walking data against a zod schema. The config schema keeps
 * its objects loose (so the same building blocks serve the pipeline's files, which keep unknown
 * keys); for the config this walk makes every object strict, so a typo such as
 * `agent.requireSignedCommit` is an error instead of a silently ignored setting. New keys added to
 * the schema are known here without any list to update.
 */
import * as z from 'zod/v4';
import { didYouMean } from './did-you-mean.js';

/** Strip wrappers that do not change the shape (optional, default, nullable, pipe input …). */
function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    if (
      schema instanceof z.ZodOptional ||
      schema instanceof z.ZodDefault ||
      schema instanceof z.ZodNullable ||
      schema instanceof z.ZodPrefault ||
      schema instanceof z.ZodReadonly ||
      schema instanceof z.ZodCatch ||
      schema instanceof z.ZodNonOptional
    )
      schema = schema.unwrap() as z.ZodType;
    else if (schema instanceof z.ZodPipe) schema = schema.in as z.ZodType;
    else return schema;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line per key of `data` that `schema` does not declare: "dot.path: unknown key; did you mean …". */
export function unknownKeyProblems(schema: z.ZodType, data: unknown, path: string[] = []): string[] {
  const inner = unwrap(schema);
  const problems: string[] = [];
  if (inner instanceof z.ZodObject && isPlainObject(data)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    for (const [key, value] of Object.entries(data)) {
      const field = shape[key];
      if (field) {
        problems.push(...unknownKeyProblems(field, value, [...path, key]));
        continue;
      }
      const guess = didYouMean(key, known);
      const where = [...path, key].join('.');
      problems.push(
        guess
          ? `${where}: unknown key; did you mean "${guess}"?`
          : `${where}: unknown key; known keys here: ${known.join(', ')}`,
      );
    }
  } else if (inner instanceof z.ZodRecord && isPlainObject(data)) {
    for (const [key, value] of Object.entries(data))
      problems.push(...unknownKeyProblems(inner.valueType as z.ZodType, value, [...path, key]));
  } else if (inner instanceof z.ZodArray && Array.isArray(data)) {
    data.forEach((item, i) =>
      problems.push(...unknownKeyProblems(inner.element as z.ZodType, item, [...path, String(i)])),
    );
  }
  return problems;
}

/** JSON Schema override: every object of the schema refuses properties it does not declare. */
export function closeObjects(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  if (ctx.zodSchema instanceof z.ZodObject) ctx.jsonSchema.additionalProperties = false;
}
