import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/core/config.js';
import { PromoteError } from '../../../src/core/errors.js';
import type { Config } from '../../../src/core/schemas.js';
import {
  configForStage,
  parseRecordPath,
  recordPath,
  stageOrder,
  stagePointerFile,
} from '../../../src/core/stages.js';
import { flowRunOf, hostVerdict, judgeStage, type HostRecord } from '../../../src/core/stage-record.js';
import { flowIdempotencyKey } from '../../../src/core/flow-state.js';
import { fleetHost, fleetLines, fleetStage } from '../../../src/core/fleet.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const STAGES = {
  production: { after: 'staging', soak: '1d' },
  staging: { agents: ['stg-agent[bot]'], hosts: ['stg-1', 'stg-2'] },
};

function staged(stages: Record<string, unknown> = STAGES, extra: Record<string, unknown> = {}) {
  return validateConfig(sampleConfig('/srv', { stages, ...extra }));
}

function config(stages: Record<string, unknown> = STAGES): Config {
  const { config, errors } = staged(stages);
  expect(errors).toEqual([]);
  return config!;
}

describe('stages in the config', () => {
  it('orders stages along "after" and gives each its own pointer files', () => {
    const c = config();
    expect(stageOrder(c)).toEqual(['staging', 'production']);
    expect(stagePointerFile(c, 'staging', 'minutes')).toBe('config/staging/minutes_current_run.json');
    expect(staged({ ...STAGES, production: { after: 'staging', file: '../{stage}.json' } }).errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^stages\.production\.file: must be a path relative/)]),
    );
    const flat = config({ ...STAGES, production: { after: 'staging', file: '{pointer}.{stage}.json' } });
    expect(stagePointerFile(flat, 'production', 'rates')).toBe('config/rates.production.json');
  });

  it('refuses stages that collide with pointers, dangle, loop or lack what a followed stage needs', () => {
    const errors = (s: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      staged(s, extra).errors;
    expect(errors({ minutes: {}, production: { after: 'minutes' } })).toEqual(
      expect.arrayContaining([
        'stages.minutes: is also the name of a pointer; name the stage differently',
        'stages.minutes.agents: a stage that another follows must name the agent accounts that report it',
        'stages.minutes.hosts: a stage that another follows must list its hosts (each must verify, or quorum of them)',
      ]),
    );
    expect(errors({ ...STAGES, production: { after: 'stagin' } })).toEqual([
      'stages.production.after: names no stage (stages: production, staging)',
    ]);
    expect(errors({ a: { after: 'b' }, b: { after: 'a' } })).toEqual(
      expect.arrayContaining([
        'stages: one stage must have no "after": the first stage, promoted with smoke evidence',
      ]),
    );
    expect(errors({ ...STAGES, canary: {} })).toEqual([
      'stages: only one stage may have no "after" (the first stage), found staging, canary',
    ]);
    expect(errors({ ...STAGES, staging: { ...STAGES.staging, quorum: 3 } })).toEqual([
      'stages.staging.quorum: is more than its 2 hosts',
    ]);
    expect(errors({ ...STAGES, staging: { ...STAGES.staging, soak: '1h' } })).toEqual([
      'stages.staging.soak: only a stage with "after" soaks',
    ]);
    expect(
      errors({
        ...STAGES,
        production: { after: 'staging', file: '{base}' },
        staging: { ...STAGES.staging, file: '{base}' },
      }),
    ).toEqual([
      expect.stringMatching(
        /^stages\.(production|staging)\.file: makes config\/minutes_current_run\.json for minutes, the same file as/,
      ),
      expect.stringMatching(
        /^stages\.(production|staging)\.file: makes config\/rates_current_run\.json for rates/,
      ),
    ]);
    expect(errors(STAGES, { agent: { stage: 'qa' } })).toEqual([
      'agent.stage: names no stage (stages: production, staging)',
    ]);
    expect(
      errors({ ...STAGES }, { agent: { stage: 'staging', deployment: { environment: 'x/{host}' } } }),
    ).toEqual([
      'agent.deployment.environment: with agent.stage the environment is <stage>/<host>; remove it',
    ]);
  });

  it('makes commands name a stage once stages exist, and refuses --stage without them', () => {
    const c = config();
    expect(configForStage(c, 'production').config.pointers.minutes?.file).toBe(
      'config/production/minutes_current_run.json',
    );
    expect(() => configForStage(c, undefined)).toThrow(/has stages \(staging, production\): name the one/);
    expect(() => configForStage(c, 'qa')).toThrow(/unknown stage "qa"/);
    const host = { ...c, agent: { ...c.agent, stage: 'staging' } };
    expect(configForStage(host, undefined).stage).toBe('staging');
    const single = validateConfig(sampleConfig('/srv')).config!;
    expect(configForStage(single, undefined)).toEqual({ config: single, stage: null });
    try {
      configForStage(single, 'staging');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PromoteError);
      expect((err as PromoteError).exitCode).toBe(2);
    }
  });

  it('tells record paths from evidence paths', () => {
    expect(recordPath('production', 'minutes', 'm2')).toBe('promotions/production/minutes/m2.json');
    expect(parseRecordPath('promotions/production/minutes/m2.json')).toEqual({
      stage: 'production',
      pointer: 'minutes',
      runId: 'm2',
    });
    expect(parseRecordPath('promotions/minutes/m2.json')).toBeNull();
    expect(parseRecordPath('promotions/production/minutes/..json')).toBeNull();
  });

  it('keys flow runs per stage and host only for agents that name a stage', () => {
    expect(flowIdempotencyKey('daily/live', 'abc', ['rates', 'minutes'])).toBe(
      'daily/live:abc:minutes,rates',
    );
    expect(flowIdempotencyKey('daily/live', 'abc', ['minutes'], 'staging/stg-1')).toBe(
      'daily/live:staging/stg-1:abc:minutes',
    );
  });
});

const SHA = 'a'.repeat(40);
const dep = (id: number, creator: string, payload: unknown = { runs: { minutes: 'm2' } }) => ({
  id,
  sha: SHA,
  environment: 'staging/stg-1',
  creator,
  createdAt: '2026-11-25T10:00:00Z',
  payload,
});
const status = (id: number, state: string, creator: string, createdAt = '2026-11-25T10:05:00Z') => ({
  id,
  state,
  creator,
  createdAt,
  description:
    state === 'success' ? 'flow run 7e1f COMPLETED; manifests show minutes=m2' : 'flow run 7e1f FAILED',
  logUrl: null,
});
const agents = ['stg-agent[bot]'];

describe('a host verdict from its deployments', () => {
  it('takes the newest success an agent of the stage posted, with the flow run and runs', () => {
    const v = hostVerdict({
      stage: 'staging',
      agents,
      commit: SHA,
      found: {
        host: 'stg-1',
        deployments: [
          {
            deployment: dep(3, 'stg-agent[bot]'),
            statuses: [status(5, 'success', 'stg-agent[bot]'), status(4, 'in_progress', 'stg-agent[bot]')],
          },
        ],
      },
    });
    expect(v).toMatchObject({
      ok: true,
      record: {
        environment: 'staging/stg-1',
        commit: SHA,
        deployment_id: 3,
        status_creator: 'stg-agent[bot]',
        verified_at: '2026-11-25T10:05:00Z',
        flow_run: '7e1f',
        runs: { minutes: 'm2' },
      },
    });
  });

  it('ignores deployments and statuses of any other account, and names them', () => {
    const v = hostVerdict({
      stage: 'staging',
      agents,
      commit: SHA,
      found: {
        host: 'stg-1',
        deployments: [
          { deployment: dep(3, 'stg-agent[bot]'), statuses: [status(6, 'success', 'mallory')] },
          { deployment: dep(2, 'mallory'), statuses: [status(5, 'success', 'mallory')] },
        ],
      },
    });
    expect(v.ok).toBe(false);
    expect(!v.ok && v.problem).toMatch(
      /a success status of #3 was posted by mallory.*deployment #2 was created by mallory.*only stg-agent\[bot\] count/,
    );
  });

  it('reports a failure when the agent says so, and nothing when there is no deployment', () => {
    const failed = hostVerdict({
      stage: 'staging',
      agents,
      commit: SHA,
      found: {
        host: 'stg-1',
        deployments: [
          { deployment: dep(3, 'stg-agent[bot]'), statuses: [status(5, 'failure', 'stg-agent[bot]')] },
        ],
      },
    });
    expect(failed).toMatchObject({ ok: false, failed: true });
    expect(
      hostVerdict({ stage: 'staging', agents, commit: SHA, found: { host: 'stg-1', deployments: [] } }),
    ).toMatchObject({
      ok: false,
      failed: false,
      problem: expect.stringMatching(/no deployment of a{12}/),
    });
    expect(flowRunOf('applied minutes=m2; no flow configured')).toBeNull();
  });
});

describe('a stage verdict', () => {
  const rec = (host: string, at: string) => ({ host, verified_at: at }) as HostRecord;
  const fromConfig = { file: '{stage}/{base}', agents, hosts: ['stg-1', 'stg-2'] };
  const now = new Date('2026-11-26T12:00:00Z');

  it('needs every host, then the soak from the newest of their successes', () => {
    const both = [rec('stg-1', '2026-11-25T08:00:00Z'), rec('stg-2', '2026-11-25T11:00:00Z')];
    expect(
      judgeStage({ from: 'staging', fromConfig, soak: '1d', verified: both, hostCount: 2, now }),
    ).toEqual({
      ok: true,
      verifiedAt: '2026-11-25T11:00:00.000Z',
      problems: [],
    });
    const early = judgeStage({
      from: 'staging',
      fromConfig,
      soak: '1d',
      verified: both,
      hostCount: 2,
      now: new Date('2026-11-26T10:30:00Z'),
    });
    expect(early.ok).toBe(false);
    expect(early.problems[0]).toMatch(/verified it 23h30m ago .*the soak is 1d: wait 30m more/);
    const one = judgeStage({
      from: 'staging',
      fromConfig,
      soak: '1d',
      verified: both.slice(0, 1),
      hostCount: 2,
      now,
    });
    expect(one.problems).toEqual(['staging is verified on 1 of 2 hosts, 2 needed']);
  });

  it('with a quorum, soaks from the quorum-th success', () => {
    const q = { ...fromConfig, quorum: 1 };
    const both = [rec('stg-1', '2026-11-25T08:00:00Z'), rec('stg-2', '2026-11-26T11:00:00Z')];
    expect(
      judgeStage({ from: 'staging', fromConfig: q, soak: '1d', verified: both, hostCount: 2, now }),
    ).toMatchObject({
      ok: true,
      verifiedAt: '2026-11-25T08:00:00.000Z',
    });
  });
});

describe('the fleet', () => {
  const now = new Date('2026-11-25T12:05:00Z');
  const found = (statuses: ReturnType<typeof status>[], payload?: unknown) => ({
    host: 'stg-1',
    deployments: [{ deployment: dep(3, 'stg-agent[bot]', payload), statuses }],
  });

  it('tells a verified host from a lagging and a failed one, and says so in the lines', () => {
    const branch = { minutes: 'm2' };
    const ok = fleetHost({
      stage: 'staging',
      found: found([status(5, 'success', 'stg-agent[bot]')]),
      configured: true,
      agents,
      branch,
      now,
    });
    expect(ok).toMatchObject({
      verifiedCurrent: true,
      failed: false,
      lag: [],
      lastVerification: { ageMs: 2 * 3_600_000, flowRun: '7e1f' },
    });
    const lagging = fleetHost({
      stage: 'staging',
      found: found([status(5, 'success', 'stg-agent[bot]')]),
      configured: true,
      agents,
      branch: { minutes: 'm3' },
      now,
    });
    expect(lagging).toMatchObject({
      verifiedCurrent: false,
      lag: [{ pointer: 'minutes', branch: 'm3', applied: 'm2' }],
    });
    const failed = fleetHost({
      stage: 'staging',
      found: found([status(5, 'failure', 'stg-agent[bot]')]),
      configured: true,
      agents,
      branch,
      now,
    });
    expect(failed).toMatchObject({ verifiedCurrent: false, failed: true });
    const stage = fleetStage({
      stage: 'staging',
      config: { file: '{stage}/{base}', agents, quorum: 1 },
      branch,
      hosts: [ok, failed],
    });
    expect(stage).toMatchObject({ required: 1, verified: true });
    const lines = fleetLines([
      fleetStage({
        stage: 'staging',
        config: { file: '{stage}/{base}', agents },
        branch,
        hosts: [ok, failed],
      }),
    ]);
    expect(lines[0]).toBe('staging: branch minutes=m2; NOT verified on 1 of 2 hosts (2 needed)');
    expect(lines).toContain(
      '  stg-1: FAILED | applied aaaaaaaaaaaa minutes=m2 | last verification failure 2h ago on aaaaaaaaaaaa (flow run 7e1f)',
    );
  });

  it('ignores what other accounts posted, and shows a configured host that never reported', () => {
    const h = fleetHost({
      stage: 'staging',
      found: found([status(5, 'success', 'mallory')]),
      configured: true,
      agents,
      branch: { minutes: 'm2' },
      now,
    });
    expect(h).toMatchObject({
      lastVerification: null,
      verifiedCurrent: false,
      untrusted: ['success on #3 by mallory'],
    });
    const none = fleetHost({
      stage: 'staging',
      found: { host: 'stg-2', deployments: [] },
      configured: true,
      agents,
      branch: { minutes: 'm2' },
      now,
    });
    expect(
      fleetLines([
        fleetStage({
          stage: 'staging',
          config: { file: '{stage}/{base}', agents },
          branch: { minutes: 'm2' },
          hosts: [none],
        }),
      ])[1],
    ).toBe('  stg-2: never reported');
  });
});
