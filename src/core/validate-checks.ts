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
import { semver } from './semver.js';
import * as z from 'zod/v4';
import { evidenceMaxAge, validateConfig } from './config.js';
import { isPromoteError } from './errors.js';
import { describeJsonError } from './json-syntax.js';
import { classifyChange } from './change-kind.js';
import { evidencePath, parseEvidencePath } from './evidence-path.js';
import { slateDate } from './game-date.js';
import { evidenceAge } from './evidence-age.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { gateTable, metricGate, type Metrics } from './metric-gate.js';
import { readPointerRun } from './pointer-file.js';
import {
  adoptedEvidenceSchema,
  evidenceSchema,
  isAdoptedData,
  issueLines,
  type AdoptedEvidence,
  type Config,
  type PointerConfig,
} from './schemas.js';
import { newerEvidenceError } from './versions.js';
import { isRunId } from './run-id.js';

type CheckName =
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
  | 'adoption'
  | 'append-only'
  | 'scope'
  | 'predecessor';

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
  /** Passing, but worth a look (docs/switching-safely.md: a promotion whose predecessor has no evidence). */
  warning?: true;
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

type Policy = Config['policy'];

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
  /**
   * For adopted evidence already on the target branch that a pointer change selects: the run its
   * pointer held at the commit that added it (null when that commit was not found).
   */
  adoptionLanding?: ReadonlyMap<string, string | null>;
  now: Date;
  /** This release, for refusing evidence of a newer schema. */
  toolVersion: string;
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
  toolVersion?: string,
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
  const { config, errors, warnings } = validateConfig(data, toolVersion ? { toolVersion } : {});
  if (!config)
    return { result: fail('config', `${file} ${where}: ${errors.join('; ')}`, { file }), config: null };
  const count = Object.keys(config.pointers).length;
  const deprecated = warnings.filter((w) => w.includes('deprecated'));
  return {
    result: pass(
      'config',
      `${file} ${where} is valid (${count} pointer${count === 1 ? '' : 's'})${deprecated.length ? `; ${deprecated.join('; ')}` : ''}`,
      { file },
    ),
    config,
  };
}

/**
 * The PR's own config, when it changes it: reported for its reviewers, never used to judge the PR
 * (it is merged by a person, and applies to the PRs after it).
 */
export function checkConfigChange(text: string | null, file: string, toolVersion?: string): CheckResult {
  const { result } = checkConfig(text, file, 'in this PR', toolVersion);
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

export type ParsedEvidence =
  | { evidence: CiEvidence; adopted: null; raw: unknown }
  | { evidence: null; adopted: AdoptedEvidence; raw: unknown };

/**
 * Parse evidence text (smoke or adopted, any schema up to this release's); either the evidence or
 * the list of problems. Evidence of a newer schema throws: this release cannot judge it (exit 2).
 */
export function parseEvidence(
  text: string,
  toolVersion: string,
  file = 'evidence',
): ParsedEvidence | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problems: [`not valid JSON: ${describeJsonError(text)}`] };
  }
  const newer = newerEvidenceError(raw, file, toolVersion);
  if (newer) throw newer;
  if (isAdoptedData(raw)) {
    const result = adoptedEvidenceSchema.safeParse(raw);
    if (!result.success) return { problems: issueLines(result.error as z.ZodError) };
    return { evidence: null, adopted: result.data, raw };
  }
  const result = ciEvidenceSchema.safeParse(raw);
  if (!result.success) return { problems: issueLines(result.error as z.ZodError) };
  return { evidence: result.data, adopted: null, raw };
}

function list(items: string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

/** Evidence names the pointer and run of its path, and so do its manifest and meta. */
export function checkEvidenceMatch(
  evidence: CiEvidence | AdoptedEvidence,
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
export function checkMetaSha(
  evidence: CiEvidence | AdoptedEvidence,
  raw: unknown,
  pointer: string,
  file: string,
): CheckResult {
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

/**
 * The smoke game date is recent enough for policy.evidenceMaxAge, counted in days or in slates
 * from today's ET slate date (evidence-age.ts).
 */
export function checkEvidenceAge(
  evidence: CiEvidence,
  policy: Policy,
  now: Date,
  pointer: string,
  file: string,
): CheckResult {
  const verdict = evidenceAge({
    gameDate: evidence.game_date,
    today: slateDate(now),
    limit: evidenceMaxAge(policy),
    slates: evidence.slates,
  });
  return verdict.ok
    ? pass('evidence-age', verdict.reason, { file, pointer })
    : fail('evidence-age', verdict.reason, { file, pointer });
}

/** The model's meta contract satisfies the pointer's semver range. */
export function checkContract(
  evidence: CiEvidence | AdoptedEvidence,
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
  toolVersion: string,
): { results: CheckResult[]; evidence: CiEvidence | null; adopted: AdoptedEvidence | null } {
  const parsed = parseEvidence(text, toolVersion, file);
  if ('problems' in parsed)
    return {
      results: [fail('evidence-schema', `${file}: ${parsed.problems.join('; ')}`, { file, pointer })],
      evidence: null,
      adopted: null,
    };
  const any = parsed.evidence ?? parsed.adopted;
  const results = [
    pass('evidence-schema', `${file} is valid ${parsed.adopted ? 'adopted ' : ''}evidence`, {
      file,
      pointer,
    }),
    checkEvidenceMatch(any, pointer, run, file),
    checkMetaSha(any, parsed.raw, pointer, file),
  ];
  const ok = results.every((r) => r.ok);
  return { results, evidence: ok ? parsed.evidence : null, adopted: ok ? parsed.adopted : null };
}

/**
 * Adopted evidence (no smoke run) stands only for the run its pointer held where the adoption
 * landed. Added by this PR: the pointer must hold that very run on the target branch and keep it.
 * Already on the branch: keeping the run is the status quo; returning to it is accepted only when
 * it is the run the pointer held at the commit that added the evidence. It never promotes.
 */
export function checkAdoption(input: {
  adopted: AdoptedEvidence;
  pointer: string;
  run: string;
  /** The run the pointer holds at the target tip. */
  before: string | null;
  /** The run the pointer holds after the merge. */
  after: string | null;
  /** True when this PR adds the evidence file. */
  addedHere: boolean;
  /** The run the pointer held at the commit that added it (already on the branch), if known. */
  landing: string | null | undefined;
  file: string;
}): CheckResult {
  const { adopted, pointer, run, before, after, file } = input;
  const at = { file, pointer };
  const who = `adopted by ${adopted.adopted.by} at ${adopted.adopted.at}`;
  const smokeIt = `adopted evidence only records the run in production when git-promote was adopted; smoke ${run} with git promote propose`;
  if (input.addedHere) {
    if (before === run && after === run)
      return pass('adoption', `${pointer} holds ${run} on the target branch and keeps it: ${who}`, at);
    return fail(
      'adoption',
      `adopted evidence for ${run}, but ${pointer} holds ${before ?? '(none)'} on the target branch${after !== before ? ` and ${after ?? '(none)'} after this PR` : ''}: ${smokeIt}`,
      at,
    );
  }
  if (before === run) return pass('adoption', `${pointer} keeps ${run} (${who})`, at);
  if (input.landing === run)
    return pass(
      'adoption',
      `${pointer} returns to ${run}, the run it held where its adoption landed (${who})`,
      at,
    );
  return fail(
    'adoption',
    input.landing === undefined || input.landing === null
      ? `${file} is adopted evidence whose adoption was not found on the target branch: ${smokeIt}`
      : `${file} was adopted where ${pointer} held ${input.landing}, not ${run}: ${smokeIt}`,
    at,
  );
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
function promotionPath(config: Config, c: FileChange): string | null {
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

/**
 * Evidence paths to load in the merged tree: each pointer's run, the run each moved pointer
 * leaves (its predecessor, for the rollback-readiness warning), and every evidence file changed.
 */
export function evidencePaths(
  config: Config,
  mergedRuns: Map<string, string | null>,
  changes: FileChange[],
  targetRuns: Map<string, string | null> = new Map(),
): string[] {
  const paths = new Set<string>();
  for (const [name, run] of mergedRuns) if (run) paths.add(evidencePath(name, run));
  for (const [name, run] of targetRuns)
    if (run && config.pointers[name] && isRunId(run) && run !== mergedRuns.get(name))
      paths.add(evidencePath(name, run));
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
  currentOf: () => CurrentRun,
  pointer: string,
  file: string,
): CheckResult[] {
  if (!p.metrics || Object.keys(p.metrics).length === 0) return [];
  // Read only when the pointer has rules: validate loads the replaced run's evidence only then.
  const current = currentOf();
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
export function currentRun(
  target: TreeFiles,
  p: PointerConfig,
  pointer: string,
  toolVersion: string,
): CurrentRun {
  const run = pointerRun(target.get(p.file), p).run;
  if (run === null) return { run: null, metrics: null };
  const file = evidencePath(pointer, run);
  const text = target.get(file);
  // Smoke or adopted evidence: both embed the run's meta.json.
  const parsed = text === null ? null : parseEvidence(text, toolVersion, file);
  const meta = parsed && !('problems' in parsed) ? (parsed.evidence ?? parsed.adopted)?.meta : undefined;
  if (!meta)
    return {
      run,
      metrics: null,
      problem: `the metric gate compares against the current run ${run}, but ${file} on the target branch is ${parsed === null ? 'missing' : 'not valid evidence'}`,
    };
  return { run, metrics: meta.metrics };
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
  current: () => CurrentRun,
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

/**
 * docs/switching-safely.md: a promotion whose predecessor (the run it replaces) has no evidence on
 * the branch could not be rolled back by a PR that passes validation. A warning: the promotion
 * itself is fine.
 */
export function checkPredecessor(merged: TreeFiles, pointer: string, before: string): CheckResult[] {
  if (!isRunId(before)) return [];
  const file = evidencePath(pointer, before);
  if (merged.get(file) !== null) return [];
  return [
    pass(
      'predecessor',
      `no evidence for ${before}, the run this promotion replaces, at ${file}: a rollback to it would not pass validation (propose it again to record its evidence)`,
      { file, pointer, warning: true },
    ),
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
    const before = pointerRun(target.get(p.file), p).run;
    if (text === null) {
      // A run the branch already held without evidence predates git-promote: adopt records it.
      const remedy =
        before === run
          ? 'run git promote adopt to record the run in production (or propose a new one)'
          : 'run git promote propose';
      results.push(
        fail('invariant', `no evidence for ${name}=${run} at ${file}: ${remedy}`, {
          file: p.file,
          pointer: name,
        }),
      );
      continue;
    }
    results.push(pass('invariant', `evidence for ${run} is in the tree`, { file, pointer: name }));
    const checked = baseEvidenceChecks(text, name, run, file, input.toolVersion);
    results.push(...checked.results);
    judged.add(file);

    if (checked.adopted) {
      const addedHere = input.changes.some((c) => !c.outside && c.path === file && c.status === 'A');
      const adoption = checkAdoption({
        adopted: checked.adopted,
        pointer: name,
        run,
        before,
        after: run,
        addedHere,
        landing: input.adoptionLanding?.get(file),
        file,
      });
      results.push(adoption);
      if (addedHere && adoption.ok) results.push(checkContract(checked.adopted, p, name, file));
      continue;
    }
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
      ...promotionChecks(checked.evidence, p, policy, now, name, run, file, () =>
        currentRun(target, p, name, input.toolVersion),
      ),
    );
    if (before !== null) results.push(...checkPredecessor(merged, name, before));
  }

  // Evidence added on its own gets every check it would get when a pointer selects it, so it
  // cannot be slipped in now and selected later as a "rollback".
  for (const c of input.changes) {
    const ev = c.status === 'D' ? null : parseEvidencePath(c.path);
    const pointer = ev && promotionPath(config, c);
    if (!ev || !pointer || judged.has(c.path)) continue;
    const text = merged.get(c.path);
    if (text === null) continue;
    const checked = baseEvidenceChecks(text, ev.pointer, ev.runId, c.path, input.toolVersion);
    results.push(...checked.results);
    if (checked.adopted) {
      const p = config.pointers[pointer]!;
      results.push(
        checkAdoption({
          adopted: checked.adopted,
          pointer,
          run: ev.runId,
          before: pointerRun(target.get(p.file), p).run,
          after: mergedRuns.get(pointer) ?? null,
          addedHere: c.status === 'A',
          landing: undefined,
          file: c.path,
        }),
      );
    } else if (checked.evidence)
      results.push(
        ...promotionChecks(
          checked.evidence,
          config.pointers[pointer]!,
          policy,
          now,
          ev.pointer,
          ev.runId,
          c.path,
          () => currentRun(target, config.pointers[pointer]!, pointer, input.toolVersion),
        ),
      );
  }

  results.push(...checkAppendOnly(input.changes, mergedRuns), checkScope(input));
  return results;
}
