/**
 * `validate` with stages (docs/stages.md), pure. The first stage's pointer files are judged by
 * exactly the checks of a single-stage repository (its view of the config, validate-checks.ts).
 * A stage with `after` is judged on its record `promotions/<stage>/<pointer>/<run>.json`, which the
 * PR author wrote: its claims only say where to look; the record is derived again from GitHub by
 * the caller (HostReading) and must match it, come from the stage's agents, cover every host (or
 * the quorum) and have soaked. File types, scope and append-only cover every stage's files.
 */
import { classifyChange } from './change-kind.js';
import { evidencePath, parseEvidencePath } from './evidence-path.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { describeJsonError } from './json-syntax.js';
import type { Config } from './schemas.js';
import { issueLines } from './schemas.js';
import {
  judgeStage,
  recordDifferences,
  stageRecordSchema,
  type HostRecord,
  type HostVerdict,
  type StageRecord,
} from './stage-record.js';
import { parseRecordPath, recordPath, stageOrder, stagePointerFile, stageView } from './stages.js';
import {
  checkContract,
  checkFileTypes,
  checkScope,
  parseEvidence,
  pointerRun,
  runChecks,
  type CheckResult,
  type FileChange,
  type TreeFiles,
  type ValidateInput,
} from './validate-checks.js';
import type * as z from 'zod/v4';

const pass = (name: CheckResult['name'], reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  ok: true,
  reason,
  ...extra,
});
const fail = (name: CheckResult['name'], reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  ok: false,
  reason,
  ...extra,
});

/** The checks that look at the whole change rather than one stage: computed once over every stage. */
const WHOLE_CHANGE = new Set<CheckResult['name']>(['file-type', 'append-only', 'scope']);

export type StageRuns = Map<string, Map<string, string | null>>;

/** Every stage's pointer files, by path: the only pointer files a promotion may change. */
export function stageFiles(config: Config): Map<string, { stage: string; pointer: string }> {
  const files = new Map<string, { stage: string; pointer: string }>();
  for (const stage of stageOrder(config))
    for (const pointer of Object.keys(config.pointers))
      files.set(stagePointerFile(config, stage, pointer), { stage, pointer });
  return files;
}

/** The first stage (the one without `after`). */
export function firstStage(config: Config): string {
  return stageOrder(config)[0]!;
}

/** The run of each pointer of each stage in a tree. */
export function stageRuns(config: Config, tree: TreeFiles): StageRuns {
  const runs: StageRuns = new Map();
  for (const stage of stageOrder(config)) {
    const view = stageView(config, stage);
    runs.set(
      stage,
      new Map(Object.entries(view.pointers).map(([name, p]) => [name, pointerRun(tree.get(p.file), p).run])),
    );
  }
  return runs;
}

/** The pointer a changed path belongs to with stages: a stage file, evidence or a stage record. */
export function stagedPointerOf(config: Config, c: FileChange): string | null {
  if (c.outside) return null;
  const file = stageFiles(config).get(c.path);
  if (file) return file.pointer;
  const ev = parseEvidencePath(c.path);
  if (ev) return Object.hasOwn(config.pointers, ev.pointer) ? ev.pointer : null;
  const rec = parseRecordPath(c.path);
  return rec && config.stages?.[rec.stage]?.after && Object.hasOwn(config.pointers, rec.pointer)
    ? rec.pointer
    : null;
}

/** Records and first-stage evidence to load for the stages with `after`. */
export function recordPaths(config: Config, mergedRuns: StageRuns, changes: FileChange[]): string[] {
  const paths = new Set<string>();
  for (const stage of stageOrder(config)) {
    if (!config.stages?.[stage]?.after) continue;
    for (const [pointer, run] of mergedRuns.get(stage) ?? [])
      if (run) {
        paths.add(recordPath(stage, pointer, run));
        paths.add(evidencePath(pointer, run));
      }
  }
  for (const c of changes)
    if (c.status !== 'D' && stagedPointerOf(config, c) && parseRecordPath(c.path)) paths.add(c.path);
  return [...paths];
}

/** A stage promotion whose record must be derived again from GitHub. */
export interface RecordToCheck {
  stage: string;
  from: string;
  pointer: string;
  run: string;
  file: string;
  record: StageRecord;
}

type Parsed = { record: StageRecord; raw: unknown } | { problems: string[] };

export function parseRecord(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problems: [`not valid JSON: ${describeJsonError(text)}`] };
  }
  const result = stageRecordSchema.safeParse(raw);
  return result.success ? { record: result.data, raw } : { problems: issueLines(result.error as z.ZodError) };
}

/** What the caller read from GitHub and git for one host of a record. */
export interface HostReading {
  host: string;
  /** The commit the record names for this host (null: the record has no entry for it). */
  commit: string | null;
  /** GitHub's verdict for that commit, null when there was no commit to ask about. */
  verdict: HostVerdict | null;
  /** The `from` stage's run of the pointer at that commit, in git. */
  runAtCommit: string | null;
  /** The commit is on the target branch's history. */
  onBranch: boolean;
}

/** GitHub's side of one record, or why it could not be read. */
export type RecordReading = { unavailable: string } | { hosts: HostReading[] };

export const recordKey = (stage: string, pointer: string, run: string) => `${stage}/${pointer}/${run}`;

export interface StagedInput extends Omit<ValidateInput, 'held'> {
  /** Runs each stage's pointer selected on the target branch, by stage then pointer. */
  held: Map<string, Map<string, ReadonlySet<string>>>;
  /** GitHub readings of the records that need one (recordsToCheck), by recordKey. */
  readings: Map<string, RecordReading>;
}

/** The stage promotions of a PR whose records need GitHub: the rest is judged without it. */
export function recordsToCheck(input: Omit<StagedInput, 'readings'>): RecordToCheck[] {
  const out: RecordToCheck[] = [];
  const { config, target, merged } = input;
  for (const stage of stageOrder(config)) {
    const from = config.stages?.[stage]?.after;
    if (!from) continue;
    const view = stageView(config, stage);
    for (const [pointer, p] of Object.entries(view.pointers)) {
      const run = pointerRun(merged.get(p.file), p).run;
      if (!run) continue;
      const before = pointerRun(target.get(p.file), p).run;
      const held = input.held.get(stage)?.get(pointer) ?? new Set<string>();
      if (classifyChange(before, run, held) !== 'promotion') continue;
      const file = recordPath(stage, pointer, run);
      const text = merged.get(file);
      const parsed = text === null ? null : parseRecord(text);
      if (parsed && 'record' in parsed) out.push({ stage, from, pointer, run, file, record: parsed.record });
    }
  }
  return out;
}

/** Every check of a change to a repository with stages, in report order. */
export function runStagedChecks(input: StagedInput): CheckResult[] {
  const { config } = input;
  const pointerOf = (c: FileChange) => stagedPointerOf(config, c);
  // The whole-change checks read neither `held` nor GitHub.
  const whole: ValidateInput = { ...input, held: new Map() };
  const results: CheckResult[] = [...checkFileTypes(whole, pointerOf)];
  const mergedRuns = stageRuns(config, input.merged);
  for (const stage of stageOrder(config)) {
    const view = stageView(config, stage);
    const from = config.stages?.[stage]?.after;
    if (!from) {
      results.push(
        ...runChecks({ ...input, config: view, held: input.held.get(stage) ?? new Map() })
          .filter((r) => !WHOLE_CHANGE.has(r.name))
          .map((r) => label(r, stage)),
      );
      continue;
    }
    results.push(...stageChecks(input, stage, from, view));
  }
  results.push(...stagedAppendOnly(config, input.changes, mergedRuns), checkScope(whole, pointerOf));
  return results;
}

/** Name the stage in a result's reason, so a report with stages says which stage failed. */
function label(r: CheckResult, stage: string): CheckResult {
  return r.pointer ? { ...r, reason: `[${stage}] ${r.reason}` } : r;
}

function stageChecks(input: StagedInput, stage: string, from: string, view: Config): CheckResult[] {
  const results: CheckResult[] = [];
  const judged = new Set<string>();
  for (const [name, p] of Object.entries(view.pointers)) {
    const at = pointerRun(input.merged.get(p.file), p);
    if (at.run === null) {
      results.push(fail('pointer-file', `[${stage}] ${at.problem}`, { file: p.file, pointer: name }));
      continue;
    }
    const run = at.run;
    results.push(
      pass('pointer-file', `[${stage}] ${name} points at ${run}`, { file: p.file, pointer: name }),
    );
    // Every run a stage selects came through the first stage: its smoke evidence is in the tree.
    // (A stage's record is needed to promote it, not to hold it: rollbacks and runs held before
    // stages were configured need none.)
    const evidenceFile = evidencePath(name, run);
    const evidenceText = input.merged.get(evidenceFile);
    const parsed =
      evidenceText === null ? null : parseEvidence(evidenceText, input.toolVersion, evidenceFile);
    // Smoke or adopted evidence: both carry the run's meta and its hash.
    const evidence = parsed === null || 'problems' in parsed ? null : (parsed.evidence ?? parsed.adopted);
    if (evidence === null) {
      results.push(
        fail(
          'invariant',
          `[${stage}] ${evidenceFile}, the smoke evidence of ${run}, is ${evidenceText === null ? 'missing' : 'not valid evidence'}: a stage takes only runs the first stage promoted`,
          { file: p.file, pointer: name },
        ),
      );
      continue;
    }
    results.push(
      pass('invariant', `[${stage}] the smoke evidence of ${run} is in the tree`, {
        file: evidenceFile,
        pointer: name,
      }),
    );

    const before = pointerRun(input.target.get(p.file), p).run;
    const kind = classifyChange(before, run, input.held.get(stage)?.get(name) ?? new Set());
    if (kind === 'manual edit') continue;
    if (kind === 'rollback') {
      results.push(
        pass(
          'rollback',
          `[${stage}] ${name} returns ${before ?? '(none)'} -> ${run}, a run it selected before on the target branch`,
          { file: p.file, pointer: name },
        ),
      );
      continue;
    }
    // A promotion: on the record of the stage it follows.
    const file = recordPath(stage, name, run);
    judged.add(file);
    const text = input.merged.get(file);
    if (text === null) {
      results.push(
        fail(
          'stage-record',
          `[${stage}] no record for ${name}=${run} at ${file}: run git promote propose --stage ${stage} ${name} --from ${from}`,
          { file: p.file, pointer: name },
        ),
      );
      continue;
    }
    const base = baseRecordChecks(text, stage, from, name, run, file);
    results.push(...base.results);
    if (!base.parsed) continue;
    const record = base.parsed.record;
    results.push(
      record.meta_sha256 === evidence.meta_sha256
        ? checkContract(evidence, input.config.pointers[name]!, name, file)
        : fail(
            'meta-sha256',
            `the record's meta_sha256 ${record.meta_sha256.slice(0, 12)}… differs from ${evidenceFile}'s ${evidence.meta_sha256.slice(0, 12)}…`,
            { file, pointer: name },
          ),
      checkStageRecord({
        config: input.config,
        record,
        stage,
        from,
        pointer: name,
        run,
        file,
        reading: input.readings.get(recordKey(stage, name, run)) ?? {
          unavailable: 'GitHub was not asked (internal: no reading)',
        },
        fromRunAtTip: pointerRun(input.target.get(stagePointerFile(input.config, from, name)), p).run,
        now: input.now,
      }),
    );
  }
  // Records added on their own get their schema and match checks (selecting one later is a
  // promotion, judged against GitHub then).
  for (const c of input.changes) {
    const rec = c.status === 'D' ? null : parseRecordPath(c.path);
    if (!rec || rec.stage !== stage || judged.has(c.path) || !stagedPointerOf(input.config, c)) continue;
    const text = input.merged.get(c.path);
    if (text !== null)
      results.push(...baseRecordChecks(text, stage, from, rec.pointer, rec.runId, c.path).results);
  }
  return results;
}

/** Schema, match and hash of a record file. */
function baseRecordChecks(
  text: string,
  stage: string,
  from: string,
  pointer: string,
  run: string,
  file: string,
): { results: CheckResult[]; parsed: { record: StageRecord; raw: unknown } | null } {
  const parsed = parseRecord(text);
  if ('problems' in parsed)
    return {
      results: [fail('evidence-schema', `${file}: ${parsed.problems.join('; ')}`, { file, pointer })],
      parsed: null,
    };
  const r = parsed.record;
  const problems: string[] = [];
  if (r.stage !== stage) problems.push(`stage is "${r.stage}", expected "${stage}"`);
  if (r.from !== from) problems.push(`from is "${r.from}", expected "${from}" (the stage ${stage} follows)`);
  if (r.pointer !== pointer) problems.push(`pointer is "${r.pointer}", expected "${pointer}"`);
  if (r.run_id !== run) problems.push(`run_id is "${r.run_id}", expected "${run}"`);
  if (r.meta.run_id !== run) problems.push(`meta.run_id is "${r.meta.run_id}", expected "${run}"`);
  const meta = (parsed.raw as { meta: unknown }).meta;
  const hashProblem = canonicalProblem(meta);
  const hash = hashProblem ? null : canonicalSha256(meta);
  const results = [
    pass('evidence-schema', `${file} is a valid stage record`, { file, pointer }),
    problems.length
      ? fail('evidence-match', problems.join('; '), { file, pointer })
      : pass('evidence-match', `record is for ${stage} ${pointer}=${run} from ${from}`, { file, pointer }),
    hash === r.meta_sha256
      ? pass('meta-sha256', `meta_sha256 ${hash.slice(0, 12)} matches the embedded meta`, { file, pointer })
      : fail(
          'meta-sha256',
          hash === null
            ? `the embedded meta cannot be hashed: ${hashProblem}`
            : `meta_sha256 is ${r.meta_sha256.slice(0, 12)}… but the embedded meta hashes to ${hash.slice(0, 12)}…`,
          { file, pointer },
        ),
  ];
  return { results, parsed: results.every((x) => x.ok) ? parsed : null };
}

/**
 * The record against GitHub: every host entry must be what GitHub says (a trusted agent's success
 * on a commit of the branch where `from` selects the run), enough hosts, soaked, and `from` must
 * still run it at the target tip.
 */
export function checkStageRecord(input: {
  config: Config;
  record: StageRecord;
  stage: string;
  from: string;
  pointer: string;
  run: string;
  file: string;
  reading: RecordReading;
  fromRunAtTip: string | null;
  now: Date;
}): CheckResult {
  const { record, stage, from, pointer, run, file } = input;
  const extra = { file, pointer };
  const fromConfig = input.config.stages![from]!;
  const soak = input.config.stages![stage]!.soak;
  if ('unavailable' in input.reading)
    return fail(
      'stage-record',
      `cannot check ${from}'s record of ${pointer}=${run} on GitHub: ${input.reading.unavailable}`,
      extra,
    );
  const hosts = fromConfig.hosts ?? [];
  const problems: string[] = [];
  const notes: string[] = [];
  for (const h of record.hosts)
    if (!hosts.includes(h.host))
      problems.push(`the record names host ${h.host}, which is not a host of ${from} (${hosts.join(', ')})`);
  const verified: HostRecord[] = [];
  for (const reading of input.reading.hosts) {
    const claimed = record.hosts.find((h) => h.host === reading.host);
    if (!claimed || reading.commit === null) {
      notes.push(`${reading.host}: not in the record`);
      continue;
    }
    if (!reading.onBranch) {
      problems.push(`${reading.host}: commit ${reading.commit.slice(0, 12)} is not on the target branch`);
      continue;
    }
    if (reading.runAtCommit !== run) {
      problems.push(
        `${reading.host}: at ${reading.commit.slice(0, 12)} ${from}'s pointer selects ${reading.runAtCommit ?? 'nothing'}, not ${run}`,
      );
      continue;
    }
    const verdict = reading.verdict;
    if (!verdict || !verdict.ok) {
      (verdict?.ok === false && verdict.failed ? problems : notes).push(
        `${reading.host}: ${verdict?.problem ?? 'not read'}`,
      );
      continue;
    }
    const differences = recordDifferences(claimed, verdict.record);
    if (differences.length) {
      problems.push(`${reading.host}: the record does not match GitHub (${differences.join('; ')})`);
      continue;
    }
    verified.push(verdict.record);
  }
  const judged = judgeStage({ from, fromConfig, soak, verified, hostCount: hosts.length, now: input.now });
  if (judged.ok && judged.verifiedAt && Date.parse(record.verified_at) !== Date.parse(judged.verifiedAt))
    problems.push(`verified_at: the record says ${record.verified_at}, GitHub says ${judged.verifiedAt}`);
  if (input.fromRunAtTip !== run)
    problems.push(
      `${from} now runs ${input.fromRunAtTip ?? 'nothing'} on the target branch, not ${run}: ${stage} follows what ${from} runs now; propose again`,
    );
  const all = [...problems, ...judged.problems];
  if (all.length) return fail('stage-record', [...all, ...notes].join('; '), extra);
  const agents = [...new Set(verified.map((v) => v.status_creator))].join(', ');
  return pass(
    'stage-record',
    `${from} verified ${pointer}=${run} on ${verified.length} of ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${verified.map((v) => v.host).join(', ')}) by ${agents} at ${judged.verifiedAt}${soak ? `, soaked ${soak}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    extra,
  );
}

/**
 * Evidence and records are append-only; evidence may be deleted only when no stage's pointer
 * selects its run, a record only when its stage's pointer does not.
 */
export function stagedAppendOnly(
  config: Config,
  changes: FileChange[],
  mergedRuns: StageRuns,
): CheckResult[] {
  const results: CheckResult[] = [];
  let added = 0;
  let deleted = 0;
  for (const c of changes) {
    if (c.outside) continue;
    const ev = parseEvidencePath(c.path);
    const rec = ev ? null : parseRecordPath(c.path);
    if (!ev && !rec) continue;
    const pointer = (ev ?? rec)!.pointer;
    const run = (ev ?? rec)!.runId;
    if (c.status === 'A') added++;
    else if (c.status === 'D') {
      const users = [...mergedRuns]
        .filter(([stage, runs]) => (rec ? stage === rec.stage : true) && runs.get(pointer) === run)
        .map(([stage]) => stage);
      if (users.length)
        results.push(
          fail(
            'append-only',
            `${ev ? 'evidence' : 'record'} deleted while ${users.join(', ')} still point${users.length === 1 ? 's' : ''} ${pointer} at ${run}`,
            {
              file: c.path,
              pointer,
            },
          ),
        );
      else deleted++;
    } else
      results.push(
        fail(
          'append-only',
          `${ev ? 'evidence' : 'record'} file modified: evidence is append-only, add a new file instead`,
          {
            file: c.path,
            pointer,
          },
        ),
      );
  }
  if (results.length === 0)
    results.push(
      pass(
        'append-only',
        `${added} evidence file${added === 1 ? '' : 's'} added, ${deleted} unreferenced deleted, none modified`,
      ),
    );
  return results;
}
