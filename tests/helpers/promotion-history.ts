/**
 * Repositories with a promotion history, built the way GitHub would leave them: squash commits
 * "title (#N)", merge commits "Merge pull request #N from …", manual edits and reverts.
 */
import { execFileSync } from 'node:child_process';
import { createRepo, testEnv, writeFiles, type TestRepo } from './git-repo.js';
import { evidenceFile, evidenceJson } from './evidence.js';
import { pointerJson, sampleConfig } from './fixtures.js';

export const MINUTES_FILE = 'config/minutes_current_run.json';
export const RATES_FILE = 'config/rates_current_run.json';

/** Valid evidence JSON of `run` (tests/helpers/evidence.ts), with this history's default date and rows. */
export function sampleEvidence(pointer: string, run: string, gameDate = '2026-11-25', rows = 240): string {
  return evidenceJson(pointer, run, { gameDate, rows });
}

export { evidenceFile };

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
