/**
 * `git promote agent`: hold the target's lock for the agent's whole life and run an apply pass
 * every interval, or only the cheap remote check when nothing changed (./remote-check.ts).
 * Transient failures back off exponentially with jitter; refusals are logged and retried at the
 * normal interval (someone must fix the branch); SIGTERM ends the wait at once and lets a running
 * pass finish its write set, then the lock is released.
 */
import { sleep } from '../adapters/long-timeout.js';
import { intervalDuration, type DurationValue } from '../core/option-values.js';
import { terminalSafeJson } from '../core/terminal-text.js';
import { oneLine } from '../core/workflow-commands.js';
import { ExitCode, toPromoteError, type ExitCodeValue } from '../core/errors.js';
import { eventPriority, priorityPrefix } from '../core/log-priority.js';
import { applyPass, type ApplyDeps } from './apply-pass.js';
import type { PassLog } from './pass-log.js';
import { LockLostError, lockSession, openSession } from './session.js';
import { summaryFields } from './report.js';
import type { CommonOptions, Context, Outcome } from '../commands/context.js';
import { failedFollowUps, followUpHook } from './follow-up.js';
import { autoRollbackHook } from './auto-rollback.js';
import { recordedPass, recordPassOutcome } from './pass-record.js';
import { remoteCheck } from './remote-check.js';
import { holdRemedy, holdText } from '../core/switch-gate.js';

export interface AgentOptions extends CommonOptions {
  /** Time between passes; default agent.interval. */
  interval?: DurationValue;
  /** Run one pass and exit. */
  once?: boolean;
  /** false with --no-trigger. */
  trigger?: boolean;
  /** Wait for another agent holding the lock instead of exiting 4. */
  wait?: boolean;
}

export interface AgentDeps extends ApplyDeps {
  /** [0, 1) source for the jitter; tests pass a fixed one. */
  random?: () => number;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/** Delay before the next pass after `failures` transient failures in a row. */
export function backoffMs(intervalMs: number, failures: number, random: () => number): number {
  if (failures === 0) return intervalMs;
  const base = Math.min(MAX_BACKOFF_MS, Math.max(intervalMs, 1000) * 2 ** Math.min(failures - 1, 16));
  return Math.round(base * (0.75 + random() * 0.5));
}

function formatField(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function makeAgent(deps: AgentDeps) {
  return async function agent(_args: string[], opts: AgentOptions, ctx: Context): Promise<Outcome> {
    const json = opts.json === true;
    const journal = ctx.journal?.stdout === true;
    const log: PassLog = (event, fields) => {
      const at = ctx.now().toISOString();
      ctx.stdout.write(
        (journal ? priorityPrefix(eventPriority(event, fields)) : '') +
          (json
            ? `${terminalSafeJson(JSON.stringify({ at, event, ...fields }))}\n`
            : `${at} ${event}${Object.entries(fields)
                .map(([k, v]) => ` ${k}=${oneLine(formatField(v))}`)
                .join('')}\n`),
      );
    };
    const session = await openSession({ config: opts.config }, ctx);
    const warn = (message: string) => log('metrics-warning', { message });
    // The config's interval passed its schema (a duration of at most 1d); zero is refused here.
    const { text: intervalText, ms: intervalMs } =
      opts.interval ?? intervalDuration('agent.interval')(session.config.agent.interval);
    const once = opts.once === true;
    const random = deps.random ?? Math.random;
    const lock = await lockSession(session, { wait: opts.wait === true, command: 'git-promote agent' }, ctx);
    let last: ExitCodeValue = ExitCode.ok;
    let lastCommit: string | null = null;
    let lastRefusal: string | null = null;
    let lastHold: string | null = null;
    try {
      log('started', {
        target: session.target,
        state: session.paths.dir,
        interval: intervalText,
        pid: process.pid,
      });
      let failures = 0;
      const check = remoteCheck(session, ctx);
      while (!ctx.signal?.aborted) {
        try {
          if (!once && (await check.unchanged())) {
            // The agent looked and found nothing to do: as good a pass as a full one for liveness.
            const warning = recordPassOutcome(session, { ok: true, at: ctx.now() });
            if (warning) warn(warning);
            await sleep(intervalMs, ctx.signal).catch(() => undefined); // woken by a stop
            continue;
          }
          const report = await recordedPass(session, ctx, warn, (onApplied) =>
            applyPass(session, { trigger: opts.trigger !== false, onApplied }, deps, ctx, log),
          );
          // A held change (freeze window, quiet wait, diverged host) is looked at again every
          // interval, however still the branch is.
          if (!once) {
            if (report.held) check.failed();
            else await check.passed(report.commit);
          }
          if (report.upToDate && report.commit !== lastCommit)
            log('up-to-date', { commit: report.commit.slice(0, 12) });
          // A hold lasts (a freeze window, a diverged host): log it once, and again when it changes.
          const hold = report.held ? holdText(report.held) : null;
          if (hold && `${report.commit} ${hold}` !== lastHold)
            log('held', {
              commit: report.commit.slice(0, 12),
              reason: report.held!.reason,
              message: hold,
              hint: holdRemedy(report.held!),
            });
          lastHold = hold ? `${report.commit} ${hold}` : null;
          if (report.applied || Object.keys(report.followUps).length) log('summary', summaryFields(report));
          lastCommit = report.commit;
          lastRefusal = null;
          failures = 0;
          last = failedFollowUps(report.followUps).length ? ExitCode.check : ExitCode.ok;
        } catch (err) {
          check.failed();
          const e = toPromoteError(err);
          last = e.exitCode;
          if (ctx.signal?.aborted) break;
          // Usage errors need a person; a lost lock means another process may already run.
          if (e.exitCode === ExitCode.usage || err instanceof LockLostError) {
            log('error', { message: e.message, hint: e.remedy });
            return { exitCode: e.exitCode, data: { exitCode: e.exitCode }, text: [] };
          }
          const refused = e.exitCode === ExitCode.check;
          failures = refused ? 0 : failures + 1;
          const delay = refused ? intervalMs : backoffMs(intervalMs, failures, random);
          // A refusal repeats every interval until someone fixes the branch: log it once.
          if (!refused || e.message !== lastRefusal) {
            log(refused ? 'refused' : 'retry', {
              message: e.message,
              ...(e.details.length ? { details: e.details } : {}),
              hint: e.remedy,
              ...(once ? {} : { next_in_ms: delay }),
            });
          }
          lastRefusal = refused ? e.message : null;
          if (once) break;
          await sleep(delay, ctx.signal).catch(() => undefined); // woken by a stop
          continue;
        }
        if (once) break;
        await sleep(intervalMs, ctx.signal).catch(() => undefined); // woken by a stop
      }
    } finally {
      lock.release();
      log('stopped', { reason: ctx.signal?.aborted ? 'signal' : once ? 'once' : 'error' });
    }
    // Stopped by SIGTERM: a clean stop, whatever the last pass said.
    const exitCode = ctx.signal?.aborted ? ExitCode.ok : last;
    return { exitCode, data: { exitCode }, text: [] };
  };
}

export const agent = makeAgent({ afterApply: [followUpHook(), autoRollbackHook()] });
