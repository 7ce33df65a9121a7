import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CheckFailedError } from './errors.js';

/**
 * Why a value has no RFC 8785 canonical form (a number such as 1e400 parsed to Infinity, a lone
 * surrogate in a string), or null when it has one.
 */
export function canonicalProblem(value: unknown): string | null {
  try {
    return canonicalize(value) === undefined ? 'it is not a JSON value' : null;
  } catch (err) {
    return `it has no canonical JSON form (RFC 8785): ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** sha256 (hex) of the RFC 8785 canonical JSON of a value: the same whatever the whitespace. */
export function canonicalSha256(value: unknown): string {
  const problem = canonicalProblem(value);
  if (problem !== null)
    throw new CheckFailedError(
      `the meta cannot be hashed: ${problem}`,
      'Write meta.json with finite numbers and well-formed strings, then export the model again.',
    );
  return createHash('sha256').update(canonicalize(value)!).digest('hex');
}
