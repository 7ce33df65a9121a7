/**
 * `git promote adopt [pointer...]`: put git-promote on a pipeline that already runs. The runs the
 * pointers hold on the branch predate git-promote and have no evidence, so the invariant fails
 * every PR; adopt records each one as adopted evidence (promotions/<pointer>/<run>.json, kind
 * "adopted": the artifact's meta.json and its hash, who and when; no smoke run) on
 * adopt/<pointer>/<run>, checks the commit as CI will, pushes it and opens the pull request like
 * propose. validate accepts adopted evidence only for the run each pointer holds where it lands
 * (docs/commands/adopt.md).
 */
import { loadConfig } from '../adapters/config-file.js';
import { fetchBranch, readBlobs, runGit } from '../adapters/git.js';
import { PromotionBranch } from '../core/branch-name.js';
import { pointerConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { buildAdoptedEvidence } from '../core/evidence.js';
import { evidencePath } from '../core/evidence-path.js';
import { stringifyJson } from '../core/json-file.js';
import { readPointerRun } from '../core/pointer-file.js';
import { PrBody, type PrBlock } from '../core/pr-body.js';
import type { AdoptedEvidence, Config } from '../core/schemas.js';
import { PR_BLOCK_VERSION } from '../core/versions.js';
import { packageVersion } from '../version.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { checkedForge, checkLikeCi, dryRunChecks, refuseOrWarn } from './propose-preflight.js';
import { publishProposal } from './propose-push.js';
import type { PullRequestDraft } from '../core/promotion-pr.js';
import { assertCandidate, readCandidateMeta } from './smoke.js';

export interface AdoptedPointer {
  pointer: string;
  file: string;
  run: string;
  evidence: AdoptedEvidence;
  evidencePath: string;
}

export interface Adoption {
  base: string;
  baseSha: string;
  remote: string;
  branch: string;
  adopted: AdoptedPointer[];
  /** Pointers left alone, and why (already have evidence, no pointer file). */
  skipped: { pointer: string; run: string | null; reason: string }[];
  files: Record<string, string>;
  commitMessage: string;
  labels: string[];
}

/** The pointers named on the command line (each once), or every configured pointer. */
function chosenPointers(args: string[], config: Config): string[] {
  if (args.length === 0) return Object.keys(config.pointers);
  const seen = new Set<string>();
  for (const name of args) {
    pointerConfig(config, name);
    if (seen.has(name)) throw new UsageError(`pointer ${name} is given twice`, 'Name each pointer once.');
    seen.add(name);
  }
  return [...seen];
}

/** "Name <email>" of the git identity that will author the commit. */
async function whoAdopts(root: string, env: Context['env']): Promise<string> {
  let ident: string;
  try {
    ident = (await runGit(root, env, ['var', 'GIT_AUTHOR_IDENT'])).stdout;
  } catch (err) {
    throw new UsageError(
      'git does not know who you are, so the adoption cannot say who made it',
      'Set user.name and user.email (git config user.name "…"; git config user.email "…"), then rerun.',
      { cause: err },
    );
  }
  return ident.replace(/\s+\d+\s+[+-]\d{4}\s*$/, '').trim();
}

/** Read the branch and the artifacts on disk, and assemble the adoption (nothing is written). */
export async function buildAdoption(input: {
  config: Config;
  root: string;
  pointers: string[];
  ctx: Context;
}): Promise<Adoption> {
  const { config, root, ctx } = input;
  const { remote, branch: base } = config.repository;
  const baseSha = await fetchBranch(root, ctx.env, remote, base);
  const names = [...input.pointers].sort();
  const texts = await readBlobs(
    root,
    ctx.env,
    names.map((n) => `${baseSha}:${pointerConfig(config, n).file}`),
  );
  const runs = names.map((n, i) =>
    texts[i] == null
      ? null
      : readPointerRun(
          texts[i]!,
          pointerConfig(config, n).runField,
          `${base}:${pointerConfig(config, n).file}`,
        ),
  );
  const evidenceTexts = await readBlobs(
    root,
    ctx.env,
    names.map((n, i) => (runs[i] ? `${baseSha}:${evidencePath(n, runs[i]!)}` : `${baseSha}:`)),
  );
  const skipped: Adoption['skipped'] = [];
  const todo: { pointer: string; run: string }[] = [];
  names.forEach((pointer, i) => {
    const run = runs[i] ?? null;
    if (run === null)
      skipped.push({
        pointer,
        run,
        reason: `${pointerConfig(config, pointer).file} is not on ${base}: nothing to adopt (propose a first run)`,
      });
    else if (evidenceTexts[i] != null)
      skipped.push({ pointer, run, reason: `${run} already has evidence (${evidencePath(pointer, run)})` });
    else todo.push({ pointer, run });
  });

  const by = todo.length ? await whoAdopts(root, ctx.env) : '';
  const at = ctx.now().toISOString();
  const adopted: AdoptedPointer[] = [];
  for (const { pointer, run } of todo) {
    const p = pointerConfig(config, pointer);
    // The artifact on disk must be the run's (meta.run_id) and fit the contract, as for a promotion.
    const { meta } = await readCandidateMeta(config, pointer, run);
    const checks = assertCandidate(pointer, run, meta, p.contract);
    const evidence = buildAdoptedEvidence({
      pointer,
      run,
      meta,
      checks,
      by,
      at,
      base: baseSha,
      tool: { name: 'git-promote', version: packageVersion() },
    });
    adopted.push({ pointer, file: p.file, run, evidence, evidencePath: evidencePath(pointer, run) });
  }
  const files = Object.fromEntries(adopted.map((a) => [a.evidencePath, stringifyJson(a.evidence)]));
  const branch = adopted.length
    ? new PromotionBranch(
        adopted.map((a) => ({ pointer: a.pointer, run: a.run })),
        'adopt/',
      ).toString()
    : '';
  const commitMessage = [
    titleOf(adopted),
    '',
    ...adopted.map(
      (a) =>
        `${a.pointer}: ${a.run} (meta ${a.evidence.meta_sha256.slice(0, 12)}), in production before git-promote`,
    ),
    '',
    'Proposed-by: git-promote adopt',
  ].join('\n');
  return {
    base,
    baseSha,
    remote,
    branch,
    adopted,
    skipped,
    files,
    commitMessage,
    labels: config.policy.labels,
  };
}

function titleOf(adopted: { pointer: string; run: string }[]): string {
  return `adopt ${adopted.map((a) => `${a.pointer}=${a.run}`).join(', ')}`;
}

/** The pull request exactly as it will be sent (pure). */
export function buildAdoptionPullRequest(a: Adoption): PullRequestDraft {
  const block: PrBlock = {
    v: PR_BLOCK_VERSION,
    kind: 'adoption',
    base: a.base,
    branch: a.branch,
    pointers: a.adopted.map((x) => ({
      pointer: x.pointer,
      file: x.file,
      from: x.run,
      to: x.run,
      evidence: x.evidencePath,
      meta_sha256: x.evidence.meta_sha256,
    })),
    tool: packageVersion(),
  };
  const body = new PrBody({
    block,
    note: [
      'Adopts the runs the pointers hold today, from before git-promote: their evidence records the',
      "artifact's meta.json and its hash (no smoke run), so every later promotion passes the invariant",
      'and can be rolled back to these runs. validate accepts this evidence only for the run each',
      'pointer holds where it lands; no pointer file changes.',
    ].join('\n'),
    rows: a.adopted.map((x) => ({
      pointer: x.pointer,
      from: x.run,
      to: x.run,
      gameDate: '-',
      rows: null,
      columns: null,
      durationMs: null,
    })),
    checks: a.adopted.flatMap((x) =>
      x.evidence.checks.map((c) => ({
        pointer: x.pointer,
        name: c.name,
        ok: c.ok,
        ...(c.detail ? { detail: c.detail } : {}),
      })),
    ),
    metrics: [],
    diffs: [],
  }).toString();
  return { title: titleOf(a.adopted), body, head: a.branch, base: a.base, labels: a.labels };
}

export interface AdoptOptions extends CommonOptions {
  dryRun?: boolean;
  /** false with --no-pr. */
  pr?: boolean;
  force?: boolean;
}

export async function adopt(args: string[], opts: AdoptOptions, ctx: Context): Promise<Outcome> {
  const { config, root, path: configPath } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  const pointers = chosenPointers(args, config);
  const wantPr = opts.pr !== false;
  const dryRun = opts.dryRun === true;
  const force = opts.force === true;

  const forge = wantPr && !dryRun ? await checkedForge(config, force, ctx) : null;

  const adoption = await buildAdoption({ config, root, pointers, ctx });
  const skippedText = adoption.skipped.map((s) => `${s.pointer}: ${s.reason}; nothing to adopt`);
  const data = {
    base: adoption.base,
    baseSha: adoption.baseSha,
    branch: adoption.branch || null,
    adopted: adoption.adopted.map((a) => ({
      pointer: a.pointer,
      run: a.run,
      evidence: a.evidencePath,
      meta_sha256: a.evidence.meta_sha256,
    })),
    skipped: adoption.skipped,
  };
  if (adoption.adopted.length === 0)
    return { exitCode: 0, data: { ...data, changed: false }, text: [...skippedText, 'nothing to adopt'] };

  const draft = buildAdoptionPullRequest(adoption);
  const summary = adoption.adopted.map(
    (a) =>
      `${a.pointer}: adopting ${a.run} (meta ${a.evidence.meta_sha256.slice(0, 12)}, by ${a.evidence.adopted.by})`,
  );
  const ci = await checkLikeCi({
    root,
    configPath,
    env: ctx.env,
    baseSha: adoption.baseSha,
    files: adoption.files,
    message: adoption.commitMessage,
    now: ctx.now(),
  });
  if (dryRun) {
    const checks = dryRunChecks(ci.failures, force);
    return {
      exitCode: checks.exitCode,
      data: {
        ...data,
        dryRun: true,
        files: adoption.files,
        pullRequest: wantPr ? draft : null,
        failedChecks: checks.failedChecks,
      },
      text: [
        ...skippedText,
        ...summary,
        ...checks.lines,
        `would commit on ${adoption.branch} (from ${adoption.remote}/${adoption.base} ${adoption.baseSha.slice(0, 12)}) and push: ${Object.keys(adoption.files).join(', ')}`,
      ],
    };
  }
  refuseOrWarn(ci.failures, force, ctx);

  const pushed = await publishProposal({
    root,
    env: ctx.env,
    remote: adoption.remote,
    branch: adoption.branch,
    baseSha: adoption.baseSha,
    commit: ci.commit,
    forge,
    draft,
    command: 'adopt',
  });
  return {
    exitCode: 0,
    data: { ...data, commit: pushed.sha, pushed: pushed.pushed, pullRequest: pushed.pullRequest },
    text: [...skippedText, ...summary, ...pushed.text],
  };
}
