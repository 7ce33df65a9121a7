/**
 * The lifecycle with stages (docs/stages.md), run in the stages world through the CLI entry point:
 * staging promoted with smoke and verified by its agent, production refused before the soak, then
 * (the clock moved past the soak) proposed on staging's record, validated, merged and applied, with
 * `status --fleet` showing production's host lagging in between.
 */
import { join } from 'node:path';
import { parseDuration } from '../../core/duration.js';
import type { Context } from '../../commands/context.js';
import { actionsJob } from './ci-runner.js';
import { SANDBOX_POINTERS } from './build-world.js';
import {
  describeApply,
  pullApiUrl,
  runSteps,
  type Data,
  type Invocation,
  type Step,
  type StepReport,
} from './lifecycle.js';
import type { SandboxStage, StagesWorld } from './stages-world.js';

function describeFleet(d: Data): { summary: string } {
  return {
    summary: (d.stages as Data[])
      .map(
        (s) =>
          `${s.stage} ${s.verified ? 'verified' : 'NOT verified'} (${(s.hosts as Data[])
            .map(
              (h) =>
                `${h.host} ${h.lag.length ? 'lagging' : h.failed ? 'failed' : h.applied ? 'ok' : 'never reported'}`,
            )
            .join(', ')})`,
      )
      .join('; '),
  };
}

export async function runStagesLifecycle(
  world: StagesWorld,
  ctx: Context,
  soak: string,
  onStep: (index: number, total: number, report: StepReport) => void,
): Promise<StepReport[]> {
  const minutes = SANDBOX_POINTERS.minutes.runs;
  // GitHub's clock is real; the commands that judge the soak run this far ahead of it.
  const later = (parseDuration(soak) ?? 0) + 3_600_000;
  const laptop = (args: string[], shiftMs = 0): Invocation => ({
    args,
    cwd: world.work,
    env: world.env,
    shiftMs,
  });
  const host = (stage: SandboxStage, args: string[]): Invocation => ({
    args,
    cwd: world.hosts[stage].target,
    env: world.hosts[stage].env,
  });
  const prs: number[] = [];
  const ciStep =
    (job: 'validate' | 'merge', pick: () => number, shiftMs = 0): Step['run'] =>
    async () => {
      const number = pick();
      const j = await actionsJob(world, number, job, job === 'validate' ? 'head' : 'base');
      const args = job === 'validate' ? ['validate'] : ['merge', '--pr', String(number), '--sha', j.headSha];
      return {
        call: { args, cwd: j.cwd, env: j.env, shiftMs },
        describe: (d) =>
          job === 'validate'
            ? {
                summary: `${(d.results as unknown[]).length} checks passed on ${String(d.head).slice(0, 12)}`,
                look: j.summaryPath,
              }
            : { summary: `PR #${number} merged as ${String(d.sha).slice(0, 12)}` },
      };
    };
  const apply =
    (stage: SandboxStage): Step['run'] =>
    async () => ({
      call: host(stage, ['apply']),
      describe: (d) => ({ summary: describeApply(d), look: join(world.hosts[stage].target, 'config') }),
    });
  const fleet = (): Step['run'] => async () => ({
    call: laptop(['status', '--fleet']),
    describe: describeFleet,
  });
  const proposeProduction =
    (shiftMs: number): Step['run'] =>
    async () => ({
      call: laptop(['propose', '--stage', 'production', 'minutes', '--from', 'staging'], shiftMs),
      describe: (d) => {
        prs.push(d.pullRequest.number);
        return {
          summary: `PR #${d.pullRequest.number} from ${d.branch}, evidence ${d.pointers[0].evidence} (staging's record)`,
          look: pullApiUrl(world, d.pullRequest.number),
        };
      },
    });

  const steps: Step[] = [
    {
      title: `propose --stage staging minutes=${minutes[1]} (laptop: smoke scoring, evidence, PR)`,
      run: async () => ({
        call: laptop(['propose', '--stage', 'staging', `minutes=${minutes[1]}`]),
        describe: (d) => {
          prs.push(d.pullRequest.number);
          return {
            summary: `PR #${d.pullRequest.number} from ${d.branch}`,
            look: pullApiUrl(world, d.pullRequest.number),
          };
        },
      }),
    },
    { title: 'validate (GitHub Action)', run: ciStep('validate', () => prs[0]!) },
    { title: 'merge (GitHub Action)', run: ciStep('merge', () => prs[0]!) },
    {
      title: 'apply (staging agent on stg-1: apply, Prefect, verify, deployment staging/stg-1)',
      run: apply('staging'),
    },
    { title: 'apply (production agent on prod-1: its own files)', run: apply('production') },
    { title: 'status --fleet (laptop)', run: fleet() },
    {
      title: `propose --stage production minutes --from staging, before the ${soak} soak`,
      run: proposeProduction(0),
      expectExit: 1,
    },
    {
      title: `propose --stage production minutes --from staging, ${soak} later`,
      run: proposeProduction(later),
    },
    {
      title: "validate (GitHub Action: staging's record read again from GitHub)",
      run: ciStep('validate', () => prs[1]!, later),
    },
    { title: 'merge (GitHub Action)', run: ciStep('merge', () => prs[1]!, later) },
    { title: 'status --fleet (laptop): prod-1 lags', run: fleet(), expectExit: 1 },
    { title: 'apply (production agent on prod-1)', run: apply('production') },
    { title: 'status --fleet (laptop): every stage verified', run: fleet() },
  ];
  return runSteps(steps, ctx, onStep);
}
