/**
 * `git promote propose --stage S <pointer>… [--from F]` for a stage with `after` (docs/stages.md):
 * S takes the run its `after` stage F holds on the branch now. No smoke: the evidence is F's
 * record, read from F's GitHub Deployments (every host's newest verdict on a commit where F runs
 * that run, from F's agents), written to `promotions/S/<pointer>/<run>.json`. Then exactly as for
 * the first stage: the checks CI runs (which read the record again from GitHub and require the
 * soak), push with a lease, open or update the pull request.
 */
import type { LoadedConfig } from '../adapters/config-file.js';
import { fetchBranch, readBlobs, repoPrefix } from '../adapters/git.js';
import { CheckFailedError, UsageError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { evidencePath } from '../core/evidence-path.js';
import { stringifyJson } from '../core/json-file.js';
import { newPointerFile, setPointerRun } from '../core/pointer-file.js';
import { parseRunId } from '../core/run-id.js';
import { STAGE_RECORD_SCHEMA_ID, judgeStage, type StageRecord } from '../core/stage-record.js';
import { buildStagePullRequest, stageBranch, stageTitle, type StagePointer } from '../core/stage-pr.js';
import { recordPath, stagePointerFile } from '../core/stages.js';
import { parseEvidence, pointerRun } from '../core/validate-checks.js';
import { packageVersion } from '../version.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { requireForge, openForge } from './forge-access.js';
import { checkLikeCi, dryRunChecks, refuseOrWarn } from './propose-preflight.js';
import { publishProposal } from './propose-push.js';
import { findHostVerdicts } from './stage-deployments.js';

/** `minutes` or `minutes=<run>` (the run must then be the one `from` holds). */
function parsePointers(args: string[], pointers: string[]): { pointer: string; run: string | null }[] {
  if (args.length === 0)
    throw new UsageError(
      'propose --stage needs at least one pointer',
      'Example: git promote propose --stage production minutes --from staging',
    );
  const seen = new Set<string>();
  return args.map((arg) => {
    const i = arg.indexOf('=');
    const pointer = i === -1 ? arg : arg.slice(0, i);
    if (!pointers.includes(pointer))
      throw new UsageError(
        `unknown pointer "${pointer.slice(0, 80)}"`,
        `Use one of the pointers in promote.config.json: ${pointers.join(', ')}.`,
      );
    if (seen.has(pointer))
      throw new UsageError(`pointer ${pointer} is given twice`, 'Name each pointer once.');
    seen.add(pointer);
    return { pointer, run: i === -1 ? null : parseRunId(arg.slice(i + 1), `run id for ${pointer}`) };
  });
}

/** The options of `propose` a stage with "after" reads (the smoke ones are refused with it). */
export interface StageProposeOptions extends CommonOptions {
  from?: string;
  evidence?: string[];
  gameDate?: string;
  dryRun?: boolean;
  pr?: boolean;
  force?: boolean;
}

export async function proposeFromStage(
  args: string[],
  opts: StageProposeOptions,
  ctx: Context,
  loaded: LoadedConfig,
  stage: string,
): Promise<Outcome> {
  const { config, root, path: configPath } = loaded;
  const from = config.stages![stage]!.after!;
  if (opts.from !== undefined && opts.from !== from)
    throw new UsageError(
      `${stage} follows ${String(opts.from).slice(0, 60)}? No: stages.${stage}.after is ${from}`,
      `Pass --from ${from}, or leave --from out.`,
    );
  if (opts.evidence !== undefined || opts.gameDate !== undefined)
    throw new UsageError(
      `--evidence and --game-date are for the first stage; ${stage} is promoted on ${from}'s record`,
      `Run: git promote propose --stage ${stage} <pointer> --from ${from}`,
    );
  const wanted = parsePointers(args, Object.keys(config.pointers));
  const wantPr = opts.pr !== false;
  const dryRun = opts.dryRun === true;
  const force = opts.force === true;
  // The record is read from GitHub even for --dry-run and --no-pr.
  const forge = await requireForge(ctx, config.repository.github);

  const { remote, branch: base } = config.repository;
  const prefix = await repoPrefix(root, ctx.env, 'propose');
  const baseSha = await fetchBranch(root, ctx.env, remote, base);
  const files = wanted.flatMap((w) => [
    stagePointerFile(config, from, w.pointer),
    stagePointerFile(config, stage, w.pointer),
  ]);
  const texts = await readBlobs(
    root,
    ctx.env,
    files.map((f) => `${baseSha}:${prefix}${f}`),
  );
  const where = { root, env: ctx.env, prefix, config, tip: baseSha };
  const pointers: StagePointer[] = [];
  const unchanged: { pointer: string; run: string }[] = [];
  for (const [i, w] of wanted.entries()) {
    const p = config.pointers[w.pointer]!;
    const fromFile = files[2 * i]!;
    const file = files[2 * i + 1]!;
    const source = pointerRun(texts[2 * i] ?? null, { ...p, file: fromFile });
    if (source.run === null)
      throw new CheckFailedError(
        `${from} has no run of ${w.pointer} on ${base}: ${source.problem}`,
        `Promote ${w.pointer} to ${from} first.`,
      );
    const run = source.run;
    if (w.run !== null && w.run !== run)
      throw new CheckFailedError(
        `${from} runs ${w.pointer}=${run} on ${base}, not ${w.run}: ${stage} takes what ${from} runs now`,
        `Run: git promote propose --stage ${stage} ${w.pointer} --from ${from}`,
      );
    const oldContent = texts[2 * i + 1] ?? null;
    const current = oldContent === null ? null : pointerRun(oldContent, { ...p, file }).run;
    if (current === run) {
      unchanged.push({ pointer: w.pointer, run });
      continue;
    }
    pointers.push(
      await stagePointer({
        forge,
        where,
        stage,
        from,
        pointer: w.pointer,
        run,
        file,
        current,
        oldContent,
        now: ctx.now(),
      }),
    );
  }
  const unchangedText = unchanged.map(
    (u) => `${stage} already runs ${u.pointer}=${u.run} on ${base}; nothing to propose for it`,
  );
  if (pointers.length === 0) return { exitCode: 0, data: { changed: false, unchanged }, text: unchangedText };

  const records = await readBlobs(
    root,
    ctx.env,
    pointers.map((x) => `${baseSha}:${prefix}${x.recordPath}`),
  );
  const proposalFiles: Record<string, string> = {};
  pointers.forEach((x, i) => {
    x.writeRecord = records[i] == null;
    proposalFiles[x.file] = x.newContent;
    if (x.writeRecord) proposalFiles[x.recordPath] = stringifyJson(x.record);
  });
  const branch = stageBranch(
    stage,
    pointers.map((x) => ({ pointer: x.pointer, run: x.to })),
  );
  const commitMessage = [
    stageTitle(stage, pointers),
    '',
    ...pointers.map(
      (x) =>
        `${x.pointer}: ${x.from ?? '(none)'} -> ${x.to} (verified on ${from} at ${x.record.verified_at}, ${x.record.hosts.length} host${x.record.hosts.length === 1 ? '' : 's'})`,
    ),
    '',
    'Proposed-by: git-promote',
  ].join('\n');
  const proposal = {
    stage,
    from,
    base,
    baseSha,
    remote,
    branch,
    pointers,
    files: proposalFiles,
    commitMessage,
    labels: config.policy.labels,
  };
  const draft = buildStagePullRequest(proposal);
  const summary = pointers.map(
    (x) =>
      `${stage} ${x.pointer}: ${x.from ?? '(none)'} → ${x.to} (${from} verified it on ${x.record.hosts.map((h) => h.host).join(', ')} at ${x.record.verified_at})`,
  );
  const data = {
    stage,
    from,
    branch,
    base,
    baseSha,
    pointers: pointers.map((x) => ({
      pointer: x.pointer,
      file: x.file,
      from: x.from,
      to: x.to,
      evidence: x.recordPath,
      evidenceAdded: x.writeRecord,
      verifiedAt: x.record.verified_at,
      hosts: x.record.hosts.map((h) => ({
        host: h.host,
        commit: h.commit,
        flowRun: h.flow_run,
        at: h.verified_at,
      })),
    })),
    unchanged,
  };

  const ci = await checkLikeCi({
    root,
    configPath,
    env: ctx.env,
    baseSha,
    files: proposalFiles,
    message: commitMessage,
    now: ctx.now(),
    openForge: (github) => openForge(ctx, github),
  });
  if (dryRun) {
    const checks = dryRunChecks(ci.failures, force);
    return {
      exitCode: checks.exitCode,
      data: {
        ...data,
        dryRun: true,
        files: proposalFiles,
        pullRequest: wantPr ? draft : null,
        failedChecks: checks.failedChecks,
      },
      text: [
        ...unchangedText,
        ...summary,
        ...checks.lines,
        `would commit on ${branch} and push to ${remote}: ${Object.keys(proposalFiles).join(', ')}`,
      ],
    };
  }
  refuseOrWarn(ci.failures, force, ctx);
  const pushed = await publishProposal({
    root,
    env: ctx.env,
    remote,
    branch,
    baseSha,
    commit: ci.commit,
    forge: wantPr ? forge : null,
    draft,
  });
  return {
    exitCode: 0,
    data: { ...data, commit: pushed.sha, pushed: pushed.pushed, pullRequest: pushed.pullRequest },
    text: [...unchangedText, ...summary, ...pushed.text],
  };
}

/** One pointer's change and record: every host's verdict from GitHub, the first stage's meta. */
async function stagePointer(input: {
  forge: Forge;
  where: Parameters<typeof findHostVerdicts>[1];
  stage: string;
  from: string;
  pointer: string;
  run: string;
  file: string;
  current: string | null;
  oldContent: string | null;
  now: Date;
}): Promise<StagePointer> {
  const { where, stage, from, pointer, run } = input;
  const config = where.config;
  const verdicts = await findHostVerdicts(input.forge, where, { from, pointer, run });
  const verified = verdicts.flatMap((v) => (v.ok ? [v.record] : []));
  const problems = verdicts.flatMap((v) => (v.ok ? [] : [`${v.host}: ${v.problem}`]));
  if (verified.length === 0)
    throw new CheckFailedError(
      `${from} has not verified ${pointer}=${run} on any host`,
      `Wait for ${from}'s agents to apply and verify it (git promote status --fleet shows them).`,
      { details: problems },
    );
  const hosts = config.stages![from]!.hosts ?? [];
  const judged = judgeStage({
    from,
    fromConfig: config.stages![from]!,
    soak: config.stages![stage]!.soak,
    verified,
    hostCount: hosts.length,
    now: input.now,
  });
  const evidenceFile = evidencePath(pointer, run);
  const [text = null] = await readBlobs(where.root, where.env, [
    `${where.tip}:${where.prefix}${evidenceFile}`,
  ]);
  const parsed = text === null ? null : parseEvidence(text, packageVersion(), evidenceFile);
  const smoke = parsed === null || 'problems' in parsed ? null : (parsed.evidence ?? parsed.adopted);
  if (smoke === null)
    throw new CheckFailedError(
      `${evidenceFile}, the smoke evidence of ${run}, is ${parsed === null ? 'missing' : 'not valid'} on ${config.repository.branch}`,
      `A stage with "after" takes only runs the first stage promoted; promote ${pointer}=${run} there first.`,
    );
  const verifiedAt =
    judged.verifiedAt ?? new Date(Math.max(...verified.map((v) => Date.parse(v.verified_at)))).toISOString();
  const record: StageRecord = {
    schema: STAGE_RECORD_SCHEMA_ID,
    stage,
    from,
    pointer,
    run_id: run,
    meta: smoke.meta,
    meta_sha256: smoke.meta_sha256,
    verified_at: verifiedAt,
    hosts: verified.sort((a, b) => a.host.localeCompare(b.host)),
    tool: { name: 'git-promote', version: packageVersion() },
  };
  const p = config.pointers[pointer]!;
  return {
    pointer,
    file: input.file,
    from: input.current,
    to: run,
    record,
    recordPath: recordPath(stage, pointer, run),
    writeRecord: true,
    oldContent: input.oldContent,
    newContent:
      input.oldContent === null
        ? newPointerFile(p.runField, run)
        : setPointerRun(p.runField, run, input.file)(input.oldContent),
  };
}
