/**
 * FlowTrigger over a plain command (`flow.command`): an argument array run without a shell, in
 * its own process group so a timeout kills the whole tree. Its "flow run id" is
 * `command:<pid>:<start ms>`; only the process that started it can follow it to its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import { fillArgs } from '../../core/template.js';
import { triggerValues, type FlowRunInfo, type FlowStateType } from '../../core/flow-state.js';
import type { FlowTrigger } from './flow-port.js';
import { setLongTimeout } from '../long-timeout.js';
import {
  CHILD_MARK_VAR,
  describeLeftovers,
  exitOf,
  killGroup as signalGroup,
  leftoverProcesses,
  newChildMark,
  releasePipes,
} from '../child-group.js';

interface CommandTriggerOptions {
  command: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Between SIGTERM and SIGKILL of the process group on timeout (default 5 s). */
  killGraceMs?: number;
}

interface Running {
  child: ChildProcess;
  mark: string;
  startTime: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderrTail: () => string;
}

const TAIL_BYTES = 2000;
const GITHUB_SECRETS = new Set(['GITHUB_TOKEN', 'GH_TOKEN']);

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  signalGroup(child.pid, signal);
}

export function createCommandTrigger(options: CommandTriggerOptions): FlowTrigger {
  const running = new Map<string, Running>();
  const program = options.command[0];
  if (!program)
    throw new UsageError('flow.command is empty', 'Set flow.command to the program and its arguments.');

  function info(
    id: string,
    r: Running,
    state: FlowStateType,
    stateName: string,
    message?: string,
  ): FlowRunInfo {
    return {
      flowRunId: id,
      state,
      stateName,
      ...(message ? { message } : {}),
      startTime: r.startTime,
      endTime: state === 'RUNNING' ? null : options.now().toISOString(),
      created: r.startTime,
    };
  }

  return {
    kind: 'command',
    target: program,
    async trigger(request) {
      const args = fillArgs(options.command.slice(1), triggerValues(request));
      const env: Record<string, string> = {};
      // The flow has no business with git-promote's GitHub credentials.
      for (const [k, v] of Object.entries(options.env))
        if (v !== undefined && !GITHUB_SECRETS.has(k)) env[k] = v;
      const mark = newChildMark();
      env[CHILD_MARK_VAR] = mark;
      const startTime = options.now().toISOString();
      const child = spawn(program, args, {
        cwd: options.cwd,
        env,
        detached: true,
        shell: false,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let tail = '';
      child.stderr?.on('data', (c: Buffer) => {
        tail = (tail + c.toString('utf8')).slice(-TAIL_BYTES);
      });
      // Its exit, not the close of its pipes: a grandchild outside the group may hold those.
      const exit = exitOf(child);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', (err) =>
          reject(
            new CheckFailedError(
              `cannot start flow command ${JSON.stringify(program)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
              'Fix flow.command in promote.config.json (the program must exist and be executable).',
              { cause: err },
            ),
          ),
        );
      });
      const id = `command:${child.pid}:${Date.parse(startTime)}`;
      const r: Running = { child, mark, startTime, exit, stderrTail: () => tail.trim() };
      running.set(id, r);
      return { flowRunId: id, created: true, run: info(id, r, 'RUNNING', 'Running') };
    },
    async follow(flowRunId, followOptions) {
      const r = running.get(flowRunId);
      if (!r)
        throw new CheckFailedError(
          `flow command run ${flowRunId} was started by an earlier git-promote process; its exit status is unknown`,
          "Check the flow command's own logs, then run `git promote verify <pointer>` to confirm the result.",
        );
      followOptions.onState?.(info(flowRunId, r, 'RUNNING', 'Running'));
      let cancelTimeout = () => {};
      const stop = new Promise<'timeout' | 'aborted'>((resolve) => {
        cancelTimeout = setLongTimeout(() => resolve('timeout'), followOptions.timeoutMs);
        if (followOptions.signal?.aborted) resolve('aborted');
        followOptions.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      const result = await Promise.race([r.exit, stop]);
      cancelTimeout();
      let run: FlowRunInfo;
      if (result === 'timeout' || result === 'aborted') {
        killGroup(r.child, 'SIGTERM');
        const grace = setTimeout(() => killGroup(r.child, 'SIGKILL'), options.killGraceMs ?? 5_000);
        await r.exit;
        clearTimeout(grace);
        const why =
          result === 'timeout'
            ? `killed after the flow timeout of ${formatDuration(followOptions.timeoutMs)}`
            : 'killed because git-promote was interrupted';
        run = info(flowRunId, r, 'CRASHED', 'Crashed', `${why}${await leftNote(r)}`);
      } else {
        const left = await leftNote(r, false);
        if (result.code === 0) run = info(flowRunId, r, 'COMPLETED', 'Completed', left.slice(2) || undefined);
        else if (result.signal)
          run = info(flowRunId, r, 'CRASHED', 'Crashed', `killed by ${result.signal}${tailNote(r)}${left}`);
        else run = info(flowRunId, r, 'FAILED', 'Failed', `exit code ${result.code}${tailNote(r)}${left}`);
      }
      running.delete(flowRunId);
      followOptions.onState?.(run);
      return run;
    },
  };
}

/** After the exit: release the pipes and name the processes it left running ("; ..."). */
async function leftNote(r: Running, groupKilled = true): Promise<string> {
  await releasePipes(r.child);
  const left = leftoverProcesses(r.mark, groupKilled ? r.child.pid : undefined);
  return left.length ? `; ${describeLeftovers(left)} still runs` : '';
}

function tailNote(r: Running): string {
  const last = r.stderrTail().split('\n').pop();
  return last ? `: ${last}` : '';
}
