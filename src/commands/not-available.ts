import { UsageError } from '../core/errors.js';
import type { Outcome } from './context.js';

/** The handler of a command whose issue has not landed yet. */
export function notAvailable(verb: string): () => Promise<Outcome> {
  return () =>
    Promise.reject(
      new UsageError(
        `"git promote ${verb}" is not available yet in this version`,
        'Upgrade git-promote; until then follow the runbook step by hand.',
      ),
    );
}
