/**
 * What the agent reads at the branch tip, from git objects in the mirror (never a working tree):
 * the pointer files its own config names; then, for each pointer about to be written, its evidence
 * checked against the local artifact. Pointer definitions, artifacts roots, contracts and the flow
 * trigger come from the host's config only (docs/security.md): the config on the branch is read
 * just to report that it changed.
 */
import { CONFIG_FILE } from '../adapters/config-file.js';
import { readBlobs } from '../adapters/git.js';
import { checkArtifact } from '../adapters/fs/artifact.js';
import { configDifferences } from '../core/config-diff.js';
import { CheckFailedError, ExitCode, isPromoteError } from '../core/errors.js';
import { readEvidence } from '../core/evidence.js';
import { packageVersion } from '../version.js';
import { evidencePath } from '../core/evidence-path.js';
import type { Plan } from '../core/plan.js';
import { isRunId } from '../core/run-id.js';
import type { PointerConfig } from '../core/schemas.js';
import { hostView } from '../core/stages.js';
import type { AgentSession } from './session.js';
import type { Context } from '../commands/context.js';

interface Tip {
  /** The host config's pointers: the only files the agent ever writes. */
  pointers: [string, PointerConfig][];
  /** Pointer file content at the tip, by pointer name. */
  desired: Record<string, string>;
  /** What the config on the branch changes against the host config ([] when nothing). */
  configChanged: string[];
}

type ArtifactCheckResult = { name: string; status: 'pass' | 'fail'; detail?: string };

export async function readTip(
  session: AgentSession,
  tip: string,
  branchName: string,
  ctx: Context,
): Promise<Tip> {
  const pointers = Object.entries(session.config.pointers);
  // An agent that names its stage reads that stage's pointer files in git and writes each to the
  // pointer's own file in its target, the file the pipeline reads (docs/stages.md).
  const view = hostView(session.config);
  const gitFiles = pointers.map(([name]) => view.pointers[name]!.file);
  const [configText, ...files] = await readBlobs(session.paths.mirror, ctx.env, [
    `${tip}:${CONFIG_FILE}`,
    ...gitFiles.map((f) => `${tip}:${f}`),
  ]);
  const desired: Record<string, string> = {};
  pointers.forEach(([name], i) => {
    const content = files[i] ?? null;
    if (content === null)
      throw new CheckFailedError(
        `pointer "${name}": ${gitFiles[i]} does not exist on ${branchName} at ${tip.slice(0, 12)}`,
        `Commit ${gitFiles[i]} to ${branchName}; nothing was applied.`,
      );
    desired[name] = content;
  });
  return { pointers, desired, configChanged: configDifferences(session.config, configText ?? null) };
}

/** Evidence and local artifact of every pointer to be written; any problem refuses the commit. */
export async function checkWrites(
  session: AgentSession,
  plan: Plan,
  tip: string,
  branchName: string,
  ctx: Context,
): Promise<ArtifactCheckResult[]> {
  const { paths } = session;
  const evidencePaths = plan.writes.map((w) => evidencePath(w.pointer, w.desiredRun));
  const evidenceTexts = await readBlobs(
    paths.mirror,
    ctx.env,
    evidencePaths.map((e) => `${tip}:${e}`),
  );
  const problems: string[] = [];
  const checks: ArtifactCheckResult[] = [];
  plan.writes.forEach((w, i) => {
    const pointer = session.config.pointers[w.pointer]!;
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
      evidence = readEvidence(text, evidencePaths[i]!, packageVersion());
    } catch (err) {
      // Evidence of a newer schema is this release's limit, not the promotion's fault (exit 2).
      if (!isPromoteError(err) || err.exitCode === ExitCode.usage) throw err;
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
