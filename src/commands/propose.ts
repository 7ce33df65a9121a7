/**
 * `git promote propose <pointer>=<run>...`: check and smoke each candidate (or take --evidence),
 * commit the pointer change(s) and promotions/<pointer>/<run>.json on promote/<pointer>/<run>
 * without touching the working tree, push with a lease, and open or update the pull request.
 * buildProposal() gathers everything, buildPullRequest() is pure, and only then does anything
 * leave the machine, so --dry-run shows exactly what would be pushed and sent.
 */
import { readRegularFile } from '../adapters/read-text.js';
import { resolve } from 'node:path';
import { loadConfig } from '../adapters/config-file.js';
import { fetchBranch, readBlobs } from '../adapters/git.js';
import { PromotionBranch } from '../core/branch-name.js';
import { pointerConfig } from '../core/config.js';
import { CheckFailedError, isPromoteError, UsageError } from '../core/errors.js';
import { evidenceProblems, readEvidence } from '../core/evidence.js';
import { metricGate } from '../core/metric-gate.js';
import { evidencePath } from '../core/evidence-path.js';
import { stringifyJson } from '../core/json-file.js';
import { newPointerFile, readPointerRun, setPointerRun } from '../core/pointer-file.js';
import { parseRunId } from '../core/run-id.js';
import type { Config, Evidence, Meta } from '../core/schemas.js';
import { packageVersion } from '../version.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import {
  buildPullRequest,
  promotionTitle,
  type Assignment,
  type Proposal,
  type ProposedPointer,
} from '../core/promotion-pr.js';
import { failedChecksError, readCandidateMeta, smokeCandidate } from './smoke.js';
import { checkedForge, checkLikeCi, dryRunChecks, refuseOrWarn } from './propose-preflight.js';
import { publishProposal } from './propose-push.js';
import { proposeFromStage } from './propose-stage.js';
import { openForge } from './forge-access.js';
import { configForStage } from '../core/stages.js';

export function parseAssignments(args: string[], config: Config): Assignment[] {
  if (args.length === 0)
    throw new UsageError(
      'propose needs at least one <pointer>=<run>',
      'Example: git promote propose minutes=2026-11-20T10-00',
    );
  const seen = new Set<string>();
  return args.map((arg) => {
    const i = arg.indexOf('=');
    if (i <= 0)
      throw new UsageError(
        `expected <pointer>=<run>, got ${JSON.stringify(arg.slice(0, 80))}`,
        'Example: git promote propose minutes=2026-11-20T10-00',
      );
    const pointer = arg.slice(0, i);
    pointerConfig(config, pointer);
    if (seen.has(pointer))
      throw new UsageError(`pointer ${pointer} is given twice`, 'Name each pointer once.');
    seen.add(pointer);
    return { pointer, run: parseRunId(arg.slice(i + 1), `run id for ${pointer}`) };
  });
}

async function readEvidenceFiles(files: string[], cwd: string): Promise<Evidence[]> {
  return Promise.all(
    files.map(async (f) => {
      const path = resolve(cwd, f);
      let text: string;
      try {
        text = await readRegularFile(path);
      } catch (err) {
        if (isPromoteError(err)) throw err;
        throw new UsageError(
          `cannot read evidence file ${f}`,
          'Pass a file written by `git promote smoke --out FILE`.',
        );
      }
      const evidence = readEvidence(text, f, packageVersion());
      if (evidence.kind === 'adopted')
        throw new UsageError(
          `${f} is adopted evidence: it records a run already in production, it cannot promote one`,
          'Pass smoke evidence written by `git promote smoke --out FILE`, or let propose run smoke itself.',
        );
      return evidence;
    }),
  );
}

/** Read the base branch, smoke the candidates (or check the given evidence), and assemble the proposal. */
export async function buildProposal(input: {
  config: Config;
  root: string;
  assignments: Assignment[];
  gameDate?: string;
  evidenceFiles: string[];
  ctx: Context;
}): Promise<Proposal> {
  const { config, root, assignments, ctx } = input;
  const { remote, branch: base } = config.repository;
  const baseSha = await fetchBranch(root, ctx.env, remote, base);
  const pointerCfgs = assignments.map((a) => pointerConfig(config, a.pointer));
  const currentTexts = await readBlobs(
    root,
    ctx.env,
    pointerCfgs.map((p) => `${baseSha}:${p.file}`),
  );
  const froms = assignments.map((a, i) =>
    currentTexts[i] == null
      ? null
      : readPointerRun(currentTexts[i]!, pointerCfgs[i]!.runField, `${base}:${pointerCfgs[i]!.file}`),
  );
  const todo = assignments
    .map((a, i) => ({ ...a, index: i }))
    .filter((a) => froms[a.index] !== a.run)
    .sort((a, b) => a.pointer.localeCompare(b.pointer));
  const unchanged = assignments.filter((a, i) => froms[i] === a.run);

  const given = await readEvidenceFiles(input.evidenceFiles, ctx.cwd);
  const extra = given.filter((e) => !assignments.some((a) => a.pointer === e.pointer));
  if (extra.length)
    throw new UsageError(
      `--evidence for ${extra.map((e) => e.pointer).join(', ')}, which is not being proposed`,
      'Pass evidence only for pointers named as <pointer>=<run>.',
    );

  const evidenceBlobs = await readBlobs(
    root,
    ctx.env,
    todo.flatMap((a) => [
      `${baseSha}:${evidencePath(a.pointer, a.run)}`,
      froms[a.index] ? `${baseSha}:${evidencePath(a.pointer, froms[a.index]!)}` : `${baseSha}:`,
    ]),
  );

  const pointers: ProposedPointer[] = [];
  for (const [k, a] of todo.entries()) {
    const p = pointerCfgs[a.index]!;
    const from = froms[a.index] ?? null;
    let evidence: Evidence;
    const supplied = given.find((e) => e.pointer === a.pointer);
    if (supplied) {
      const problems = evidenceProblems(supplied, a.pointer, a.run, p.contract);
      if (problems.length)
        throw new CheckFailedError(
          `the evidence for ${a.pointer}=${a.run} is not usable: ${problems[0]}`,
          'Run `git promote smoke` again for this run and pass the new file, or let propose run smoke itself.',
          { details: problems.slice(1) },
        );
      evidence = supplied;
    } else {
      const result = await smokeCandidate({
        config,
        root,
        pointer: a.pointer,
        run: a.run,
        ...(input.gameDate ? { gameDate: input.gameDate } : {}),
        ctx,
      });
      if (!result.ok) throw failedChecksError(a.pointer, a.run, result.failed);
      evidence = result.evidence;
    }
    const existing = evidenceBlobs[2 * k] ?? null;
    const fromEvidenceText = evidenceBlobs[2 * k + 1] ?? null;
    let currentMeta: Meta | null = null;
    if (fromEvidenceText) {
      try {
        currentMeta = readEvidence(fromEvidenceText, 'current evidence', packageVersion()).meta;
      } catch {
        // A broken (or newer) evidence file of the current run only costs the metrics comparison here.
      }
    }
    if (!currentMeta && from)
      currentMeta = await readCandidateMeta(config, a.pointer, from).then(
        (m) => m.meta,
        () => null,
      );
    const oldContent = currentTexts[a.index] ?? null;
    pointers.push({
      pointer: a.pointer,
      file: p.file,
      from,
      to: a.run,
      evidence,
      evidencePath: evidencePath(a.pointer, a.run),
      writeEvidence: existing === null,
      oldContent,
      newContent:
        oldContent === null
          ? newPointerFile(p.runField, a.run)
          : setPointerRun(p.runField, a.run, p.file)(oldContent),
      currentMeta,
      ...(p.metrics
        ? {
            gate: metricGate(p.metrics, evidence.meta.metrics, from ? (currentMeta?.metrics ?? {}) : null)
              .rows,
          }
        : {}),
    });
  }
  const files: Record<string, string> = {};
  for (const x of pointers) {
    files[x.file] = x.newContent;
    if (x.writeEvidence) files[x.evidencePath] = stringifyJson(x.evidence);
  }
  const branch = pointers.length
    ? new PromotionBranch(pointers.map((x) => ({ pointer: x.pointer, run: x.to }))).toString()
    : '';
  const commitMessage = [
    promotionTitle(pointers),
    '',
    ...pointers.map(
      (x) =>
        `${x.pointer}: ${x.from ?? '(none)'} -> ${x.to} (game date ${x.evidence.game_date}, meta ${x.evidence.meta_sha256.slice(0, 12)})`,
    ),
    '',
    'Proposed-by: git-promote',
  ].join('\n');
  return {
    base,
    baseSha,
    remote,
    branch,
    pointers,
    unchanged,
    files,
    commitMessage,
    labels: config.policy.labels,
  };
}

export interface ProposeOptions extends CommonOptions {
  /** The slate date for smoke scoring (YYYY-MM-DD). */
  gameDate?: string;
  /** Evidence files, one per pointer, instead of running smoke scoring. */
  evidence?: string[];
  dryRun?: boolean;
  /** false with --no-pr: push the branch, open no pull request. */
  pr?: boolean;
  force?: boolean;
  /** The stage to propose for (docs/stages.md); default agent.stage. */
  stage?: string;
  /** With a stage that has "after": the stage whose record is proposed. */
  from?: string;
}

export async function propose(args: string[], opts: ProposeOptions, ctx: Context): Promise<Outcome> {
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config);
  const { root, path: configPath } = loaded;
  // With stages (docs/stages.md): the first stage's files, or a stage with "after" from its record.
  const { config, stage } = configForStage(loaded.config, opts.stage);
  if (stage && loaded.config.stages?.[stage]?.after) return proposeFromStage(args, opts, ctx, loaded, stage);
  if (opts.from !== undefined)
    throw new UsageError(
      `--from is for a stage with "after"${stage ? `; ${stage} is the first stage, promoted with smoke evidence` : ''}`,
      'Leave --from out, or name a later stage with --stage.',
    );
  const assignments = parseAssignments(args, config);
  const { gameDate } = opts;
  const evidenceFiles = opts.evidence ?? [];
  const wantPr = opts.pr !== false;
  const dryRun = opts.dryRun === true;
  const force = opts.force === true;

  // Before any smoke run or push: a PR that cannot be opened should stop us now, not half-way.
  const forge = wantPr && !dryRun ? await checkedForge(config, force, ctx) : null;

  const proposal = await buildProposal({
    config,
    root,
    assignments,
    ...(gameDate ? { gameDate } : {}),
    evidenceFiles,
    ctx,
  });
  const unchangedText = proposal.unchanged.map(
    (a) => `${a.pointer} already points at ${a.run} on ${proposal.base}; nothing to propose for it`,
  );
  if (proposal.pointers.length === 0)
    return { exitCode: 0, data: { changed: false, unchanged: proposal.unchanged }, text: unchangedText };

  const draft = buildPullRequest(proposal);
  const summary = proposal.pointers.map(
    (x) => `${x.pointer}: ${x.from ?? '(none)'} → ${x.to} (game date ${x.evidence.game_date}, smoke passed)`,
  );
  const base = {
    branch: proposal.branch,
    base: proposal.base,
    baseSha: proposal.baseSha,
    pointers: proposal.pointers.map((x) => ({
      pointer: x.pointer,
      file: x.file,
      from: x.from,
      to: x.to,
      evidence: x.evidencePath,
      evidenceAdded: x.writeEvidence,
    })),
    unchanged: proposal.unchanged,
  };

  // The checks CI will run, on the very commit that would be pushed, against the target tip.
  const env = ctx.env;
  const ci = await checkLikeCi({
    root,
    configPath,
    env,
    baseSha: proposal.baseSha,
    files: proposal.files,
    message: proposal.commitMessage,
    now: ctx.now(),
    openForge: (github) => openForge(ctx, github),
  });

  if (dryRun) {
    const checks = dryRunChecks(ci.failures, force);
    const checkLines = ci.failures.length
      ? [
          `${ci.failures.length} check${ci.failures.length === 1 ? '' : 's'} CI runs would fail:`,
          ...checks.lines,
        ]
      : checks.lines;
    return {
      exitCode: checks.exitCode,
      data: {
        ...base,
        dryRun: true,
        files: proposal.files,
        commitMessage: proposal.commitMessage,
        pullRequest: wantPr ? draft : null,
        failedChecks: checks.failedChecks,
      },
      text: [
        ...unchangedText,
        ...summary,
        ...checkLines,
        `would commit on ${proposal.branch} (from ${proposal.remote}/${proposal.base} ${proposal.baseSha.slice(0, 12)}) and push to ${proposal.remote}:`,
        ...Object.keys(proposal.files).map((f) => `  ${f}`),
        ...proposal.commitMessage.split('\n').map((l) => `  | ${l}`),
        ...(wantPr
          ? [
              `would open or update the pull request ${proposal.branch} → ${proposal.base}`,
              `title: ${draft.title}`,
              `labels: ${draft.labels.join(', ') || '-'}`,
              'body:',
              ...draft.body.split('\n').map((l) => `  ${l}`),
            ]
          : []),
      ],
    };
  }
  refuseOrWarn(ci.failures, force, ctx);

  const pushed = await publishProposal({
    root,
    env,
    remote: proposal.remote,
    branch: proposal.branch,
    baseSha: proposal.baseSha,
    commit: ci.commit,
    forge,
    draft,
  });
  const text = [...unchangedText, ...summary, ...pushed.text];
  return {
    exitCode: 0,
    data: { ...base, commit: pushed.sha, pushed: pushed.pushed, pullRequest: pushed.pullRequest },
    text,
  };
}
