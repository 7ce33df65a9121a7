/**
 * A pointer's history from git with a fixed number of processes, whatever the history length:
 * one `git log` over the pointer file (both versions of it come from the full-context patch) and
 * one `git cat-file --batch` for the evidence of every change.
 */
import { runsHeld } from '../core/change-kind.js';
import { StringDecoder } from 'node:string_decoder';
import { openBlobReader, readBlobs, runGit, streamGit, type Env } from './git.js';
import { readPointerRunOr } from '../core/pointer-file.js';
import {
  FULL_CONTEXT,
  LOG_FORMAT,
  classify,
  LogParser,
  pointerChange,
  repoEvidencePath,
  type BlockInfo,
  type HistoryEntry,
  type LogCommit,
} from '../core/history.js';

interface PointerHistoryInput {
  /** Where git runs: the repository (or a directory inside it). */
  cwd: string;
  env: Env;
  /** Commit to walk from (already verified), e.g. the fetched tip of the branch. */
  tip: string;
  pointer: string;
  /** Pointer file path relative to the repository top level. */
  file: string;
  runField: string;
  /** Path of the config root inside the repository ('' or 'sub/dir/'), where promotions/ lives. */
  prefix: string;
  limit?: number;
  /** Reads the embedded PR block of a commit message, when the message carries one. */
  parseBlock?: (message: string) => BlockInfo | null;
}

type PointerChangeRecord = ReturnType<typeof pointerChange> & { commit: LogCommit };

/**
 * Every change of the pointer file on the first-parent history of `tip`, newest first, with its
 * runs. The log is parsed as git prints it; `onChange` sees each change as soon as it is read.
 */
export async function readPointerChanges(
  input: Omit<PointerHistoryInput, 'pointer' | 'prefix' | 'parseBlock'> & {
    onChange?: (change: PointerChangeRecord) => void;
  },
): Promise<PointerChangeRecord[]> {
  if (!/^[0-9a-f]{40,64}$/.test(input.tip)) throw new Error(`not a commit id: ${input.tip}`);
  const changes: PointerChangeRecord[] = [];
  const parser = new LogParser((commit) => {
    const change = { commit, ...pointerChange(commit, input.runField, input.file) };
    changes.push(change);
    input.onChange?.(change);
  });
  const text = new StringDecoder('utf8');
  const args = [
    // Settings that would change what the patch looks like are pinned, whatever the user's config.
    '-c',
    'diff.suppressBlankEmpty=false',
    '-c',
    'log.showSignature=false',
    'log',
    '--first-parent',
    '--diff-merges=first-parent',
    '-z',
    '--patch',
    '--text',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-renames',
    '--no-relative',
    `--unified=${FULL_CONTEXT}`,
    `--format=${LOG_FORMAT}`,
    ...(input.limit !== undefined ? [`--max-count=${input.limit}`] : []),
    input.tip,
    '--',
    `:(top,literal)${input.file}`,
  ];
  await streamGit(input.cwd, input.env, args, (chunk) => parser.push(text.write(chunk)));
  parser.push(text.end());
  parser.end();
  return changes;
}

/** Every change of the pointer file on the first-parent history of `tip`, newest first. */
export async function readPointerHistory(input: PointerHistoryInput): Promise<HistoryEntry[]> {
  // The whole history is read even with a limit: a change's kind depends on every earlier run.
  // Evidence is read only for the changes shown, by a cat-file that runs beside the log.
  const limit = input.limit ?? Infinity;
  const evidence = openBlobReader(input.cwd, input.env);
  const slots: number[] = [];
  let asked = 0;
  let changes: PointerChangeRecord[];
  try {
    changes = await readPointerChanges({
      ...input,
      limit: undefined,
      onChange: ({ commit, to }) => {
        if (slots.length >= limit) return;
        const path = repoEvidencePath(input.prefix, input.pointer, to);
        if (path === null) return void slots.push(-1);
        evidence.request(`${commit.sha}:${path}`);
        evidence.request(`${commit.sha}^1:${path}`);
        slots.push(asked);
        asked += 2;
      },
    });
  } catch (err) {
    // git's log failed: the cat-file beside it must not wait for names.
    await evidence.close().catch(() => undefined);
    throw err;
  }
  const blobs = await evidence.close();
  const shown = changes.slice(0, slots.length);
  // Oldest first, so each change is classified by the runs the pointer held before it.
  const held = runsHeld(changes.slice(shown.length));
  const entries: HistoryEntry[] = [];
  for (let i = shown.length - 1; i >= 0; i--) {
    const { commit, from, to, problems } = shown[i]!;
    const slot = slots[i]!;
    entries.push(
      classify({
        commit,
        from,
        to,
        evidence: slot < 0 ? null : (blobs[slot]?.toString('utf8') ?? null),
        evidenceAtParent: slot < 0 ? false : blobs[slot + 1] !== null,
        block: input.parseBlock?.(commit.message) ?? null,
        problems,
        heldBefore: held,
      }),
    );
    if (from !== null) held.add(from);
    if (to !== null) held.add(to);
  }
  return entries.reverse();
}

/**
 * The run a pointer file selected at the commit that last added `file` on the first-parent history
 * of `tip` (where an adoption landed); null when no such commit or no readable pointer there.
 */
export async function runWhereAdded(input: {
  /** Where git runs: the repository (or a directory inside it). */
  cwd: string;
  env: Env;
  tip: string;
  /** The added file's path relative to the repository top level. */
  file: string;
  /** Pointer file path relative to the repository top level. */
  pointerFile: string;
  runField: string;
}): Promise<string | null> {
  if (!/^[0-9a-f]{40,64}$/.test(input.tip)) throw new Error(`not a commit id: ${input.tip}`);
  const sha = (
    await runGit(input.cwd, input.env, [
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--diff-filter=A',
      '--no-renames',
      '--max-count=1',
      '--format=%H',
      // --diff-merges implies a patch: only the commit id is wanted.
      '--no-patch',
      input.tip,
      '--',
      `:(top,literal)${input.file}`,
    ])
  ).stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) return null;
  const [text] = await readBlobs(input.cwd, input.env, [`${sha}:${input.pointerFile}`]);
  return readPointerRunOr(text ?? null, input.runField, input.pointerFile, []);
}
