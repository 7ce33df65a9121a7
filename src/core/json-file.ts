import type * as z from 'zod/v4';
import { CheckFailedError } from './errors.js';
import { issueLines } from './schemas.js';
import { describeJsonError } from './json-syntax.js';

/** Parse JSON text, naming the file and the position on failure. */
export function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CheckFailedError(
      `${label} is not valid JSON: ${describeJsonError(text)}`,
      `Fix the JSON syntax in ${label} (for example with \`python -m json.tool ${label}\`).`,
    );
  }
}

/** Parse and validate JSON against a schema; every problem is listed with its dot-path. */
export function parseWith<S extends z.ZodType>(schema: S, text: string, label: string): z.output<S> {
  return validateWith(schema, parseJson(text, label), label);
}

/** Validate parsed JSON against a schema, as parseWith does. */
export function validateWith<S extends z.ZodType>(schema: S, data: unknown, label: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const lines = issueLines(result.error);
  throw new CheckFailedError(
    `${label} is not valid: ${lines[0]}`,
    `Fix ${label} so it matches the documented format.`,
    {
      details: lines.slice(1),
    },
  );
}

export function stringifyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
