import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { GIT_TEST_ENV } from '../helpers/git-repo.js';
import {
  MINUTES_FILE,
  RATES_FILE,
  createPromotionRepo,
  type PromotionRepo,
} from '../helpers/promotion-history.js';

let repo: PromotionRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
  GIT_TEST_ENV.GIT_COMMITTER_DATE = '2026-01-01T00:00:00Z';
});

/** Run `fn` with every commit it makes dated `iso` (the merge time on the branch). */
function dated<T>(iso: string, fn: () => T): T {
  GIT_TEST_ENV.GIT_COMMITTER_DATE = iso;
  try {
    return fn();
  } finally {
    GIT_TEST_ENV.GIT_COMMITTER_DATE = '2026-01-01T00:00:00Z';
  }
}

interface AtJson {
  instant: string;
  source: string;
  commit: string;
  pointers: Record<string, { run: string; commit: string; since: string; file: string } | null>;
}

async function atRuns(cwd: string, instant: string): Promise<Record<string, string | null>> {
  const res = await runCliProcess(['at', instant, '--json', '--no-fetch'], { cwd });
  expect(res.code, `${instant}: ${res.stderr}`).toBe(0);
  const data = JSON.parse(res.stdout) as AtJson;
  return Object.fromEntries(Object.entries(data.pointers).map(([n, p]) => [n, p?.run ?? null]));
}

/** Promotion A (with rates R1), B (squash), C (merge commit), its rollback to B, a hand edit to D. */
const HAND_EDITED = '{ "run_id": "D",\t"note": "by hand" }';

function buildHistory(): { repo: PromotionRepo; c: string; revert: string; manual: string } {
  const r = dated('2026-11-01T12:00:00Z', () => createPromotionRepo('A'));
  dated('2026-11-03T15:00:00Z', () => r.promote('B', 11));
  const c = dated('2026-11-05T15:00:00Z', () => r.promoteByMerge('C', 12));
  const revert = dated('2026-11-07T15:00:00Z', () => {
    r.git(['revert', '--no-edit', c, '-m', '1']);
    r.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
    return r.head();
  });
  // Not what JSON.stringify would write (a tab, no final newline): --write must copy, not re-serialize.
  const manual = dated('2026-11-09T15:00:00Z', () => r.manualEdit(HAND_EDITED, 'hand edit'));
  r.git(['fetch', '--quiet', 'origin']);
  return { repo: r, c, revert, manual };
}

describe('at --source branch through the built CLI', () => {
  it('answers before, between and after a promotion, a merge, its rollback and a hand edit', async () => {
    const built = buildHistory();
    repo = built.repo;
    const cwd = repo.clone;

    const before = await runCliProcess(['at', '2026-11-01T11:59:59Z', '--no-fetch'], { cwd });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('no pointer yet at 2026-11-01T11:59:59.000Z');
    expect(before.stderr).toContain('hint:');
    expect(before.stderr).not.toContain('    at ');

    expect(await atRuns(cwd, '2026-11-01T12:00:00Z')).toEqual({ minutes: 'A', rates: 'R1' });
    // A date is the end of that ET day: 2026-11-03 ends at 05:00Z on the 4th, after B at 15:00Z.
    expect(await atRuns(cwd, '2026-11-02')).toEqual({ minutes: 'A', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-03')).toEqual({ minutes: 'B', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-05T14:59:59Z')).toEqual({ minutes: 'B', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-05T10:00:00-05:00')).toEqual({ minutes: 'C', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-07T14:00Z')).toEqual({ minutes: 'C', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-08')).toEqual({ minutes: 'B', rates: 'R1' });
    expect(await atRuns(cwd, '2026-11-30')).toEqual({ minutes: 'D', rates: 'R1' });

    const human = await runCliProcess(['at', '2026-11-06', '--no-fetch'], { cwd });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('branch: origin/main @');
    expect(human.stdout).toContain(`minutes  C  since 2026-11-05T15:00:00.000Z  ${built.c.slice(0, 12)}`);
  });

  it('agrees with history --json: each change is live from its date, its predecessor just before', async () => {
    const built = buildHistory();
    repo = built.repo;
    const hist = await runCliProcess(['history', 'minutes', '--json', '--no-fetch'], { cwd: repo.clone });
    const entries = (
      JSON.parse(hist.stdout) as { entries: { date: string; from: string | null; to: string }[] }
    ).entries;
    expect(entries.length).toBe(5);
    for (const e of entries) {
      const t = Date.parse(e.date);
      expect((await atRuns(repo.clone, new Date(t).toISOString())).minutes, e.date).toBe(e.to);
      if (e.from !== null)
        expect((await atRuns(repo.clone, new Date(t - 1000).toISOString())).minutes, e.date).toBe(e.from);
    }
  });

  it('--write lays out the pointer files byte for byte as the branch had them, with a manifest', async () => {
    const built = buildHistory();
    repo = built.repo;
    const out = join(repo.dir, 'backfill', '2026-11-06');
    const res = await runCliProcess(['at', '2026-11-06', '--no-fetch', '--write', out, '--json'], {
      cwd: repo.clone,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(out, MINUTES_FILE), 'utf8')).toBe(repo.remoteFile(MINUTES_FILE, built.c));
    expect(readFileSync(join(out, RATES_FILE), 'utf8')).toBe(repo.remoteFile(RATES_FILE, built.c));
    const manifest = JSON.parse(readFileSync(join(out, 'promote-as-of.json'), 'utf8')) as AtJson;
    expect(manifest.source).toBe('branch');
    expect(manifest.instant).toBe('2026-11-07T04:59:59.999Z');
    expect(manifest.commit).toBe(built.c);
    expect(manifest.pointers.minutes?.run).toBe('C');

    const latest = join(repo.dir, 'backfill', 'latest');
    const hand = await runCliProcess(['at', '2026-11-30', '--no-fetch', '--write', latest], {
      cwd: repo.clone,
    });
    expect(hand.code, hand.stderr).toBe(0);
    expect(readFileSync(join(latest, MINUTES_FILE), 'utf8')).toBe(HAND_EDITED);

    // Before the first pointer nothing is written.
    const none = join(repo.dir, 'backfill', 'none');
    const early = await runCliProcess(['at', '2026-10-01', '--no-fetch', '--write', none], {
      cwd: repo.clone,
    });
    expect(early.code).toBe(1);
    expect(existsSync(none)).toBe(false);
  });

  it('--range lists the change points, one per pointer set', async () => {
    const built = buildHistory();
    repo = built.repo;
    const res = await runCliProcess(['at', '--range', '2026-10-31..2026-11-08', '--json', '--no-fetch'], {
      cwd: repo.clone,
    });
    expect(res.code, res.stderr).toBe(0);
    const data = JSON.parse(res.stdout) as {
      points: {
        at: string;
        fromGameDate: string;
        runs: Record<string, string | null>;
        commit: string | null;
      }[];
    };
    expect(data.points.map((p) => [p.fromGameDate, p.runs.minutes, p.runs.rates])).toEqual([
      ['2026-10-31', null, null],
      ['2026-11-01', 'A', 'R1'],
      ['2026-11-03', 'B', 'R1'],
      ['2026-11-05', 'C', 'R1'],
      ['2026-11-07', 'B', 'R1'],
    ]);
    expect(data.points[4]!.commit).toBe(built.revert);
  });

  it('--game-date D --as-of pretip reads the configured ET time of that slate', async () => {
    const built = buildHistory();
    repo = built.repo;
    const configPath = join(repo.clone, 'promote.config.json');
    const runsAt = async (pretip: string) => {
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(configPath, JSON.stringify({ ...config, asOf: { pretip } }));
      const res = await runCliProcess(
        ['at', '--game-date', '2026-11-05', '--as-of', 'pretip', '--json', '--no-fetch'],
        { cwd: repo!.clone },
      );
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout) as AtJson;
    };
    // C reached the branch at 10:00 EST on the 5th.
    const morning = await runsAt('09:00');
    expect(morning.instant).toBe('2026-11-05T14:00:00.000Z');
    expect(morning.pointers.minutes?.run).toBe('B');
    expect((await runsAt('18:00')).pointers.minutes?.run).toBe('C');

    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), asOf: {} }));
    const unset = await runCliProcess(
      ['at', '--game-date', '2026-11-05', '--as-of', 'pretip', '--no-fetch'],
      {
        cwd: repo.clone,
      },
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('asOf.pretip');
  });

  it('refuses a malformed instant or source with exit 2 and a hint', async () => {
    repo = dated('2026-11-01T12:00:00Z', () => createPromotionRepo('A'));
    for (const args of [
      ['at', '2026-13-01'],
      ['at', '2026-11-03T22:00'],
      ['at', 'last tuesday'],
      ['at', '2026-11-03', '--source', 'laptop'],
      ['at', '--range', '2026-11-05..2026-11-01'],
      ['at', '--game-date', '2026-11-31'],
      ['at', '--as-of', 'pretip'],
      ['at', '2026-11-03', '--game-date', '2026-11-03'],
      ['at'],
    ]) {
      const res = await runCliProcess([...args, '--no-fetch'], { cwd: repo.clone });
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toContain('hint:');
      expect(res.stderr, args.join(' ')).not.toContain('    at ');
    }
  });
});
