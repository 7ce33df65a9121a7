/**
 * The pure parts of the agent's local artifact checks: where the artifacts root is, whether a
 * resolved path stays inside it, and whether meta.json matches the evidence and the contract.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { semver } from './semver.js';
import { canonicalProblem, canonicalSha256 } from './meta-hash.js';
import { metaSchema, issueLines, type Evidence } from './schemas.js';
import { describeJsonError } from './json-syntax.js';

/**
 * The directory an artifacts template can never leave: the part before the first placeholder,
 * cut back to a whole directory ("/m/minutes/run={run_id}" -> "/m/minutes").
 */
export function artifactsRoot(template: string): string {
  const at = template.indexOf('{');
  const prefix = at < 0 ? template : template.slice(0, at);
  const cut = prefix.lastIndexOf('/');
  if (cut < 0) return '.';
  return cut === 0 ? '/' : prefix.slice(0, cut);
}

/** True when `path` is `root` itself or below it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path); // '' for root itself
  return !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** Problems of a meta.json against the evidence and the pointer contract; empty when it is fine. */
export function metaProblems(
  metaText: string,
  evidence: Pick<Evidence, 'meta_sha256' | 'run_id'>,
  contract: string | undefined,
): string[] {
  let data: unknown;
  try {
    data = JSON.parse(metaText);
  } catch {
    return [`meta.json is not valid JSON: ${describeJsonError(metaText)}`];
  }
  const parsed = metaSchema.safeParse(data);
  if (!parsed.success) return issueLines(parsed.error, 'meta.json').map((l) => `${l}`);
  const problems: string[] = [];
  const unhashable = canonicalProblem(data);
  if (unhashable) return [`meta.json cannot be hashed: ${unhashable}`];
  const hash = canonicalSha256(data);
  if (hash !== evidence.meta_sha256) {
    problems.push(
      `meta.json hashes to ${hash.slice(0, 12)}… but the evidence says ${evidence.meta_sha256.slice(0, 12)}…`,
    );
  }
  if (parsed.data.run_id !== evidence.run_id) {
    problems.push(`meta.json is for run ${parsed.data.run_id}, not ${evidence.run_id}`);
  }
  if (contract) {
    const version = parsed.data.contract;
    if (!version) problems.push(`meta.json has no contract version, and the pointer requires ${contract}`);
    else if (!semver.satisfies(version, contract))
      problems.push(`meta.json contract ${version} does not satisfy ${contract}`);
  }
  return problems;
}
