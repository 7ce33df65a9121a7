/**
 * What the agent does after a commit is applied (runbook steps 4-5), as its one afterApply hook:
 * open a GitHub Deployment on the commit (in_progress), trigger the daily flow once for the commit
 * and follow it, verify from the manifests that each changed pointer's run was used, and close the
 * deployment as success or failure. Progress is saved before every wait, so a restarted agent
 * resumes the same flow run and the same deployment instead of starting new ones.
 */
import { hostname } from 'node:os';
import { githubToken } from '../adapters/github-actions.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import type { AfterApplyHook, AppliedCommit, AfterApplyContext, FollowUp } from '../core/apply-result.js';
import type { Config } from '../core/schemas.js';
import { noSlateText } from '../core/verify.js';
import type { SavedFlowRun } from './flow-follow.js';
import { flowRunUrl } from './flow-run-url.js';
import { reportDeployment, type DeploymentReport } from './report-deployment.js';
import { stageEnvironment } from '../core/stages.js';

interface Progress {
  deploymentId?: number | null;
  flow?: SavedFlowRun;
}

function flowConfigured(config: Config): boolean {
  return Boolean(config.flow?.prefect || config.flow?.command);
}

function deploymentsPossible(config: Config, env: Record<string, string | undefined>): boolean {
  return Boolean(config.repository.github && githubToken(env) && config.agent.deployment?.enabled !== false);
}

export function followUpHook(defaultHost = hostname()): AfterApplyHook {
  return {
    name: 'flow',
    enabled: (config, env) => flowConfigured(config) || deploymentsPossible(config, env),
    async run(applied: AppliedCommit, c: AfterApplyContext): Promise<FollowUp> {
      const host = c.config.agent.host ?? defaultHost;
      // An agent that names its stage (docs/stages.md) keys its flow runs per stage and host.
      const scope = c.config.agent.stage ? stageEnvironment(c.config.agent.stage, host) : undefined;
      let progress: Progress = { ...((c.saved as Progress | null) ?? {}) };
      const persist = async (more: Progress) => {
        progress = { ...progress, ...more };
        await c.save(progress as FollowUp);
      };
      const pointers = applied.changed.map((x) => x.pointer);
      const runs = applied.changed.map((x) => `${x.pointer}=${x.to}`).join(', ');
      const deployment = { config: c.config, env: c.env, fetch: c.fetch, sha: applied.commit, host };
      // What became of the deployment, for the summary: "#3 success", "not reported: …", a warning.
      let deploymentNote: string | null = null;
      const noteDeployment = (report: DeploymentReport) => {
        if (report.warning) {
          c.log('deployment-warning', { message: report.warning });
          deploymentNote = `warning: ${report.warning}`;
        } else if (report.skipped) deploymentNote = `not reported: ${report.skipped}`;
        else if (report.deploymentId !== null && report.posted.length)
          deploymentNote = `#${report.deploymentId} ${report.posted.at(-1)} (${report.environment})`;
      };

      if (progress.deploymentId === undefined) {
        const started = await reportDeployment({
          ...deployment,
          state: 'in_progress',
          description: `applying ${runs}`,
          payload: { runs: applied.runs, changed: applied.changed },
        });
        noteDeployment(started);
        await persist({ deploymentId: started.deploymentId });
      }

      if (!flowConfigured(c.config)) {
        const done = await reportDeployment({
          ...deployment,
          deploymentId: progress.deploymentId ?? null,
          state: 'success',
          description: `applied ${runs}; no flow configured`,
        });
        noteDeployment(done);
        return {
          flow: 'not configured',
          ok: true,
          deploymentId: done.deploymentId,
          deployment: deploymentNote,
        };
      }

      const startedAt = c.now().getTime();
      const since = () => {
        const t = progress.flow?.triggeredAt ? Date.parse(progress.flow.triggeredAt) : NaN;
        return formatDuration(Math.max(0, c.now().getTime() - (Number.isNaN(t) ? startedAt : t)));
      };

      // Loaded when a flow is to run: a pass with nothing to hand over never needs it.
      const { triggerFollowVerify } = await import('./flow-follow.js');
      const outcome = await triggerFollowVerify({
        config: c.config,
        root: c.root,
        commit: applied.commit,
        pointers,
        runs: Object.fromEntries(applied.changed.map((x) => [x.pointer, x.to])),
        ctx: c,
        ...(progress.flow ? { saved: progress.flow } : {}),
        ...(scope ? { scope } : {}),
        save: (flow) => persist({ flow }),
        pollMs: parseDuration(c.config.flow?.pollInterval ?? '5s') ?? 5_000,
        // Progress while following (up to flow.timeout): every state change, with the time since
        // the trigger and where to look at the run.
        onState: (run) => {
          const url = flowRunUrl(c.config, c.env, run.flowRunId);
          c.log('flow-run', {
            id: run.flowRunId,
            ...(run.name ? { name: run.name } : {}),
            state: run.state,
            ...(run.stateName && run.stateName.toUpperCase() !== run.state
              ? { stateName: run.stateName }
              : {}),
            elapsed: since(),
            ...(url ? { url } : {}),
          });
        },
      });
      const failedChecks = outcome.verified.filter((v) => !v.ok);
      // A day without a slate is its own outcome: nothing to verify, never a failure.
      const noSlate = outcome.verified.some((v) => v.reason === 'no-slate');
      const description = outcome.ok
        ? noSlate
          ? `flow run ${outcome.state}; ${noSlateText(outcome.gameDate)}`
          : `flow run ${outcome.state}; manifests show ${runs}`
        : outcome.state !== 'COMPLETED'
          ? `flow run ended ${outcome.state}${outcome.run.message ? `: ${outcome.run.message}` : ''}`
          : `verification failed: ${failedChecks.map((v) => v.detail).join('; ')}`;
      const done = await reportDeployment({
        ...deployment,
        deploymentId: progress.deploymentId ?? null,
        state: outcome.ok ? 'success' : 'failure',
        // The flow run's id first, where a stage record reads it back (core/stage-record.ts).
        description: description.replace(/^flow run /, `flow run ${outcome.flowRunId} `),
      });
      noteDeployment(done);
      const url = flowRunUrl(c.config, c.env, outcome.flowRunId);
      return {
        ok: outcome.ok,
        pointers,
        flowRunId: outcome.flowRunId,
        ...(url ? { url } : {}),
        elapsed: since(),
        state: outcome.state,
        gameDate: outcome.gameDate,
        resumed: outcome.resumed,
        verified: outcome.verified.map((v) => ({
          pointer: v.pointer,
          ok: v.ok,
          reason: v.reason,
          detail: v.detail,
        })),
        deploymentId: done.deploymentId,
        deployment: deploymentNote,
        detail: description,
      };
    },
  };
}

/** A follow-up that ran to the end but found the new model not in use (flow failed, or verify failed). */
export function failedFollowUps(followUps: Record<string, FollowUp> | undefined): string[] {
  return Object.values(followUps ?? {})
    .filter((f) => f.ok === false)
    .map((f) => String(f.detail ?? 'follow-up failed'));
}
