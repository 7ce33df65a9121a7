import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** sha256 (hex) of the RFC 8785 canonical JSON of a value: the same whatever the whitespace. */
export function canonicalSha256(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return createHash('sha256').update(text).digest('hex');
}
