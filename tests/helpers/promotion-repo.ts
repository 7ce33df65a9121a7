/**
 * A pipeline repository with two pointers and their evidence on `main`, and promotion branches on
 * top of it: what validate and merge see in CI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRepo, git, writeFiles, type TestRepo } from './git-repo.js';
import { evidenceFile, evidenceJson } from './evidence.js';
import { pointerJson, sampleConfig } from './fixtures.js';
import { rmSync } from 'node:fs';

export function promotionConfig(root: string, extra: Record<string, unknown> = {}): string {
  const config = sampleConfig(root, extra);
  const pointers = config.pointers as Record<string, Record<string, unknown>>;
  pointers.minutes!.smoke = {
    command: ['python', '-m', 'score', '--run-id', '{run_id}'],
    expect: { columns: ['player_id', 'game_id', 'minutes_p50'], rows: { min: 100 } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** main: config, minutes=m1, rates=r1 with their (old) evidence. */
export function createPromotionRepo(): TestRepo {
  const repo = createRepo({ 'README.md': '# pipeline\n' });
  repo.commit(
    {
      'promote.config.json': promotionConfig(repo.dir),
      'config/minutes_current_run.json': pointerJson('m1'),
      'config/rates_current_run.json': pointerJson('r1'),
      [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { gameDate: '2026-10-01' }),
      [evidenceFile('rates', 'r1')]: evidenceJson('rates', 'r1', {
        gameDate: '2026-10-01',
        contract: '1.2.0',
      }),
    },
    'set up promotions',
  );
  return repo;
}

/**
 * Commit `files` (null deletes) on a new branch from main and push it; returns the head sha.
 * The clone is left on main.
 */
export function pushBranch(
  repo: TestRepo,
  branch: string,
  files: Record<string, string | null>,
  from = 'main',
): string {
  repo.git(['checkout', '--quiet', '-B', branch, from]);
  const writes: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    if (content === null) rmSync(join(repo.clone, path));
    else writes[path] = content;
  }
  writeFiles(repo.clone, writes);
  repo.git(['add', '--all']);
  repo.git(['commit', '--quiet', '--allow-empty', '-m', `change on ${branch}`]);
  repo.git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
  const sha = repo.head();
  repo.git(['checkout', '--quiet', repo.branch]);
  return sha;
}

/**
 * The files of a good promotion of minutes to `run`. The default evidence is fresh for
 * testContext's clock; processes run on the real clock, so e2e tests pass evidence dated today.
 */
export function promotionFiles(run = 'm2', evidence = evidenceJson('minutes', run)): Record<string, string> {
  return { 'config/minutes_current_run.json': pointerJson(run), [evidenceFile('minutes', run)]: evidence };
}

/** Write a pull_request event payload as GitHub Actions does; returns its path. */
export function writePullRequestEvent(
  dir: string,
  pr: { number: number; base: string; head: string; headRepo: string; labels?: string[]; baseRef?: string },
): string {
  const path = join(dir, `event-${pr.number}-${pr.head.slice(0, 7)}.json`);
  const payload = {
    action: 'synchronize',
    number: pr.number,
    pull_request: {
      number: pr.number,
      state: 'open',
      // PR-controlled text that must never reach a shell or an unescaped output line.
      title: 'Promote minutes $(touch /tmp/pwned) `id`\n::error::injected',
      body: '::set-output name=x::y\n%0A',
      labels: (pr.labels ?? ['promotion']).map((name) => ({ name })),
      base: { ref: pr.baseRef ?? 'main', sha: pr.base, repo: { full_name: 'acme/projections' } },
      head: { ref: 'promote/minutes/m2;echo pwned', sha: pr.head, repo: { full_name: pr.headRepo } },
    },
    repository: { full_name: 'acme/projections' },
  };
  writeFileSync(path, JSON.stringify(payload, null, 2));
  return path;
}

/** Current sha of a branch in the clone's remote. */
export function remoteSha(repo: TestRepo, branch: string): string {
  return git(repo.remote, ['rev-parse', `refs/heads/${branch}`]).trim();
}
