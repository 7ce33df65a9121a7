/**
 * The metric gate as GitHub runs it: the built CLI as a process in the Actions environment. The
 * target branch's config holds the rules; the current run's evidence holds the metrics compared.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeRequests, openPull, REPO, runStep, statusesOf, usePromotionGate } from '../helpers/actions.js';
import { evidenceJson } from '../helpers/evidence.js';
import { sampleMeta } from '../helpers/fixtures.js';
import { slateDate } from '../../src/core/game-date.js';
import { promotionConfig, promotionFiles, pushBranch } from '../helpers/promotion-repo.js';

const TODAY = slateDate(new Date());
const gate = usePromotionGate();
const validate = (pr: Parameters<typeof runStep>[4]) =>
  runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate'], pr);

/** A promotion of minutes to `run` whose meta reports these metrics (m1 on main reports mae 4.2). */
const candidate = (run: string, metrics: Record<string, number>) =>
  promotionFiles(
    run,
    evidenceJson('minutes', run, { gameDate: TODAY, meta: sampleMeta(run, '2.1.0', metrics) }),
  );

beforeAll(() => {
  const config = JSON.parse(promotionConfig(gate.repo.dir)) as {
    pointers: Record<string, Record<string, unknown>>;
  };
  config.pointers.minutes!.metrics = { mae: { better: 'lower', maxRegression: '2%' } };
  gate.repo.commit({ 'promote.config.json': `${JSON.stringify(config, null, 2)}\n` }, 'gate minutes on mae');
});

describe('the metric gate in GitHub Actions', () => {
  it('fails a regression past the limit with the table in the log and the job summary; merge refuses', async () => {
    pushBranch(gate.repo, 'promote/minutes/worse', candidate('m30', { mae: 4.5 }));
    const pr = await openPull(gate.gh, 'promote/minutes/worse');
    const v = await validate(pr);
    expect(v.code).toBe(1);
    const lines = v.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('FAIL metrics (minutes)'));
    expect(lines[at]).toBe(
      'FAIL metrics (minutes): mae worsened by 0.3 (lower is better), more than the allowed 0.084 (against m1) [promotions/minutes/m30.json]',
    );
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '    metric  current  candidate  change        limit         result',
      '    mae     4.2      4.5        +0.3 (+7.1%)  change ≤ +2%  FAIL',
    ]);
    // Markdown-escaped cells: GitHub renders `\\(` as `(`.
    expect(v.summary).toContain('#### metrics \\(minutes\\): failed');
    expect(v.summary).toContain('| mae | 4.2 | 4.5 | \\+0.3 \\(\\+7.1%\\) | change ≤ \\+2% | FAIL |');
    expect(statusesOf(gate.gh, pr.head)[0]).toMatchObject({ state: 'failure' });

    const m = await runStep(
      gate.gh,
      gate.repo.clone,
      gate.repo.dir,
      ['merge', '--pr', String(pr.number)],
      pr,
    );
    expect(m.code).toBe(1);
    expect(mergeRequests(gate.gh)).toHaveLength(0);
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: false });
  });

  it('passes a candidate within the limit and fails one that does not report the metric', async () => {
    pushBranch(gate.repo, 'promote/minutes/close', candidate('m31', { mae: 4.28 }));
    const ok = await validate(await openPull(gate.gh, 'promote/minutes/close'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^pass metrics \(minutes\): 1 metric rule passed against m1$/m);

    pushBranch(gate.repo, 'promote/minutes/silent', candidate('m32', { rmse: 1 }));
    const missing = await validate(await openPull(gate.gh, 'promote/minutes/silent'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`FAIL metrics (minutes): the candidate's meta.json has no metric "mae"`);
  });
});
