/** Fault injection of the crash tests: where it kills, what it logs, how long it pauses. */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  crashHook,
  CRASH_ENV,
  noCrash,
  STEP_LOG_ENV,
  STEP_PAUSE_ENV,
} from '../../../src/adapters/fs/crash-points.js';
import { tempDir } from '../../helpers/git-repo.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A hook whose kill is recorded instead of delivered; returns the steps at which it died. */
function armed(env: Record<string, string>): { hook: (step: string) => void; deaths: string[] } {
  const deaths: string[] = [];
  let last = '';
  const hook = crashHook(env, () => deaths.push(last));
  return {
    deaths,
    hook: (step) => {
      last = step;
      hook(step);
    },
  };
}

describe('crash points', () => {
  it('are inert unless a test variable is set', () => {
    expect(crashHook({})).toBe(noCrash);
    expect(crashHook({ [CRASH_ENV]: '' })).toBe(noCrash);
  });

  it('kill the n-th time the named step is reached, and only then', () => {
    const { hook, deaths } = armed({ [CRASH_ENV]: 'renamed:2' });
    ['intent-written', 'renamed', 'state-written'].forEach(hook);
    expect(deaths).toEqual([]);
    hook('renamed');
    expect(deaths).toEqual(['renamed']);
    ['renamed', 'renamed'].forEach(hook);
    expect(deaths).toEqual(['renamed']);
  });

  it('count past nine', () => {
    const { hook, deaths } = armed({ [CRASH_ENV]: 'journal-appended:12' });
    for (let i = 1; i <= 11; i++) hook('journal-appended');
    expect(deaths).toEqual([]);
    hook('journal-appended');
    expect(deaths).toEqual(['journal-appended']);
  });

  it('ignore a kill spec that is not exactly <step>:<n>', () => {
    for (const spec of ['x/renamed:1', 'renamed:1x', 'renamed:', ':1', 'Renamed:1', 'renamed 1'])
      expect(crashHook({ [CRASH_ENV]: spec }), spec).toBe(noCrash);
  });

  it('log each step reached, in order, without killing', () => {
    const log = join(tempDir(), 'steps.log');
    dirs.push(join(log, '..'));
    const { hook, deaths } = armed({ [STEP_LOG_ENV]: log });
    ['intent-written', 'renamed', 'renamed'].forEach(hook);
    expect(readFileSync(log, 'utf8')).toBe('intent-written\nrenamed\nrenamed\n');
    expect(deaths).toEqual([]);
  });

  it('pause at each step for the time asked', () => {
    const hook = crashHook({ [STEP_PAUSE_ENV]: '40' });
    const t0 = performance.now();
    hook('renamed');
    hook('renamed');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(79);
  });

  it('do not pause when the pause is not a number', () => {
    const log = join(tempDir(), 'steps.log');
    dirs.push(join(log, '..'));
    // Atomics.wait would wait forever on NaN: a bad value must mean no pause at all.
    const hook = crashHook({ [STEP_LOG_ENV]: log, [STEP_PAUSE_ENV]: 'soon' });
    hook('renamed');
    expect(readFileSync(log, 'utf8')).toBe('renamed\n');
  });
});
