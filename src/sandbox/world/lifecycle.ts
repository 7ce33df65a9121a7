/**
 * The whole promotion lifecycle, run in a sandbox world through the CLI entry point itself
 * (`runCli`, which src/cli puts in the Context), with the environment each party would have: the data scientist's laptop, the
 * GitHub Action, and the agent on the pipeline server.
 */
import { join } from 'node:path';
import type { Context } from '../../commands/context.js';
import { inProcessCli } from './in-process-cli.js';
import { actionsJob } from './ci-runner.js';
import { SANDBOX_POINTERS, SANDBOX_REPO, type SandboxWorld } from './build-world.js';

export interface StepReport {
  title: string;
  ok: boolean;
  exitCode: number;
  summary: string;
  look?: string;
  /** The command's own error lines, when it failed. */
  errors: string[];
}

export interface Invocation {
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Run with the clock this far ahead (the stages sandbox passes a soak this way). */
  shiftMs?: number;
}

/** Run one git-promote command in-process with --json and capture what it printed. */
async function invoke(
  ctx: Context,
  call: Invocation,
): Promise<{ code: number; data: unknown; stderr: string }> {
  let out = '';
  let err = '';
  const code = await inProcessCli(ctx)([...call.args, '--json'], {
    ...ctx,
    ...(call.shiftMs ? { now: () => new Date(ctx.now().getTime() + call.shiftMs!) } : {}),
    cwd: call.cwd,
    env: call.env,
    isTTY: false,
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
  });
  let data: unknown = null;
  try {
    data = JSON.parse(out);
  } catch {
    data = null; // a command that printed nothing parseable failed and said why on stderr
  }
  return { code, data, stderr: err };
}

export type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Step {
  title: string;
  run: () => Promise<{ call: Invocation; describe: (data: Data) => { summary: string; look?: string } }>;
  /** The exit code the step shows (a refusal the lifecycle demonstrates); default 0. */
  expectExit?: number;
}

export async function runLifecycle(
  world: SandboxWorld,
  ctx: Context,
  onStep: (index: number, total: number, report: StepReport) => void,
): Promise<StepReport[]> {
  const minutes = SANDBOX_POINTERS.minutes.runs;
  const laptop = (args: string[]): Invocation => ({ args, cwd: world.work, env: world.env });
  // The agent has no GitHub token by default on a server; the sandbox gives it one so that
  // deployments show up on GitHub, as they would with `agent.deployment` configured.
  const server = (args: string[]): Invocation => ({
    args,
    cwd: world.target,
    env: { ...world.env, PROMOTE_CONFIG: world.hostConfig },
  });
  const prs: number[] = [];
  const ciStep =
    (job: 'validate' | 'merge', pick: () => number): Step['run'] =>
    async () => {
      const number = pick();
      const j = await actionsJob(world, number, job, job === 'validate' ? 'head' : 'base');
      const args = job === 'validate' ? ['validate'] : ['merge', '--pr', String(number), '--sha', j.headSha];
      return {
        call: { args, cwd: j.cwd, env: j.env },
        describe: (d) =>
          job === 'validate'
            ? {
                summary: `${(d.results as unknown[]).length} checks passed on ${String(d.head).slice(0, 12)}; status git-promote/validate posted`,
                look: j.summaryPath,
              }
            : { summary: `PR #${number} merged (${d.method ?? 'squash'}) as ${String(d.sha).slice(0, 12)}` },
      };
    };
  const apply = (): Step['run'] => async () => ({
    call: server(['apply']),
    describe: (d) => ({
      summary: describeApply(d),
      look: join(world.target, 'config'),
    }),
  });
  const verify =
    (run: string): Step['run'] =>
    async () => ({
      call: server(['verify', 'minutes', '--run', run]),
      describe: (d) => ({
        summary: `manifests for ${d.gameDate ?? 'today'} show minutes run ${run}`,
        look: world.manifests,
      }),
    });

  const steps: Step[] = [
    {
      title: 'status (laptop)',
      run: async () => ({
        call: laptop(['status']),
        describe: (d) => ({
          summary: (d.pointers as Data[]).map((p) => `${p.pointer}=${p.branch}`).join(', '),
        }),
      }),
    },
    {
      title: `propose minutes=${minutes[1]} (laptop: smoke scoring, evidence, PR)`,
      run: async () => ({
        call: laptop(['propose', `minutes=${minutes[1]}`]),
        describe: (d) => {
          prs.push(d.pullRequest.number);
          return {
            summary: `PR #${d.pullRequest.number} ${d.pullRequest.action} from ${d.branch}`,
            look: pullApiUrl(world, d.pullRequest.number),
          };
        },
      }),
    },
    { title: 'validate (GitHub Action, pull_request)', run: ciStep('validate', () => prs[0]!) },
    { title: 'merge (GitHub Action, sha-guarded)', run: ciStep('merge', () => prs[0]!) },
    { title: 'apply (agent on the server: write pointers, trigger Prefect, verify)', run: apply() },
    { title: `verify minutes (server)`, run: verify(minutes[1]) },
    {
      title: 'rollback minutes (laptop: git revert as a PR)',
      run: async () => ({
        call: laptop(['rollback', 'minutes', '--reason', 'sandbox: show that a rollback is a revert']),
        describe: (d) => {
          prs.push(d.pr.number);
          return {
            summary: `PR #${d.pr.number}: ${d.left} → ${d.restored} on ${d.branch}`,
            look: pullApiUrl(world, d.pr.number),
          };
        },
      }),
    },
    { title: 'validate the rollback (GitHub Action, no new smoke)', run: ciStep('validate', () => prs[1]!) },
    { title: 'merge the rollback (GitHub Action)', run: ciStep('merge', () => prs[1]!) },
    { title: 'apply the rollback (agent on the server)', run: apply() },
    { title: `verify minutes (server)`, run: verify(minutes[0]) },
    {
      title: 'history minutes (laptop)',
      run: async () => ({
        call: laptop(['history', 'minutes']),
        describe: (d) => ({
          summary: (d.entries as Data[])
            .map((e) => `${e.kind} ${e.from ?? '∅'}→${e.to}${e.pr ? ` (#${e.pr})` : ''}`)
            .join('; '),
        }),
      }),
    },
  ];

  return runSteps(steps, ctx, onStep);
}

/** Run the steps in order through the CLI, stopping at the first that does not end as expected. */
export async function runSteps(
  steps: Step[],
  ctx: Context,
  onStep: (index: number, total: number, report: StepReport) => void,
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const [i, step] of steps.entries()) {
    let report: StepReport;
    try {
      const { call, describe } = await step.run();
      const { code, data, stderr } = await invoke(ctx, call);
      const errors = stderr.split('\n').filter((l) => /^(error|hint):/.test(l));
      const expected = step.expectExit ?? 0;
      // A refusal the lifecycle demonstrates: the error --json printed, with its details.
      const refusal = (data as Data | null)?.error as { message: string; details: string[] } | undefined;
      report =
        code !== expected || !data
          ? { title: step.title, ok: false, exitCode: code, summary: `exit ${code}`, errors }
          : refusal
            ? {
                title: step.title,
                ok: expected !== 0,
                exitCode: code,
                summary: `refused, as expected: ${refusal.message}`,
                errors: refusal.details.map((d) => `  ${d}`),
              }
            : { title: step.title, ok: true, exitCode: code, errors: [], ...describe(data as Data) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      report = {
        title: step.title,
        ok: false,
        exitCode: 1,
        summary: 'the sandbox itself failed',
        errors: [message],
      };
    }
    reports.push(report);
    onStep(i + 1, steps.length, report);
    if (!report.ok) break;
  }
  return reports;
}

/** The PR on the GitHub stand-in (its html_url points at github.com, which the sandbox is not). */
export function pullApiUrl(world: Pick<SandboxWorld, 'github'>, number: number): string {
  return `${world.github.url}/repos/${SANDBOX_REPO}/pulls/${number}`;
}

export function describeApply(d: Data): string {
  const changed = (d.changed ?? []) as Data[];
  const parts = changed.map((c) => `${c.pointer} ${c.from ?? '∅'}→${c.to}`);
  const f = d.followUps?.flow;
  const flow = f?.flowRunId
    ? `; Prefect flow run ${f.state}, ${f.ok ? 'new run confirmed in the manifests' : f.detail}` +
      (f.deploymentId ? `; GitHub deployment #${f.deploymentId}` : '')
    : '';
  return `${parts.join(', ') || 'nothing to apply'} at ${String(d.commit ?? '').slice(0, 12)}${flow}`;
}
