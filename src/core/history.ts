/**
 * Pure reading of a pointer's history: parse one `git log -z -p` over the pointer file, then
 * classify each change with the shared classifier (core/change-kind.ts) from the runs the pointer
 * held before it on first-parent history; messages and PR blocks only add the PR and what a
 * change says it reverts.
 */
import { classifyChange, type ChangeKind } from './change-kind.js';
import { evidencePath } from './evidence-path.js';
import { readPointerRunOr } from './pointer-file.js';
import { isRunId } from './run-id.js';
import { patchSides } from './patch-sides.js';

/**
 * The `git log --format` that parseLog reads. It starts with a NUL, and `-z` puts a NUL between
 * the header and the patch; a commit message cannot contain NUL, so records cannot be forged by
 * whatever a pull request put in a squash message. The message comes last for the same reason.
 */
export const LOG_FORMAT = '%x00%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%B';

/** Larger than any pointer file has lines, so the patch holds both whole versions. */
export const FULL_CONTEXT = 100_000;

export interface LogCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  commitDate: string;
  message: string;
  /** The diff of the pointer file printed after the header ('' when none). */
  patch: string;
}

const HEADER =
  // The unit separators are the point of this pattern.
  // eslint-disable-next-line no-control-regex
  /^([0-9a-f]{40,64})\x1f([0-9a-f ]*)\x1f([^\x1f]*)\x1f([^\x1f]*)\x1f([^\x1f]*)\x1f([^\x1f]*)\x1f/;

/**
 * Parses the output of `git log -z -p --format=LOG_FORMAT` as it streams in: each commit goes to
 * `onCommit` once the next one starts (or the output ends). Linear in the output, however it is
 * cut into chunks.
 */
export class LogParser {
  private current: LogCommit | null = null;
  /** The token being read: the text after the last NUL, in pieces. */
  private pending: string[] = [];

  constructor(private readonly onCommit: (commit: LogCommit) => void) {}

  push(text: string): void {
    let start = 0;
    for (let nul = text.indexOf('\0'); nul >= 0; nul = text.indexOf('\0', start)) {
      this.pending.push(text.slice(start, nul));
      this.token(this.pending.join(''));
      this.pending = [];
      start = nul + 1;
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  end(): void {
    this.token(this.pending.join(''));
    this.pending = [];
    if (this.current) this.onCommit(this.current);
    this.current = null;
  }

  private token(token: string): void {
    const m = HEADER.exec(token);
    if (m) {
      if (this.current) this.onCommit(this.current);
      this.current = {
        sha: m[1]!,
        parents: m[2]!.split(' ').filter(Boolean),
        authorName: m[3]!,
        authorEmail: m[4]!,
        authorDate: m[5]!,
        commitDate: m[6]!,
        message: token.slice(m[0].length),
        patch: '',
      };
    } else if (this.current) {
      this.current.patch += token;
    }
  }
}

/** Split the whole output of `git log -z -p --format=LOG_FORMAT` into commits. */
export function parseLog(output: string): LogCommit[] {
  const commits: LogCommit[] = [];
  const parser = new LogParser((c) => commits.push(c));
  parser.push(output);
  parser.end();
  return commits;
}

export type { ChangeKind };

/** What an embedded PR block (see pr-body) says about a commit, when its message carries one. */
export interface BlockInfo {
  kind: 'promotion' | 'rollback';
  pr?: number | null;
  /** Commits a rollback block says it reverts. */
  reverts?: string[];
}

export interface EvidenceSummary {
  gameDate: string | null;
  rows: number | null;
  /** Adopted evidence (`git promote adopt`): no smoke run, so no game date or rows. */
  adopted?: true;
  /** True when this commit added the evidence file, false when it was already there. */
  addedHere: boolean;
}

export interface HistoryEntry {
  sha: string;
  parents: string[];
  /** Committer date: when the change reached the branch. */
  date: string;
  authorDate: string;
  author: { name: string; email: string };
  /**
   * Who proposed the change: the commit author, or for a commit a bot made (a squash merge by
   * the promotion workflow) the first `Co-authored-by:` trailer GitHub adds for the PR's author.
   */
  proposer: { name: string; email: string } | null;
  /** The bot that made the commit, when one did (it merged the PR); null for a person's commit. */
  mergedBy: string | null;
  subject: string;
  from: string | null;
  to: string | null;
  kind: ChangeKind;
  pr: number | null;
  /** Commits this one says it reverts ("This reverts commit …" or a rollback block). */
  reverts: string[];
  evidence: EvidenceSummary | null;
  problems: string[];
}

/** The pull request number from GitHub's squash ("title (#N)") or merge commit messages. */
export function prNumberFromMessage(message: string): number | null {
  const subject = message.split('\n', 1)[0]!.trim();
  const merge = /^Merge pull request #(\d+) from /.exec(subject);
  if (merge) return Number(merge[1]);
  const squash = /\(#(\d+)\)$/.exec(subject);
  if (squash) return Number(squash[1]);
  return null;
}

/** Every commit named by a "This reverts commit <sha>." line. */
export function revertedShas(message: string): string[] {
  return [...message.matchAll(/^This reverts commit ([0-9a-f]{7,64})\b/gm)].map((m) => m[1]!);
}

/** The sides of the pointer change in a commit, with run ids. */
export function pointerChange(
  commit: LogCommit,
  runField: string,
  file: string,
): { from: string | null; to: string | null; problems: string[] } {
  const problems: string[] = [];
  const sides = patchSides(commit.patch);
  if (!sides) {
    problems.push(`${file}: the change could not be read from the diff`);
    return { from: null, to: null, problems };
  }
  return {
    from: readPointerRunOr(sides.before, runField, `${file}@${commit.sha.slice(0, 12)}^`, problems),
    to: readPointerRunOr(sides.after, runField, `${file}@${commit.sha.slice(0, 12)}`, problems),
    problems,
  };
}

/** The repository path of a run's evidence file, or null when the run id could not be one. */
export function repoEvidencePath(prefix: string, pointer: string, run: string | null): string | null {
  return isRunId(run) ? `${prefix}${evidencePath(pointer, run)}` : null;
}

/** Game date and total output rows of an evidence file's text (null fields when unreadable). */
export function summarizeEvidence(text: string, addedHere: boolean): EvidenceSummary {
  let gameDate: string | null = null;
  let rows: number | null = null;
  try {
    const data = JSON.parse(text) as {
      kind?: unknown;
      game_date?: unknown;
      manifest?: { outputs?: { rows?: unknown }[] };
    };
    if (data.kind === 'adopted') return { gameDate: null, rows: null, adopted: true, addedHere };
    if (typeof data.game_date === 'string') gameDate = data.game_date;
    const outputs = Array.isArray(data.manifest?.outputs) ? data.manifest.outputs : [];
    for (const o of outputs) if (typeof o?.rows === 'number') rows = (rows ?? 0) + o.rows;
  } catch {
    // Unreadable evidence still counts as present; validate reports what is wrong with it.
  }
  return { gameDate, rows, addedHere };
}

interface ClassifyInput {
  commit: LogCommit;
  from: string | null;
  to: string | null;
  /** Evidence text for `to` at this commit and whether it existed at the first parent. */
  evidence: string | null;
  evidenceAtParent: boolean;
  block: BlockInfo | null;
  problems: string[];
  /** Every run the pointer selected before this commit on first-parent history. */
  heldBefore: ReadonlySet<string>;
}

/** Subjects are shown on terminals: control characters (escape sequences) from a PR title are neutralised. */
// eslint-disable-next-line no-control-regex
const printable = (text: string) => text.replace(/[\x00-\x1f\x7f]/g, '?');

const isBot = (name: string) => /\[bot\]$/.test(name.trim());

/** Proposer and merging bot of a commit (see HistoryEntry); a bot is never named as the proposer. */
export function whoOf(commit: LogCommit): Pick<HistoryEntry, 'proposer' | 'mergedBy'> {
  const author = { name: commit.authorName, email: commit.authorEmail };
  if (!isBot(author.name)) return { proposer: author, mergedBy: null };
  const coAuthor = [...commit.message.matchAll(/^Co-authored-by:\s*(.+?)\s*<([^>]*)>\s*$/gim)]
    .map((m) => ({ name: printable(m[1]!), email: printable(m[2]!) }))
    .find((a) => !isBot(a.name));
  return { proposer: coAuthor ?? null, mergedBy: printable(author.name) };
}

/** One history entry: kind, PR and evidence of a pointer change. */
export function classify(input: ClassifyInput): HistoryEntry {
  const { commit, from, to, block } = input;
  const reverts = [...new Set([...revertedShas(commit.message), ...(block?.reverts ?? [])])];
  const kind = classifyChange(from, to, input.heldBefore);
  return {
    sha: commit.sha,
    parents: commit.parents,
    date: commit.commitDate,
    authorDate: commit.authorDate,
    author: { name: commit.authorName, email: commit.authorEmail },
    ...whoOf(commit),
    subject: printable(commit.message.split('\n', 1)[0]!.trim()),
    from,
    to,
    kind,
    pr: block?.pr ?? prNumberFromMessage(commit.message),
    reverts,
    evidence: input.evidence === null ? null : summarizeEvidence(input.evidence, !input.evidenceAtParent),
    problems: input.problems,
  };
}

/** Human lines for `history`. */
export function historyLines(pointer: string, entries: HistoryEntry[]): string[] {
  if (entries.length === 0) return [`${pointer}: no changes on the branch`];
  return entries.map((e) => {
    // The committer's own zone is kept (GitHub's merges are in UTC: "Z"), so no time is ambiguous.
    const date = e.date.replace('T', ' ').replace(/([+-]\d\d:\d\d|Z)$/, ' $1');
    const move = `${e.from ?? '(none)'} -> ${e.to ?? '(none)'}`;
    const pr = e.pr === null ? '' : `  PR #${e.pr}`;
    const ev = e.evidence?.adopted
      ? '  evidence adopted'
      : e.evidence
        ? `  evidence ${e.evidence.gameDate ?? '?'}${e.evidence.rows === null ? '' : `, ${e.evidence.rows} rows`}`
        : '';
    const who = `${e.proposer?.name ?? '(unknown)'}${e.mergedBy ? ` (merged by ${e.mergedBy})` : ''}`;
    return `${date}  ${e.sha.slice(0, 12)}  ${e.kind.padEnd(11)}  ${move}  ${who}${pr}${ev}`;
  });
}
