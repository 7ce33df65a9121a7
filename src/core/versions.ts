/**
 * Versions across a fleet (docs/versions-and-slates.md): the pinned Action, laptops and agents run
 * different git-promote releases against one repository. The config may name the releases it
 * needs (`minVersion`, a semver range), checked before anything else reads it; evidence files and
 * PR blocks carry their schema version, and a reader accepts every version up to its own and
 * refuses a newer one with the release that wrote it, instead of a confusing schema error.
 *
 * Writers use the oldest schema that expresses what they write (smoke evidence stays
 * evidence@1, a promotion's PR block stays v1), so an older reader keeps working wherever it can.
 */
import { semver } from './semver.js';
import { UsageError } from './errors.js';

/** The evidence schemas this release reads: `git-promote/evidence@<n>`, n = 1..EVIDENCE_VERSION. */
export const EVIDENCE_PREFIX = 'git-promote/evidence@';
/** 1: smoke evidence. 2: adds `kind: "adopted"` (adopt). */
export const EVIDENCE_VERSION = 2;
/** PR block `v`: 1: promotion and rollback. 2: adds kind "adoption" and the writer's `tool`. */
export const PR_BLOCK_VERSION = 2;
/** The config's key set: 1: the first release's keys; 2: adds minVersion and policy.evidenceMaxAge. */
export const CONFIG_VERSION = 2;

export function evidenceSchemaId(version: number): string {
  return `${EVIDENCE_PREFIX}${version}`;
}

/** The version number of an evidence `schema` value, or null when it is not git-promote evidence. */
export function evidenceVersionOf(schema: unknown): number | null {
  if (typeof schema !== 'string' || !schema.startsWith(EVIDENCE_PREFIX)) return null;
  const rest = schema.slice(EVIDENCE_PREFIX.length);
  return /^[1-9]\d{0,5}$/.test(rest) ? Number(rest) : null;
}

/** A version string safe to print (from a file anyone may have written): semver, or null. */
function cleanVersion(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 64 ? semver.valid(value) : null;
}

/** The error for a document newer than this release reads (exit 2: upgrade, nothing is judged). */
export function newerSchemaError(input: {
  /** Where it is, e.g. "promotions/minutes/r2.json" or "PR #12". */
  what: string;
  /** What it is: "evidence", "PR block". */
  noun: string;
  /** e.g. "evidence schema 3", "PR block v3". */
  schema: string;
  /** The release that wrote it, when the document says so. */
  writtenBy: string | null;
  have: string;
}): UsageError {
  const needs = input.writtenBy ? `git-promote ${input.writtenBy}` : 'a newer git-promote';
  return new UsageError(
    `${input.what}: this ${input.noun} needs ${needs} (${input.schema}); you have ${input.have}`,
    `Upgrade git-promote to ${input.writtenBy ?? 'the release that wrote it'} or later (npm install -g git-promote@latest; in CI, pin the Action to that release).`,
  );
}

/** Refuse evidence whose schema is newer than this release reads; null when it may be parsed. */
export function newerEvidenceError(raw: unknown, what: string, have: string): UsageError | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const data = raw as { schema?: unknown; tool?: { version?: unknown } };
  const version = evidenceVersionOf(data.schema);
  if (version === null || version <= EVIDENCE_VERSION) return null;
  return newerSchemaError({
    what,
    noun: 'evidence',
    schema: `evidence schema ${version}`,
    writtenBy: cleanVersion(data.tool?.version),
    have,
  });
}

/**
 * `minVersion` of raw config data, checked before the config is validated: a config written for a
 * newer release may hold keys this one does not know, and that is the thing to say. Null when the
 * config names no range (or an invalid one: schema validation reports it) or this release fits it.
 */
export function minVersionError(data: unknown, have: string, label = 'this config'): UsageError | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const range = (data as { minVersion?: unknown }).minVersion;
  if (typeof range !== 'string' || semver.validRange(range) === null) return null;
  if (semver.satisfies(have, range, { includePrerelease: true })) return null;
  return new UsageError(
    `${label} needs git-promote ${range}; you have ${have}`,
    `Install a git-promote that satisfies ${range} (npm install -g "git-promote@${range}"); in CI, pin the Action to such a release.`,
  );
}

/** What `git promote --version --json` prints: the release and the schema versions it reads. */
export function versionReport(tool: string) {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  return {
    name: 'git-promote',
    version: tool,
    config: { version: CONFIG_VERSION, reads: upTo(CONFIG_VERSION), minVersion: true },
    evidence: {
      version: EVIDENCE_VERSION,
      reads: upTo(EVIDENCE_VERSION).map(evidenceSchemaId),
    },
    prBlock: { version: PR_BLOCK_VERSION, reads: upTo(PR_BLOCK_VERSION) },
  };
}
