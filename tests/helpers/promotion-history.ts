/**
 * Repositories with a promotion history, built the way GitHub would leave them: squash commits
 * "title (#N)", merge commits "Merge pull request #N from …", manual edits and reverts.
 */
import { execFileSync } from 'node:child_process';
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { createRepo, testEnv, writeFiles, type TestRepo } from './git-repo.js';
import { pointerJson, sampleConfig, sampleMeta } from './fixtures.js';

export const MINUTES_FILE = 'config/minutes_current_run.json';
export const RATES_FILE = 'config/rates_current_run.json';

export function sampleEvidence(pointer: string, run: string, gameDate = '2026-11-25', rows = 240): string {
  const meta = sampleMeta(run);
  const evidence = {
    schema: 'git-promote/evidence@1',
    pointer,
    run_id: run,
    game_date: gameDate,
    smoke: {
      command: ['python', '-m', 'score', '--run-id', run],
      exit_code: 0,
      started_at: '2026-11-26T10:00:00Z',
      finished_at: '2026-11-26T10:01:00Z',
      duration_ms: 60000,
      published: false,
    },
    manifest: {
      asset: `${pointer}_scores`,
      game_date: gameDate,
      run_id: run,
      run_as_of_ts: '2026-11-26T10:00:00Z',
      status: 'success',
      outputs: [{ name: 'scores', rows, columns: ['player_id', 'game_id', 'minutes_p50'] }],
    },
    meta,
    meta_sha256: canonicalSha256(meta),
    checks: [{ name: 'rows', ok: true }],
    tool: { name: 'git-promote', version: '0.1.0' },
  };
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

export function evidenceFile(pointer: string, run: string): string {
  return `promotions/${pointer}/${run}.json`;
}

export interface PromotionRepo extends TestRepo {
  /** Squash-style promotion straight on the branch: pointer + evidence, "Promote … (#pr)". */
  promote(run: string, pr: number, pointer?: string): string;
  /** Merge-commit promotion: a branch with the change merged with --no-ff, like GitHub's merge button. */
  promoteByMerge(run: string, pr: number): string;
  /** A hand edit of the pointer file without evidence. */
  manualEdit(content: string, message?: string): string;
  /** The pointer file on the remote branch. */
  remoteFile(path: string, ref?: string): string | null;
}

/** A repository whose config has pointers minutes and rates, minutes at `initialRun` with evidence. */
export function createPromotionRepo(initialRun = 'A'): PromotionRepo {
  const base = createRepo({ 'README.md': '# pipeline\n' });
  const config = sampleConfig(base.dir);
  base.commit(
    {
      'promote.config.json': `${JSON.stringify(config, null, 2)}\n`,
      [MINUTES_FILE]: pointerJson(initialRun),
      [evidenceFile('minutes', initialRun)]: sampleEvidence('minutes', initialRun, '2026-11-20', 200),
      [RATES_FILE]: pointerJson('R1'),
      [evidenceFile('rates', 'R1')]: sampleEvidence('rates', 'R1'),
    },
    `Promote minutes to ${initialRun} and rates to R1`,
  );
  const repo = base as PromotionRepo;
  const fileOf = (pointer: string) => (pointer === 'minutes' ? MINUTES_FILE : RATES_FILE);
  repo.promote = (run, pr, pointer = 'minutes') =>
    base.commit(
      { [fileOf(pointer)]: pointerJson(run), [evidenceFile(pointer, run)]: sampleEvidence(pointer, run) },
      `Promote ${pointer} to ${run} (#${pr})`,
    );
  repo.promoteByMerge = (run, pr) => {
    const branch = `promote/minutes/${run}`;
    base.git(['checkout', '--quiet', '-b', branch]);
    writeFiles(base.clone, {
      [MINUTES_FILE]: pointerJson(run),
      [evidenceFile('minutes', run)]: sampleEvidence('minutes', run),
    });
    base.git(['add', '--all']);
    base.git(['commit', '--quiet', '-m', `Promote minutes to ${run}`]);
    base.git(['checkout', '--quiet', base.branch]);
    // An unrelated commit on the branch meanwhile, so the merge is a real merge.
    writeFiles(base.clone, { 'NOTES.md': `notes before ${run}\n` });
    base.git(['add', 'NOTES.md']);
    base.git(['commit', '--quiet', '-m', 'Update notes']);
    base.git(['merge', '--quiet', '--no-ff', '-m', `Merge pull request #${pr} from acme/${branch}`, branch]);
    base.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${base.branch}`]);
    return base.head();
  };
  repo.manualEdit = (content, message = 'Hand edit of the minutes pointer') =>
    base.commit({ [MINUTES_FILE]: content }, message);
  repo.remoteFile = (path, ref = base.branch) => {
    try {
      return execFileSync('git', ['--git-dir', base.remote, 'show', `${ref}:${path}`], {
        env: testEnv() as NodeJS.ProcessEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return null;
    }
  };
  return repo;
}
