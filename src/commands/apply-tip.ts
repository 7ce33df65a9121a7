/**
 * What the agent reads at the branch tip, from git objects in the mirror (never a working tree):
 * the config's pointer definitions and pointer files; then, for each pointer about to be written,
 * its evidence checked against the local artifact.
 */
import { CONFIG_FILE, parseConfigText } from '../adapters/config-file.js';
import { readBlobs } from '../adapters/git.js';
import { checkArtifact } from '../adapters/fs/artifact.js';
import { CheckFailedError, isPromoteError } from '../core/errors.js';
import { parseWith } from '../core/json-file.js';
import type { Plan } from '../core/plan.js';
import { isRunId } from '../core/run-id.js';
import { evidenceSchema, type Config, type PointerConfig } from '../core/schemas.js';
import type { AgentSession } from './apply-session.js';
import type { Context } from './context.js';

export interface Tip {
  /** The config at the tip (its pointers are what is applied), or the local one without it. */
  tipConfig: Config;
  pointers: [string, PointerConfig][];
  /** Pointer file content at the tip, by pointer name. */
  desired: Record<string, string>;
}

export type ArtifactCheckResult = { name: string; status: 'pass' | 'fail'; detail?: string };

export async function readTip(
  session: AgentSession,
  tip: string,
  branchName: string,
  ctx: Context,
): Promise<Tip> {
  const { config, paths } = session;
  const localPointers = Object.entries(config.pointers);
  const first = await readBlobs(paths.mirror, ctx.env, [
    `${tip}:${CONFIG_FILE}`,
    ...localPointers.map(([, p]) => `${tip}:${p.file}`),
  ]);
  let tipConfig = config;
  if (first[0] !== null && first[0] !== undefined) {
    try {
      tipConfig = parseConfigText(first[0], `${CONFIG_FILE} at ${tip.slice(0, 12)}`).config;
    } catch (err) {
      if (!isPromoteError(err)) throw err;
      throw new CheckFailedError(err.message, `Fix ${CONFIG_FILE} on ${branchName}; nothing was applied.`, {
        details: err.details,
      });
    }
  }
  const pointers = Object.entries(tipConfig.pointers);
  const known = new Map(localPointers.map(([, p], i) => [p.file, first[i + 1] ?? null]));
  const missingFiles = pointers.map(([, p]) => p.file).filter((f) => !known.has(f));
  if (missingFiles.length > 0) {
    const more = await readBlobs(
      paths.mirror,
      ctx.env,
      missingFiles.map((f) => `${tip}:${f}`),
    );
    missingFiles.forEach((f, i) => known.set(f, more[i] ?? null));
  }
  const desired: Record<string, string> = {};
  for (const [name, p] of pointers) {
    const content = known.get(p.file) ?? null;
    if (content === null) {
      throw new CheckFailedError(
        `pointer "${name}": ${p.file} does not exist on ${branchName} at ${tip.slice(0, 12)}`,
        `Commit ${p.file} to ${branchName}; nothing was applied.`,
      );
    }
    desired[name] = content;
  }

  return { tipConfig, pointers, desired };
}

/** Evidence and local artifact of every pointer to be written; any problem refuses the commit. */
export async function checkWrites(
  session: AgentSession,
  tipConfig: Config,
  plan: Plan,
  tip: string,
  branchName: string,
  ctx: Context,
): Promise<ArtifactCheckResult[]> {
  const { paths } = session;
  const evidencePaths = plan.writes.map((w) => `promotions/${w.pointer}/${w.desiredRun}.json`);
  const evidenceTexts = await readBlobs(
    paths.mirror,
    ctx.env,
    evidencePaths.map((e) => `${tip}:${e}`),
  );
  const problems: string[] = [];
  const checks: ArtifactCheckResult[] = [];
  plan.writes.forEach((w, i) => {
    const pointer = tipConfig.pointers[w.pointer]!;
    const text = evidenceTexts[i] ?? null;
    if (!isRunId(w.desiredRun)) {
      problems.push(`${w.pointer}: invalid run id`);
      return;
    }
    if (text === null) {
      problems.push(`${w.pointer}: no evidence ${evidencePaths[i]} on ${branchName}`);
      return;
    }
    let evidence;
    try {
      evidence = parseWith(evidenceSchema, text, evidencePaths[i]!);
    } catch (err) {
      if (!isPromoteError(err)) throw err;
      problems.push(`${w.pointer}: ${err.message}`);
      return;
    }
    if (evidence.pointer !== w.pointer || evidence.run_id !== w.desiredRun) {
      problems.push(
        `${w.pointer}: ${evidencePaths[i]} is evidence for ${evidence.pointer}=${evidence.run_id}`,
      );
      return;
    }
    const check = checkArtifact(pointer.artifacts, session.root, w.desiredRun, evidence, pointer.contract);
    problems.push(...check.problems.map((p) => `${w.pointer}=${w.desiredRun}: ${p}`));
    checks.push({
      name: `artifact:${w.pointer}`,
      status: check.problems.length ? 'fail' : 'pass',
      detail: check.problems[0] ?? `${check.dir} matches evidence meta_sha256`,
    });
  });
  if (problems.length > 0) {
    throw new CheckFailedError(
      `refusing to apply ${branchName} at ${tip.slice(0, 12)}: ${problems[0]}`,
      'Fix the artifact or the promotion on the branch; the applied pointers were kept.',
      { details: problems.slice(1) },
    );
  }

  return checks;
}
