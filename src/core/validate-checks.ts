/**
 * The checks of `git promote validate`, as pure functions over what was read from git: the target
 * branch tip's config (the rules), the target tip's tree, the tree the merge would produce, the
 * changed files with their modes, each pointer's past runs and the clock.
 *
 * The trust boundary (docs/security.md): nothing the PR changes decides how it is judged. The
 * pointer set, pointer files, artifacts templates, contracts, smoke expectations and policy come
 * from the target tip's config; the PR's own config is only reported ("needs human review").
 * `merged` is the target tip with the PR's versions of the files the PR changed: what merging
 * would leave on the branch, so a PR branched before a rule tightened is judged by the new rule.
 */
import semver from 'semver';
import { z } from 'zod';
import { validateConfig } from './config.js';
import { isPromoteError } from './errors.js';
import { describeJsonError } from './json-syntax.js';
import { classifyChange } from './change-kind.js';
import { evidencePath, parseEvidencePath } from './evidence-path.js';
import { daysBetween, slateDate } from './game-date.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { gateTable, metricGate, type Metrics } from './metric-gate.js';
import { readPointerRun } from './pointer-file.js';
import { evidenceSchema, issueLines, type Config, type PointerConfig } from './schemas.js';

export type CheckName =
  | 'config'
  | 'config-change'
  | 'file-type'
  | 'pointer-file'
  | 'invariant'
  | 'evidence-schema'
  | 'evidence-match'
  | 'meta-sha256'
  | 'smoke'
  | 'manifest'
  | 'columns'
  | 'rows'
  | 'evidence-age'
  | 'contract'
  | 'metrics'
  | 'stage-record'
  | 'rollback'
  | 'append-only'
  | 'scope';

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  reason: string;
  /** Repository path the result is about (for annotations). */
  file?: string;
  pointer?: string;
  /** A passing `scope` whose PR changes no pointer: valid, but merged only by a person. */
  review?: true;
  /** Rows behind the result (the metric gate's table), shown under it. */
  table?: { columns: string[]; rows: string[][] };
}

export type ChangeStatus = 'A' | 'M' | 'D' | 'T';

export interface FileChange {
  status: ChangeStatus;
  /** Path relative to the config root; for files outside it, relative to the repository top. */
  path: string;
  /** True when the file is outside the directory holding promote.config.json. */
  outside?: boolean;
  /** Git mode at head ('100644' a regular file); null or absent when deleted. */
  mode?: string | null;
}

/** Contents of the loaded paths of one tree; null means "not in the tree". */
export interface TreeFiles {
  get(path: string): string | null;
  /** True when the blob at `path` is not valid UTF-8 (its text is then unusable). */
  notUtf8?(path: string): boolean;
}

export type Policy = Config['policy'];

export interface ValidateInput {
  /** The target branch tip's config: every rule comes from here, never from the PR. */
  config: Config;
  /** The target branch tip. */
  target: TreeFiles;
  /** What the merge would leave: the PR's version of each file it changes, the target's otherwise. */
  merged: TreeFiles;
  /** Files the PR changes (its merge base to its head). */
  changes: FileChange[];
  /** Every run each pointer selected on the target branch's first-parent history. */
  held: Map<string, ReadonlySet<string>>;
  now: Date;
}

const pass = (name: CheckName, reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  ok: true,
  reason,
  ...extra,
});
const fail = (name: CheckName, reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  ok: false,
  reason,
  ...extra,
});

// Evidence as CI reads it: `published` may be any boolean here so that a smoke run that published
// is reported by the `smoke` check by name instead of as a schema error.
const evidenceShape = evidenceSchema.shape;
const ciEvidenceSchema = evidenceSchema.extend({
  smoke: evidenceShape.smoke.extend({ published: z.boolean() }),
});
export type CiEvidence = z.output<typeof ciEvidenceSchema>;

/** Parse and validate a config text; null config when it is missing or invalid. */
export function checkConfig(
  text: string | null,
  file: string,
  where = 'at head',
): { result: CheckResult; config: Config | null } {
  if (text === null) return { result: fail('config', `${file} is missing ${where}`, { file }), config: null };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {
      result: fail('config', `${file} ${where} is not valid JSON: ${describeJsonError(text)}`, { file }),
      config: null,
    };
  }
  const { config, errors } = validateConfig(data);
  if (!config)
    return { result: fail('config', `${file} ${where}: ${errors.join('; ')}`, { file }), config: null };
  const count = Object.keys(config.pointers).length;
  return {
    result: pass('config', `${file} ${where} is valid (${count} pointer${count === 1 ? '' : 's'})`, { file }),
    config,
  };
}

/**
 * The PR's own config, when it changes it: reported for its reviewers, never used to judge the PR
 * (it is merged by a person, and applies to the PRs after it).
 */
export function checkConfigChange(text: string | null, file: string): CheckResult {
  const { result } = checkConfig(text, file, 'in this PR');
  return result.ok
    ? pass('config-change', `${result.reason}; it does not judge this PR and needs human review`, { file })
    : { ...result, name: 'config-change' };
}

/** The run a pointer file selects, or null with the reason (missing, not JSON, bad run id). */
export function pointerRun(
  content: string | null,
  pointer: PointerConfig,
): { run: string; problem: null } | { run: null; problem: string } {
  if (content === null) return { run: null, problem: `${pointer.file} is missing` };
  try {
    return { run: readPointerRun(content, pointer.runField, pointer.file), problem: null };
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { run: null, problem: err.message };
  }
}

/** Parse evidence text; either the evidence or the list of problems. */
export function parseEvidence(text: string): { evidence: CiEvidence; raw: unknown } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problems: [`not valid JSON: ${describeJsonError(text)}`] };
  }
  const result = ciEvidenceSchema.safeParse(raw);
  if (!result.success) return { problems: issueLines(result.error as z.ZodError) };
  return { evidence: result.data, raw };
}

function list(items: string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

/** Evidence names the pointer and run of its path, and so do its manifest and meta. */
export function checkEvidenceMatch(
  evidence: CiEvidence,
  pointer: string,
  run: string,
  file: string,
): CheckResult {
  const problems: string[] = [];
  if (evidence.pointer !== pointer) problems.push(`pointer is "${evidence.pointer}", expected "${pointer}"`);
  if (evidence.run_id !== run) problems.push(`run_id is "${evidence.run_id}", expected "${run}"`);
  if (evidence.meta.run_id !== run)
    problems.push(`meta.run_id is "${evidence.meta.run_id}", expected "${run}"`);
  return problems.length
    ? fail('evidence-match', problems.join('; '), { file, pointer })
    : pass('evidence-match', `evidence is for ${pointer}=${run}`, { file, pointer });
}

/** The embedded meta hashes (RFC 8785) to the recorded meta_sha256. */
export function checkMetaSha(evidence: CiEvidence, raw: unknown, pointer: string, file: string): CheckResult {
  // Hash the meta exactly as committed (not the parsed copy), as the agent hashes meta.json on disk.
  const meta = (raw as { meta: unknown }).meta;
  const problem = canonicalProblem(meta);
  if (problem)
    return fail('meta-sha256', `the embedded meta cannot be hashed: ${problem}`, { file, pointer });
  const actual = canonicalSha256(meta);
  return actual === evidence.meta_sha256
    ? pass('meta-sha256', `meta_sha256 ${actual.slice(0, 12)} matches the embedded meta`, { file, pointer })
    : fail(
        'meta-sha256',
        `meta_sha256 is ${evidence.meta_sha256.slice(0, 12)}… but the embedded meta hashes to ${actual.slice(0, 12)}…`,
        { file, pointer },
      );
}

/** The smoke run exited 0, did not publish, and every check it recorded passed. */
export function checkSmoke(evidence: CiEvidence, pointer: string, file: string): CheckResult {
  const problems: string[] = [];
  if (evidence.smoke.exit_code !== 0) problems.push(`smoke exited ${evidence.smoke.exit_code}`);
  if (evidence.smoke.published !== false)
    problems.push('smoke published its outputs (must run with no publish)');
  const failed = evidence.checks.filter((c) => !c.ok).map((c) => c.name);
  if (failed.length) problems.push(`smoke checks failed: ${list(failed)}`);
  return problems.length
    ? fail('smoke', problems.join('; '), { file, pointer })
    : pass('smoke', `smoke exited 0 without publishing in ${Math.round(evidence.smoke.duration_ms)} ms`, {
        file,
        pointer,
      });
}

/** The smoke manifest succeeded, scoring this run, on the evidence's game date. */
export function checkManifest(evidence: CiEvidence, pointer: string, run: string, file: string): CheckResult {
  const m = evidence.manifest;
  const problems: string[] = [];
  if (m.status !== 'success') problems.push(`manifest status is ${m.status}, expected success`);
  // The scored model run: `models[pointer]` when the pipeline records it, else the manifest's run
  // (the same rule as smoke, so evidence propose accepts is judged alike here).
  const used = m.models?.[pointer] ?? m.run_id;
  if (used !== run)
    problems.push(
      `manifest scored with "${used}"${m.models?.[pointer] ? ` (models.${pointer})` : ''}, expected "${run}"`,
    );
  if (m.game_date !== evidence.game_date)
    problems.push(`manifest game_date ${m.game_date} differs from evidence game_date ${evidence.game_date}`);
  return problems.length
    ? fail('manifest', problems.join('; '), { file, pointer })
    : pass('manifest', `manifest ${m.asset} succeeded for ${run} on ${m.game_date}`, { file, pointer });
}

type Output = NonNullable<CiEvidence['manifest']['outputs']>[number];

/** The manifest output the expectations apply to: `expect.output` by name, else the first output. */
function scoredOutput(evidence: CiEvidence, p: PointerConfig): Output | null {
  const outputs = evidence.manifest.outputs ?? [];
  const wanted = p.smoke?.expect.output;
  return (wanted === undefined ? outputs[0] : outputs.find((o) => o.name === wanted)) ?? null;
}

function outputLabel(p: PointerConfig): string {
  return p.smoke?.expect.output ? `output "${p.smoke.expect.output}"` : 'the first output';
}

/** Every expected column is in the scored output. */
export function checkColumns(
  evidence: CiEvidence,
  p: PointerConfig,
  pointer: string,
  file: string,
): CheckResult {
  const expected = p.smoke?.expect.columns ?? [];
  if (expected.length === 0) return pass('columns', 'no columns expected by the config', { file, pointer });
  const output = scoredOutput(evidence, p);
  if (!output) return fail('columns', `the manifest has no ${outputLabel(p)}`, { file, pointer });
  const have = new Set(output.columns ?? []);
  const missing = expected.filter((c) => !have.has(c));
  return missing.length
    ? fail('columns', `missing required columns: ${list(missing)}`, { file, pointer })
    : pass('columns', `all ${expected.length} expected columns present`, { file, pointer });
}

/** The scored output's row count is within expect.rows. */
export function checkRows(
  evidence: CiEvidence,
  p: PointerConfig,
  pointer: string,
  file: string,
): CheckResult {
  const { min, max } = p.smoke?.expect.rows ?? {};
  if (min === undefined && max === undefined)
    return pass('rows', 'no row bounds in the config', { file, pointer });
  const rows = scoredOutput(evidence, p)?.rows;
  const bounds = `[${min ?? 0}, ${max ?? '∞'}]`;
  if (rows === undefined)
    return fail('rows', `the manifest reports no row count for ${outputLabel(p)}`, { file, pointer });
  return (min !== undefined && rows < min) || (max !== undefined && rows > max)
    ? fail('rows', `${rows} rows, outside ${bounds}`, { file, pointer })
    : pass('rows', `${rows} rows within ${bounds}`, { file, pointer });
}

/** The smoke game date is at most policy.evidenceMaxAgeDays before today's ET slate date. */
export function checkEvidenceAge(
  evidence: CiEvidence,
  policy: Policy,
  now: Date,
  pointer: string,
  file: string,
): CheckResult {
  const today = slateDate(now);
  const age = daysBetween(evidence.game_date, today);
  const max = policy.evidenceMaxAgeDays;
  // One day ahead is allowed: a slate can be smoke-scored the evening before.
  if (age < -1)
    return fail('evidence-age', `game date ${evidence.game_date} is in the future (today is ${today} ET)`, {
      file,
      pointer,
    });
  return age > max
    ? fail(
        'evidence-age',
        `game date ${evidence.game_date} is ${age} days old (at most ${max}); smoke again`,
        {
          file,
          pointer,
        },
      )
    : pass(
        'evidence-age',
        `game date ${evidence.game_date} is ${Math.max(age, 0)} days old (at most ${max})`,
        {
          file,
          pointer,
        },
      );
}

/** The model's meta contract satisfies the pointer's semver range. */
export function checkContract(
  evidence: CiEvidence,
  p: PointerConfig,
  pointer: string,
  file: string,
): CheckResult {
  if (!p.contract) return pass('contract', 'no contract range configured', { file, pointer });
  const version = evidence.meta.contract;
  if (version === undefined)
    return fail('contract', `meta has no contract; the pointer requires ${p.contract}`, { file, pointer });
  return semver.satisfies(version, p.contract)
    ? pass('contract', `contract ${version} satisfies ${p.contract}`, { file, pointer })
    : fail('contract', `contract ${version} does not satisfy ${p.contract}`, { file, pointer });
}

/** Checks of one evidence file that apply to every pointer: schema, match, hash. */
function baseEvidenceChecks(
  text: string,
  pointer: string,
  run: string,
  file: string,
): { results: CheckResult[]; evidence: CiEvidence | null } {
  const parsed = parseEvidence(text);
  if ('problems' in parsed)
    return {
      results: [fail('evidence-schema', `${file}: ${parsed.problems.join('; ')}`, { file, pointer })],
      evidence: null,
    };
  const { evidence, raw } = parsed;
  const results = [
    pass('evidence-schema', `${file} is valid evidence`, { file, pointer }),
    checkEvidenceMatch(evidence, pointer, run, file),
    checkMetaSha(evidence, raw, pointer, file),
  ];
  return { results, evidence: results.every((r) => r.ok) ? evidence : null };
}

/** Evidence files are only added; deleted only when no pointer at head references that run. */
export function checkAppendOnly(changes: FileChange[], headRuns: Map<string, string | null>): CheckResult[] {
  const results: CheckResult[] = [];
  let added = 0;
  let deleted = 0;
  for (const c of changes) {
    const ev = c.outside ? null : parseEvidencePath(c.path);
    if (!ev) continue;
    if (c.status === 'A') added++;
    else if (c.status === 'D') {
      if (headRuns.get(ev.pointer) === ev.runId)
        results.push(
          fail('append-only', `evidence deleted while ${ev.pointer} still points at ${ev.runId}`, {
            file: c.path,
            pointer: ev.pointer,
          }),
        );
      else deleted++;
    } else
      results.push(
        fail('append-only', 'evidence file modified: evidence is append-only, add a new file instead', {
          file: c.path,
          pointer: ev.pointer,
        }),
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

/** Pointer files declared at the target tip, by path. */
function declaredFiles(config: Config): Map<string, string> {
  return new Map(Object.entries(config.pointers).map(([name, p]) => [p.file, name]));
}

/** The pointer a path belongs to when a promotion may change it (its pointer file or evidence). */
export function promotionPath(config: Config, c: FileChange): string | null {
  if (c.outside) return null;
  const byFile = declaredFiles(config).get(c.path);
  if (byFile) return byFile;
  const ev = parseEvidencePath(c.path);
  return ev && Object.hasOwn(config.pointers, ev.pointer) ? ev.pointer : null;
}

/** Paths to load in the target and merged trees before pointer runs are known. */
export function pointerPaths(config: Config): string[] {
  return Object.values(config.pointers).map((p) => p.file);
}

/** The run each pointer selects in a tree (null when the file is missing or unreadable). */
export function pointerRuns(config: Config, tree: TreeFiles): Map<string, string | null> {
  const runs = new Map<string, string | null>();
  for (const [name, p] of Object.entries(config.pointers))
    runs.set(name, pointerRun(tree.get(p.file), p).run);
  return runs;
}

/** Evidence paths to load in the merged tree: each pointer's run, and every evidence file changed. */
export function evidencePaths(
  config: Config,
  mergedRuns: Map<string, string | null>,
  changes: FileChange[],
  targetRuns: Map<string, string | null> = new Map(),
): string[] {
  const paths = new Set<string>();
  for (const [name, run] of mergedRuns) if (run) paths.add(evidencePath(name, run));
  // The metric gate compares a promotion with the run it replaces (runChecks reads that run's
  // evidence for every moved pointer, gated or not).
  for (const [name, run] of targetRuns)
    if (run && run !== mergedRuns.get(name)) paths.add(evidencePath(name, run));
  for (const c of changes)
    if (c.status !== 'D' && promotionPath(config, c) && parseEvidencePath(c.path)) paths.add(c.path);
  return [...paths];
}

const MODE_NAMES: Record<string, string> = {
  '100755': 'an executable file',
  '120000': 'a symbolic link',
  '160000': 'a submodule (gitlink)',
  '040000': 'a directory',
};

/** Pointer and evidence files a PR adds or changes are regular, non-executable, UTF-8 blobs. */
export function checkFileTypes(
  input: ValidateInput,
  /** The pointer a changed path belongs to (stages.ts has its own), null when none. */
  pointerOf = (c: FileChange) => promotionPath(input.config, c),
): CheckResult[] {
  const results: CheckResult[] = [];
  let checked = 0;
  for (const c of input.changes) {
    const pointer = c.status === 'D' ? null : pointerOf(c);
    if (!pointer) continue;
    checked++;
    if (c.mode !== undefined && c.mode !== null && c.mode !== '100644')
      results.push(
        fail('file-type', `${c.path} is ${MODE_NAMES[c.mode] ?? `mode ${c.mode}`}, not a regular file`, {
          file: c.path,
          pointer,
        }),
      );
    else if (input.merged.notUtf8?.(c.path))
      results.push(fail('file-type', `${c.path} is not valid UTF-8`, { file: c.path, pointer }));
  }
  if (results.length === 0)
    results.push(
      pass(
        'file-type',
        `${checked} pointer or evidence file${checked === 1 ? '' : 's'} changed, all regular UTF-8 files`,
      ),
    );
  return results;
}

/**
 * Auto-mergeable means: only pointer files declared at the target tip and their pointers'
 * `promotions/<pointer>/<run>.json`. A promotion mixed with anything else fails; a PR changing
 * neither passes as "needs human review" (merge never merges it; people review and merge it).
 */
export function checkScope(
  input: ValidateInput,
  pointerOf = (c: FileChange) => promotionPath(input.config, c),
): CheckResult {
  const other = input.changes.filter((c) => pointerOf(c) === null).map((c) => c.path);
  if (other.length === input.changes.length)
    return {
      ...pass(
        'scope',
        `needs human review: changes no pointer or evidence file${other.length ? ` (${list(other)})` : ''}, so merge leaves it to a person`,
      ),
      review: true,
    };
  return other.length
    ? fail(
        'scope',
        `needs human review: a promotion may change only the pointer files and promotions/<pointer>/<run>.json declared on the target branch, this also changes ${list(other)}`,
        { file: other[0] },
      )
    : pass('scope', 'changes only declared pointer files and their evidence');
}

/**
 * The pointer's metric gate (`pointers.<name>.metrics`), candidate against the current run. The
 * current run's metrics come from its evidence on the target branch; `current` is null when the
 * pointer held no run before.
 */
export function checkMetrics(
  ev: CiEvidence,
  p: PointerConfig,
  current: CurrentRun,
  pointer: string,
  file: string,
): CheckResult[] {
  if (!p.metrics || Object.keys(p.metrics).length === 0) return [];
  if (current.problem) return [fail('metrics', current.problem, { file, pointer })];
  const gate = metricGate(p.metrics, ev.meta.metrics, current.metrics);
  const table = gateTable(gate.rows);
  const failed = gate.rows.filter((r) => !r.ok);
  const against = current.run ? `against ${current.run}` : 'with no current run to compare';
  return [
    failed.length
      ? fail('metrics', `${failed.map((r) => r.problem).join('; ')} (${against})`, { file, pointer, table })
      : pass(
          'metrics',
          `${gate.rows.length} metric rule${gate.rows.length === 1 ? '' : 's'} passed ${against}`,
          {
            file,
            pointer,
            table,
          },
        ),
  ];
}

/** The run a promotion replaces and its metrics, or why they cannot be read. */
export interface CurrentRun {
  run: string | null;
  metrics: Metrics | null;
  problem?: string;
}

/** The target tip's run of a pointer and the metrics its evidence carries. */
export function currentRun(target: TreeFiles, p: PointerConfig, pointer: string): CurrentRun {
  const run = pointerRun(target.get(p.file), p).run;
  if (run === null) return { run: null, metrics: null };
  const file = evidencePath(pointer, run);
  const text = target.get(file);
  const parsed = text === null ? null : parseEvidence(text);
  if (parsed === null || 'problems' in parsed)
    return {
      run,
      metrics: null,
      problem: `the metric gate compares against the current run ${run}, but ${file} on the target branch is ${parsed === null ? 'missing' : 'not valid evidence'}`,
    };
  return { run, metrics: parsed.evidence.meta.metrics };
}

/** Smoke, manifest, expectations, age and contract of one evidence file: every promotion's checks. */
function promotionChecks(
  ev: CiEvidence,
  p: PointerConfig,
  policy: Policy,
  now: Date,
  name: string,
  run: string,
  file: string,
  current: CurrentRun,
): CheckResult[] {
  return [
    checkSmoke(ev, name, file),
    checkManifest(ev, name, run, file),
    checkColumns(ev, p, name, file),
    checkRows(ev, p, name, file),
    checkEvidenceAge(ev, policy, now, name, file),
    checkContract(ev, p, name, file),
    ...checkMetrics(ev, p, current, name, file),
  ];
}

/** Every check after `config`, in report order. */
export function runChecks(input: ValidateInput): CheckResult[] {
  const { config, target, merged, now } = input;
  const policy = config.policy;
  const results: CheckResult[] = [...checkFileTypes(input)];
  const mergedRuns = new Map<string, string | null>();
  const judged = new Set<string>();

  for (const [name, p] of Object.entries(config.pointers)) {
    const at = pointerRun(merged.get(p.file), p);
    mergedRuns.set(name, at.run);
    if (at.run === null) {
      results.push(fail('pointer-file', at.problem, { file: p.file, pointer: name }));
      continue;
    }
    const run = at.run;
    results.push(pass('pointer-file', `${name} points at ${run}`, { file: p.file, pointer: name }));

    const file = evidencePath(name, run);
    const text = merged.get(file);
    if (text === null) {
      results.push(
        fail('invariant', `no evidence for ${name}=${run} at ${file}: run git promote propose`, {
          file: p.file,
          pointer: name,
        }),
      );
      continue;
    }
    results.push(pass('invariant', `evidence for ${run} is in the tree`, { file, pointer: name }));
    const checked = baseEvidenceChecks(text, name, run, file);
    results.push(...checked.results);
    judged.add(file);

    const before = pointerRun(target.get(p.file), p).run;
    const kind = classifyChange(before, run, input.held.get(name) ?? new Set());
    if (kind === 'manual edit' || checked.evidence === null) continue;
    if (kind === 'rollback') {
      results.push(
        pass(
          'rollback',
          `${name} returns ${before ?? '(none)'} -> ${run}, a run it selected before on the target branch`,
          {
            file,
            pointer: name,
          },
        ),
      );
      continue;
    }
    results.push(
      ...promotionChecks(checked.evidence, p, policy, now, name, run, file, currentRun(target, p, name)),
    );
  }

  // Evidence added on its own gets every check it would get when a pointer selects it, so it
  // cannot be slipped in now and selected later as a "rollback".
  for (const c of input.changes) {
    const ev = c.status === 'D' ? null : parseEvidencePath(c.path);
    const pointer = ev && promotionPath(config, c);
    if (!ev || !pointer || judged.has(c.path)) continue;
    const text = merged.get(c.path);
    if (text === null) continue;
    const checked = baseEvidenceChecks(text, ev.pointer, ev.runId, c.path);
    results.push(...checked.results);
    if (checked.evidence)
      results.push(
        ...promotionChecks(
          checked.evidence,
          config.pointers[pointer]!,
          policy,
          now,
          ev.pointer,
          ev.runId,
          c.path,
          currentRun(target, config.pointers[pointer]!, pointer),
        ),
      );
  }

  results.push(...checkAppendOnly(input.changes, mergedRuns), checkScope(input));
  return results;
}
