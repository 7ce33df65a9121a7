/**
 * Children run in their own process group (smoke commands, flow.command). A child is done when
 * it exits, not when its pipes close: a grandchild that left the group (`setsid sleep 45 &`)
 * keeps the pipes open for as long as it likes. Every child carries a random mark in its
 * environment, so the processes that escaped the group can be found and named afterwards.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { oneLine } from '../core/workflow-commands.js';

/** The environment variable that marks a child and everything it starts. */
export const CHILD_MARK_VAR = 'GIT_PROMOTE_CHILD';

export function newChildMark(): string {
  return randomBytes(12).toString('hex');
}

/** Signal a whole process group (the child was spawned with `detached: true`). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * `pid` and its live descendants, parents first, read from /proc (just `pid` where /proc is
 * missing). For a child that shares our process group, like git, whose helpers (git-remote-http,
 * ssh) would outlive it when only git itself is killed.
 */
export function processTree(pid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [pid];
  }
  const children = new Map<number, number[]>();
  for (const name of names) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Signal each pid that is still there. */
export function killAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the child itself exits ('exit', not 'close', which waits for every pipe holder). */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * After the child exited: give its pipes `graceMs` to deliver the rest of the output, then
 * destroy them, so nothing keeps git-promote waiting on a process it no longer supervises.
 */
export async function releasePipes(child: ChildProcess, graceMs = 500): Promise<void> {
  const streams = [child.stdout, child.stderr].filter(
    (s): s is NonNullable<typeof s> => s !== null && !s.destroyed,
  );
  if (streams.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(streams.map((s) => new Promise<void>((r) => s.once('close', () => r())))),
    new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
  ]);
  clearTimeout(timer);
  for (const s of streams) s.destroy();
}

export interface Leftover {
  pid: number;
  command: string;
}

/**
 * Live processes carrying `mark` in their environment: started by the child, not in its
 * (killed) process group. Empty where /proc is missing or unreadable.
 */
export function leftoverProcesses(mark: string, group: number | undefined): Leftover[] {
  const needle = Buffer.from(`${CHILD_MARK_VAR}=${mark}\0`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // state Z: already dead; pgrp === group: killed with the group a moment ago.
      if (rest[0] === 'Z' || rest[0] === 'X' || (group !== undefined && Number(rest[2]) === group)) continue;
      if (!readFileSync(`/proc/${pid}/environ`).includes(needle)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const command = cmdline.length > 80 ? `${cmdline.slice(0, 77)}...` : cmdline;
      out.push({ pid, command: command || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** "pid 123 (sleep 45), pid 456 (...)" */
export function describeLeftovers(list: Leftover[]): string {
  return list.map((l) => `pid ${l.pid} (${oneLine(l.command)})`).join(', ');
}
