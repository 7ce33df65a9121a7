/** Catching the PromoteError a command or adapter call rejects with, to assert on it. */
import { expect } from 'vitest';
import { PromoteError } from '../../src/core/errors.js';

/** The PromoteError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function promoteErrorOf(
  p: Promise<unknown>,
  expected = 'expected a failure',
): Promise<PromoteError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PromoteError);
    return err as PromoteError;
  }
  throw new Error(expected);
}
