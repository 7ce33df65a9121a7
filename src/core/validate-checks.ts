/**
 * The checks of `git promote validate`, as pure functions over what was read from git: the config,
 * the base and head trees (only the paths the caller loaded), the changed files and the clock.
 * Each check is reported by name with pass/fail and a reason; the caller decides the exit code.
 *
 * Which tree is which: `head` is the pull request head; `base` is the merge base of the PR with
 * its target branch (what GitHub shows as the PR's diff), so commits landing on the target branch
 * meanwhile never look like changes of the PR. Pointers come from the head config (the invariant
 * must hold for what would be merged); policy comes from the base config when it is valid, so a PR
 * cannot relax the rules it is judged by.
 */
import semver from 'semver';
import { z } from 'zod';
import { validateConfig } from './config.js';
import { isPromoteError } from './errors.js';
import { evidencePath, isUnderPromotions, parseEvidencePath } from './evidence-path.js';
import { daysBetween, slateDate } from './game-date.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { readPointerRun } from './pointer-file.js';
import { evidenceSchema, issueLines, type Config, type PointerConfig } from './schemas.js';

export type CheckName =
  | 'config'
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
}

export type ChangeStatus = 'A' | 'M' | 'D' | 'T';

export interface FileChange {
  status: ChangeStatus;
  /** Path relative to the config root; for files outside it, relative to the repository top. */
  path: string;
  /** True when the file is outside the directory holding promote.config.json. */
  outside?: boolean;
}

/** Contents of the loaded paths of one tree; null means "not in the tree". */
export interface TreeFiles {
  get(path: string): string | null;
}

export type Policy = Config['policy'];

export interface ValidateInput {
  config: Config;
  policy: Policy;
  /** Pointer files named by the base config (a PR renaming one is out of promotion scope). */
  basePointerFiles: string[];
  base: TreeFiles;
  head: TreeFiles;
  changes: FileChange[];
  now: Date;
  /** Pull request labels when known (GitHub Actions); they also mark a PR as a promotion. */
  labels?: string[];
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

/** Parse and validate the head config text; null config when it is missing or invalid. */
export function checkConfig(
  text: string | null,
  file: string,
): { result: CheckResult; config: Config | null } {
  if (text === null) return { result: fail('config', `${file} is missing at head`, { file }), config: null };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { result: fail('config', `${file} is not valid JSON: ${detail}`, { file }), config: null };
  }
  const { config, errors } = validateConfig(data);
  if (!config) return { result: fail('config', `${file}: ${errors.join('; ')}`, { file }), config: null };
  const count = Object.keys(config.pointers).length;
  return {
    result: pass('config', `${file} is valid (${count} pointer${count === 1 ? '' : 's'})`, { file }),
    config,
  };
}

/** The policy to judge by: the base config's when it parses and validates, else the head's. */
export function policyFrom(baseConfigText: string | null, headConfig: Config): Policy {
  if (baseConfigText === null) return headConfig.policy;
  try {
    return validateConfig(JSON.parse(baseConfigText)).config?.policy ?? headConfig.policy;
  } catch {
    return headConfig.policy;
  }
}

/** Pointer files named by a config text (for the scope check); [] when it does not validate. */
export function pointerFilesOf(configText: string | null): string[] {
  if (configText === null) return [];
  try {
    const config = validateConfig(JSON.parse(configText)).config;
    return config ? Object.values(config.pointers).map((p) => p.file) : [];
  } catch {
    return [];
  }
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

/** Runs selected at head and at base, per pointer of the head config. */
export function pointerRuns(config: Config, tree: TreeFiles): Map<string, string | null> {
  const runs = new Map<string, string | null>();
  for (const [name, p] of Object.entries(config.pointers))
    runs.set(name, pointerRun(tree.get(p.file), p).run);
  return runs;
}

/** Paths to load in both trees before evidence: every pointer file of the head config. */
export function pointerPaths(config: Config): string[] {
  return Object.values(config.pointers).map((p) => p.file);
}

/**
 * Evidence paths to load once pointer runs are known: at head, the evidence of every head run and
 * every changed evidence file; at base, the evidence of each changed pointer's new run (rollback).
 */
export function evidencePaths(
  config: Config,
  headRuns: Map<string, string | null>,
  baseRuns: Map<string, string | null>,
  changes: FileChange[],
): { head: string[]; base: string[] } {
  const head = new Set<string>();
  const base = new Set<string>();
  for (const name of Object.keys(config.pointers)) {
    const run = headRuns.get(name);
    if (!run) continue;
    head.add(evidencePath(name, run));
    if (baseRuns.get(name) !== run) base.add(evidencePath(name, run));
  }
  for (const c of changes) if (!c.outside && c.status !== 'D' && parseEvidencePath(c.path)) head.add(c.path);
  return { head: [...head], base: [...base] };
}

/** Parse evidence text; either the evidence or the list of problems. */
export function parseEvidence(text: string): { evidence: CiEvidence; raw: unknown } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
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

function isPromotion(input: ValidateInput, pointerFiles: Set<string>): boolean {
  const labels = new Set([...input.policy.labels, ...input.policy.rollbackLabels]);
  if (input.labels?.some((l) => labels.has(l))) return true;
  return input.changes.some((c) => !c.outside && (pointerFiles.has(c.path) || isUnderPromotions(c.path)));
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

/** A promotion PR touches only pointer files and promotions/**; anything else needs human review. */
export function checkScope(input: ValidateInput): CheckResult {
  const pointerFiles = new Set([...pointerPaths(input.config), ...input.basePointerFiles]);
  if (!isPromotion(input, pointerFiles))
    return pass('scope', 'not a promotion: no pointer or evidence file changed, no promotion label');
  const outside = input.changes
    .filter((c) => c.outside || !(pointerFiles.has(c.path) || isUnderPromotions(c.path)))
    .map((c) => c.path);
  return outside.length
    ? fail(
        'scope',
        `needs human review: a promotion may change only pointer files and promotions/**, this also changes ${list(outside)}`,
        { file: outside[0] },
      )
    : pass('scope', 'changes only pointer files and promotions/**');
}

/** Every check after `config`, in report order. */
export function runChecks(input: ValidateInput): CheckResult[] {
  const { config, base, head, now, policy } = input;
  const results: CheckResult[] = [];
  const headRuns = new Map<string, string | null>();
  const referenced = new Set<string>();

  for (const [name, p] of Object.entries(config.pointers)) {
    const at = pointerRun(head.get(p.file), p);
    headRuns.set(name, at.run);
    if (at.run === null) {
      results.push(fail('pointer-file', at.problem, { file: p.file, pointer: name }));
      continue;
    }
    const run = at.run;
    results.push(pass('pointer-file', `${name} points at ${run}`, { file: p.file, pointer: name }));

    const file = evidencePath(name, run);
    referenced.add(file);
    const text = head.get(file);
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

    const before = pointerRun(base.get(p.file), p).run;
    if (before === run || checked.evidence === null) continue;
    if (base.get(file) !== null) {
      results.push(
        pass(
          'rollback',
          `${name} returns ${before ?? '(none)'} -> ${run}, whose evidence exists at base: no new smoke needed`,
          {
            file,
            pointer: name,
          },
        ),
      );
      continue;
    }
    const ev = checked.evidence;
    results.push(
      checkSmoke(ev, name, file),
      checkManifest(ev, name, run, file),
      checkColumns(ev, p, name, file),
      checkRows(ev, p, name, file),
      checkEvidenceAge(ev, policy, now, name, file),
      checkContract(ev, p, name, file),
    );
  }

  // Evidence added for runs no pointer selects (yet) must still be well-formed and honest.
  for (const c of input.changes) {
    const ev = c.outside || c.status === 'D' ? null : parseEvidencePath(c.path);
    if (!ev || referenced.has(c.path)) continue;
    const text = head.get(c.path);
    if (text !== null) results.push(...baseEvidenceChecks(text, ev.pointer, ev.runId, c.path).results);
  }

  results.push(...checkAppendOnly(input.changes, headRuns), checkScope(input));
  return results;
}
