/**
 * Evidence of a smoke run (the evidence format in docs/data-formats.md): the checks of a candidate and its smoke
 * manifest, and the evidence object committed as promotions/<pointer>/<run>.json. Pure: callers
 * read meta.json and the manifest and run the smoke command first.
 */
import { semver } from './semver.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { parseJson, validateWith } from './json-file.js';
import { newerEvidenceError } from './versions.js';
import {
  ADOPTED_EVIDENCE_SCHEMA_ID,
  adoptedEvidenceSchema,
  EVIDENCE_SCHEMA_ID,
  evidenceSchema,
  isAdoptedData,
  type AdoptedEvidence,
  type AnyEvidence,
  type Evidence,
  type Manifest,
  type Meta,
  type PointerConfig,
} from './schemas.js';

export interface EvidenceCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** Why a candidate's contract does not fit the pointer's range, or null when it fits. */
export function contractProblem(range: string | undefined, meta: Meta): string | null {
  if (!range) return null;
  if (!meta.contract) return `meta.json has no "contract", but the pointer requires ${range}`;
  if (!semver.satisfies(meta.contract, range))
    return `contract ${meta.contract} does not satisfy the pointer's range ${range}`;
  return null;
}

/** Checks of the candidate's meta.json (run before any smoke scoring). */
export function metaChecks(run: string, meta: Meta, range: string | undefined): EvidenceCheck[] {
  const contract = contractProblem(range, meta);
  return [
    {
      name: 'meta.run_id',
      ok: meta.run_id === run,
      detail: meta.run_id === run ? `meta.json is for ${run}` : `meta.json is for ${meta.run_id}, not ${run}`,
    },
    {
      name: 'contract',
      ok: contract === null,
      detail: contract ?? (range ? `${meta.contract} satisfies ${range}` : 'no contract range configured'),
    },
  ];
}

interface SmokeResult {
  command: string[];
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

type Expect = NonNullable<PointerConfig['smoke']>['expect'];

/** The output a smoke manifest describes: the named one, else the first. */
function scoredOutput(manifest: Manifest, expect: Expect) {
  const outputs = manifest.outputs ?? [];
  return expect.output ? outputs.find((o) => o.name === expect.output) : outputs[0];
}

/** Checks of the manifest a smoke run wrote: status, run, game date, columns, rows, its own checks. */
export function manifestChecks(input: {
  pointer: string;
  run: string;
  gameDate: string;
  manifest: Manifest;
  expect: Expect;
}): EvidenceCheck[] {
  const { pointer, run, gameDate, manifest, expect } = input;
  const checks: EvidenceCheck[] = [];
  checks.push({
    name: 'manifest.status',
    ok: manifest.status === 'success',
    detail: `${manifest.status}${manifest.failure_reason ? `: ${manifest.failure_reason}` : ''}`,
  });
  // The scored model run: `models[pointer]` when the pipeline records it, else the manifest's run.
  const used = manifest.models?.[pointer] ?? manifest.run_id;
  checks.push({
    name: 'manifest.run_id',
    ok: used === run,
    detail: used === run ? `scored with ${run}` : `scored with ${used}, not ${run}`,
  });
  checks.push({
    name: 'manifest.game_date',
    ok: manifest.game_date === gameDate,
    detail: manifest.game_date === gameDate ? gameDate : `${manifest.game_date}, not ${gameDate}`,
  });
  const output = scoredOutput(manifest, expect);
  const needColumns = expect.columns.length > 0;
  const rowBounds = expect.rows.min !== undefined || expect.rows.max !== undefined;
  if ((needColumns || rowBounds) && !output) {
    checks.push({
      name: 'output',
      ok: false,
      detail: expect.output ? `no output named ${expect.output}` : 'the manifest lists no outputs',
    });
    return checks;
  }
  if (needColumns) {
    const have = new Set(output!.columns ?? []);
    const missing = expect.columns.filter((c) => !have.has(c));
    checks.push({
      name: 'columns',
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `${expect.columns.length} expected columns present`
          : `missing ${missing.join(', ')}`,
    });
  }
  if (rowBounds) {
    const rows = output!.rows;
    const { min, max } = expect.rows;
    const ok = rows !== undefined && (min === undefined || rows >= min) && (max === undefined || rows <= max);
    const bounds = [min !== undefined ? `>= ${min}` : null, max !== undefined ? `<= ${max}` : null]
      .filter(Boolean)
      .join(' and ');
    checks.push({
      name: 'rows',
      ok,
      detail: rows === undefined ? 'the output has no row count' : `${rows} rows (expected ${bounds})`,
    });
  }
  for (const c of manifest.checks ?? []) {
    if (c.status === 'fail')
      checks.push({ name: `pipeline:${c.name}`, ok: false, detail: c.detail ?? 'failed in the smoke run' });
  }
  return checks;
}

export function buildEvidence(input: {
  pointer: string;
  run: string;
  gameDate: string;
  smoke: SmokeResult;
  manifest: Manifest;
  meta: Meta;
  checks: EvidenceCheck[];
  tool: { name: string; version: string };
  /** The slates seen after the game date (evidence age in slates); omitted when unknown. */
  slates?: Evidence['slates'];
}): Evidence {
  return {
    schema: EVIDENCE_SCHEMA_ID,
    pointer: input.pointer,
    run_id: input.run,
    game_date: input.gameDate,
    smoke: {
      command: input.smoke.command,
      exit_code: input.smoke.exitCode,
      started_at: input.smoke.startedAt,
      finished_at: input.smoke.finishedAt,
      duration_ms: input.smoke.durationMs,
      published: false,
    },
    manifest: input.manifest,
    meta: input.meta,
    meta_sha256: canonicalSha256(input.meta),
    checks: input.checks.map((c) => (c.detail === undefined ? { name: c.name, ok: c.ok } : { ...c })),
    tool: input.tool,
    ...(input.slates ? { slates: input.slates } : {}),
  };
}

/**
 * Adopted evidence of the run a pointer holds (`git promote adopt`): the meta.json of the artifact
 * on disk and its hash, its checks, who adopted it and when; no smoke run.
 */
export function buildAdoptedEvidence(input: {
  pointer: string;
  run: string;
  meta: Meta;
  checks: EvidenceCheck[];
  by: string;
  at: string;
  /** The target branch tip the adoption was made on. */
  base: string;
  tool: { name: string; version: string };
}): AdoptedEvidence {
  return {
    schema: ADOPTED_EVIDENCE_SCHEMA_ID,
    kind: 'adopted',
    pointer: input.pointer,
    run_id: input.run,
    adopted: { by: input.by, at: input.at, base: input.base },
    meta: input.meta,
    meta_sha256: canonicalSha256(input.meta),
    checks: input.checks.map((c) => (c.detail === undefined ? { name: c.name, ok: c.ok } : { ...c })),
    tool: input.tool,
  };
}

/**
 * Parse evidence text of either kind (smoke, adopted), of any schema up to this release's; a newer
 * schema is refused first (exit 2, naming the release that wrote it), a bad shape after (exit 1).
 */
export function readEvidence(text: string, label: string, toolVersion: string): AnyEvidence {
  const data = parseJson(text, label);
  const newer = newerEvidenceError(data, label, toolVersion);
  if (newer) throw newer;
  return isAdoptedData(data)
    ? validateWith(adoptedEvidenceSchema, data, label)
    : validateWith(evidenceSchema, data, label);
}

/** Problems of given evidence for `pointer` = `run` (an --evidence file); empty when usable. */
export function evidenceProblems(
  evidence: Evidence,
  pointer: string,
  run: string,
  range: string | undefined,
): string[] {
  const problems: string[] = [];
  if (evidence.pointer !== pointer) problems.push(`it is for pointer ${evidence.pointer}, not ${pointer}`);
  if (evidence.run_id !== run) problems.push(`it is for run ${evidence.run_id}, not ${run}`);
  const unhashable = canonicalProblem(evidence.meta);
  if (unhashable) problems.push(`the embedded meta.json cannot be hashed: ${unhashable}`);
  else if (canonicalSha256(evidence.meta) !== evidence.meta_sha256)
    problems.push('meta_sha256 does not match the embedded meta.json');
  for (const c of evidence.checks)
    if (!c.ok) problems.push(`check ${c.name} failed${c.detail ? `: ${c.detail}` : ''}`);
  const contract = contractProblem(range, evidence.meta);
  if (contract) problems.push(contract);
  return problems;
}

/** Output rows and columns of a smoke manifest, for the PR summary. */
export function outputShape(
  evidence: Evidence,
  expectOutput?: string,
): { rows: number | null; columns: number | null } {
  const outputs = evidence.manifest.outputs ?? [];
  const o = expectOutput ? outputs.find((x) => x.name === expectOutput) : outputs[0];
  return { rows: o?.rows ?? null, columns: o?.columns?.length ?? null };
}
