/** A promotion as it lands on main of a sandbox world after a squash merge. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxWorld } from '../../src/sandbox/world/build-world.js';
import { smokeEvidence } from '../../src/sandbox/world/smoke-evidence.js';
import { testContext } from './context.js';
import { git } from './git-repo.js';

/**
 * Commit the minutes pointer and its smoke evidence in one commit on main (as GitHub's squash merge
 * of PR `pr` when given: "title (#N)"); returns the commit.
 */
export async function promoteOnMain(w: SandboxWorld, run: string, pr: number | null = null): Promise<string> {
  const ctx = testContext({ env: w.env, now: () => new Date() });
  await smokeEvidence(
    ctx,
    w.work,
    w.env,
    'minutes',
    run,
    join(w.work, 'promotions', 'minutes', `${run}.json`),
  );
  writeFileSync(
    join(w.work, 'config/minutes_current_run.json'),
    `${JSON.stringify({ run_id: run }, null, 2)}\n`,
  );
  git(w.work, ['add', '--all'], w.env);
  git(
    w.work,
    ['commit', '--quiet', '-m', `promote minutes → ${run}${pr === null ? '' : ` (#${pr})`}`],
    w.env,
  );
  git(w.work, ['push', '--quiet', 'origin', 'HEAD:main'], w.env);
  return git(w.work, ['rev-parse', 'HEAD'], w.env).trim();
}
