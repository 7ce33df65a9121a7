/**
 * What a failed git command means, from its stderr, and the error to show for it: one line saying
 * what failed, git's whole message below it (trimmed, control characters escaped, credentials in
 * URLs masked), and a hint. A remote or branch that does not exist is configuration (exit 2),
 * a network problem is transient (exit 3); retrying helps only the second.
 */
import { PromoteError, TransientError, UsageError } from './errors.js';
import { oneLine } from './workflow-commands.js';

type GitFailureKind = 'network' | 'auth' | 'missing-remote' | 'missing-branch' | 'other';

const NETWORK =
  /Could not resolve host|Could not resolve hostname|Failed to connect|Couldn't connect to server|Connection refused|Connection timed out|Connection reset|Network is unreachable|No route to host|Operation timed out|timed out after|early EOF|remote end hung up|TLS|SSL|gnutls/i;
const AUTH =
  /Permission denied \(publickey|Authentication failed|could not read Username|could not read Password|terminal prompts disabled|Host key verification failed|returned error: 40[13]/i;
const MISSING_REMOTE =
  /does not appear to be a git repository|Repository not found|repository '[^']*' not found|No such remote|not a git repository/i;
const MISSING_BRANCH = /couldn't find remote ref|Remote branch \S+ not found|unknown revision/i;

export function classifyGitFailure(stderr: string): GitFailureKind {
  if (NETWORK.test(stderr)) return 'network';
  if (AUTH.test(stderr)) return 'auth';
  if (MISSING_REMOTE.test(stderr)) return 'missing-remote';
  if (MISSING_BRANCH.test(stderr)) return 'missing-branch';
  return 'other';
}

/** git's message as detail lines: non-empty, trimmed, escaped, credentials masked, at most `max`. */
export function gitMessageLines(stderr: string, max = 20): string[] {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => oneLine(l.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')));
  return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more lines`] : lines;
}

interface GitFailureInput {
  /** What was being done, e.g. `git fetch origin main`. */
  what: string;
  stderr: string;
  remote: string;
  branch?: string;
  /** Hint for a failure git-promote cannot classify (it stays transient: exit 3). */
  otherHint: string;
  cause?: unknown;
}

/** The PromoteError for a failed git command, classified by its message. */
export function gitFailureError(input: GitFailureInput): PromoteError {
  const details = gitMessageLines(input.stderr);
  const options = { details, ...(input.cause === undefined ? {} : { cause: input.cause }) };
  const remote = `remote "${input.remote}"`;
  switch (classifyGitFailure(input.stderr)) {
    case 'network':
      return new TransientError(
        `${input.what} failed: cannot reach ${remote}`,
        'Check the network and the remote URL (`git remote -v`), then retry; it is safe to repeat.',
        options,
      );
    case 'auth':
      return new UsageError(
        `${input.what} failed: ${remote} refused the credentials`,
        'Check your git credentials for that remote (SSH key, deploy key or credential helper).',
        options,
      );
    case 'missing-remote':
      return new UsageError(
        `${input.what} failed: ${remote} is not a repository git can read`,
        'Check `git remote -v` and repository.remote in promote.config.json, and that the repository exists.',
        options,
      );
    case 'missing-branch':
      return new UsageError(
        `${input.what} failed: branch "${input.branch ?? '?'}" does not exist on ${remote}`,
        'Check repository.branch in promote.config.json, or push that branch first.',
        options,
      );
    default:
      return new TransientError(
        `${input.what} failed: ${details.at(-1) ?? 'git gave no message'}`,
        input.otherHint,
        options,
      );
  }
}
