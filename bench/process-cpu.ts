/**
 * CPU time (user + system) of a process and everything it waited for (its git children), as the
 * kernel accounts it: bash runs the command and prints `times`, whose second line is the
 * children's totals with millisecond precision. CPU time, unlike wall time, does not grow while
 * the process waits for a core another job holds, so it stays comparable on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import type { Sample } from './harness.js';

// The input file, the command and its arguments are bash's positional parameters: nothing is
// interpolated.
const SCRIPT = 'f=$1; shift; "$@" <"$f" >/dev/null; s=$?; times; exit $s';

/** `0m0.050s 0m0.012s` (user, system) → 62. */
export function parseTimes(line: string): number {
  const parts = [...line.matchAll(/(\d+)m(\d+(?:\.\d+)?)s/g)];
  if (parts.length !== 2) throw new Error(`unexpected output of bash's times: ${JSON.stringify(line)}`);
  return parts.reduce((ms, [, m, s]) => ms + (Number(m) * 60 + Number(s)) * 1000, 0);
}

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** A file to give the command as its standard input (default /dev/null). */
  stdin?: string;
}

/** One run of the command: its CPU milliseconds; a non-zero exit fails the benchmark. */
export function processCpu(spec: ProcessSpec): Sample {
  return () => {
    // stdin must not be a socket (node's pipes are socketpairs): bash would take that for a remote
    // shell and source ~/.bashrc, whose processes `times` would count.
    const args = ['--norc', '--noprofile', '-c', SCRIPT, 'bash', spec.stdin ?? '/dev/null', spec.command];
    const r = spawnSync('bash', [...args, ...spec.args], {
      cwd: spec.cwd,
      env: { ...(spec.env ?? (process.env as Record<string, string>)), BASH_ENV: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0)
      throw new Error(`${spec.command} ${spec.args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const lines = r.stdout.trim().split('\n');
    return parseTimes(lines.at(-1)!);
  };
}
