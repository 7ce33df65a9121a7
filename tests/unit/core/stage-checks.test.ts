import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/core/config.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';
import type { Config } from '../../../src/core/schemas.js';
import { checkStageRecord, runStagedChecks, type HostReading } from '../../../src/core/stage-checks.js';
import type { HostRecord, StageRecord } from '../../../src/core/stage-record.js';
import type { FileChange } from '../../../src/core/validate-checks.js';
import { evidenceFile, evidenceJson } from '../../helpers/evidence.js';
import { pointerJson, sampleConfig, sampleMeta } from '../../helpers/fixtures.js';

const NOW = new Date('2026-11-26T18:00:00Z');
const SHA = 'c'.repeat(40);

function config(staging: Record<string, unknown> = {}): Config {
  const { config, errors } = validateConfig(
    sampleConfig('/srv', {
      stages: {
        staging: { agents: ['stg[bot]'], hosts: ['stg-1', 'stg-2'], ...staging },
        production: { after: 'staging', soak: '1d' },
      },
    }),
  );
  expect(errors).toEqual([]);
  return config!;
}

const host = (name: string, at = '2026-11-25T10:00:00Z'): HostRecord => ({
  host: name,
  environment: `staging/${name}`,
  commit: SHA,
  deployment_id: name === 'stg-1' ? 11 : 12,
  deployment_creator: 'stg[bot]',
  applied_at: '2026-11-25T09:00:00Z',
  state: 'success',
  status_creator: 'stg[bot]',
  verified_at: at,
  flow_run: 'f-1',
  runs: { minutes: 'm2' },
  description: 'flow run f-1 COMPLETED; manifests show minutes=m2',
});

const meta = sampleMeta('m2');
const record = (hosts: HostRecord[], verifiedAt = '2026-11-25T10:00:00.000Z'): StageRecord => ({
  schema: 'git-promote/stage-record@1',
  stage: 'production',
  from: 'staging',
  pointer: 'minutes',
  run_id: 'm2',
  meta,
  meta_sha256: canonicalSha256(meta),
  verified_at: verifiedAt,
  hosts,
  tool: { name: 'git-promote', version: '0.1.0' },
});

const reading = (name: string, over: Partial<HostReading> = {}): HostReading => ({
  host: name,
  commit: SHA,
  verdict: { host: name, ok: true, record: host(name) },
  runAtCommit: 'm2',
  onBranch: true,
  ...over,
});

function check(input: {
  cfg?: Config;
  rec?: StageRecord;
  hosts?: HostReading[];
  fromRunAtTip?: string | null;
}) {
  return checkStageRecord({
    config: input.cfg ?? config(),
    record: input.rec ?? record([host('stg-1'), host('stg-2')]),
    stage: 'production',
    from: 'staging',
    pointer: 'minutes',
    run: 'm2',
    file: 'promotions/production/minutes/m2.json',
    reading: { hosts: input.hosts ?? [reading('stg-1'), reading('stg-2')] },
    fromRunAtTip: input.fromRunAtTip === undefined ? 'm2' : input.fromRunAtTip,
    now: NOW,
  });
}

describe('a stage record against GitHub', () => {
  it('passes when every host verified it, as recorded, more than the soak ago', () => {
    const r = check({});
    expect(r.reason).toMatch(/^staging verified minutes=m2 on 2 of 2 hosts \(stg-1, stg-2\) by stg\[bot\]/);
    expect(r.ok).toBe(true);
  });

  it('fails a record that differs from GitHub in any field', () => {
    const forged = { ...host('stg-2'), flow_run: 'other' };
    const r = check({ rec: record([host('stg-1'), forged]) });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain(
      'stg-2: the record does not match GitHub (flow_run: the record says "other", GitHub says "f-1")',
    );
  });

  it('fails when a host is missing, unless the quorum is met', () => {
    const one = record([host('stg-1')]);
    const missing = check({
      rec: one,
      hosts: [reading('stg-1'), reading('stg-2', { commit: null, verdict: null })],
    });
    expect(missing.ok).toBe(false);
    expect(missing.reason).toMatch(/verified on 1 of 2 hosts, 2 needed; stg-2: not in the record/);
    const quorum = check({
      cfg: config({ quorum: 1 }),
      rec: one,
      hosts: [reading('stg-1'), reading('stg-2', { commit: null, verdict: null })],
    });
    expect(quorum.ok).toBe(true);
  });

  it('fails a host that reported a failure even when the quorum is met', () => {
    const r = check({
      cfg: config({ quorum: 1 }),
      rec: record([host('stg-1'), host('stg-2')]),
      hosts: [
        reading('stg-1'),
        reading('stg-2', {
          verdict: { host: 'stg-2', ok: false, failed: true, problem: 'staging/stg-2 reported failure' },
        }),
      ],
    });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('stg-2: staging/stg-2 reported failure');
  });

  it('fails commits that are off the branch or where staging ran something else, and hosts not of the stage', () => {
    expect(check({ hosts: [reading('stg-1', { onBranch: false }), reading('stg-2')] }).reason).toMatch(
      /stg-1: commit c{12} is not on the target branch/,
    );
    expect(check({ hosts: [reading('stg-1', { runAtCommit: 'm1' }), reading('stg-2')] }).reason).toMatch(
      /stg-1: at c{12} staging's pointer selects m1, not m2/,
    );
    const stranger = check({ rec: record([host('stg-1'), host('stg-2'), host('laptop')]) });
    expect(stranger.reason).toMatch(
      /the record names host laptop, which is not a host of staging \(stg-1, stg-2\)/,
    );
  });

  it('fails when staging no longer runs the run, when the soak has not passed, and when GitHub cannot be asked', () => {
    expect(check({ fromRunAtTip: 'm3' }).reason).toMatch(/staging now runs m3 on the target branch, not m2/);
    const fresh = record(
      [host('stg-1', '2026-11-26T12:00:00Z'), host('stg-2', '2026-11-26T12:00:00Z')],
      '2026-11-26T12:00:00.000Z',
    );
    const early = check({
      rec: fresh,
      hosts: ['stg-1', 'stg-2'].map((h) =>
        reading(h, { verdict: { host: h, ok: true, record: host(h, '2026-11-26T12:00:00Z') } }),
      ),
    });
    expect(early.ok).toBe(false);
    expect(early.reason).toMatch(/staging verified it 6h ago .*wait 18h more/);
    const blind = checkStageRecord({
      config: config(),
      record: record([host('stg-1')]),
      stage: 'production',
      from: 'staging',
      pointer: 'minutes',
      run: 'm2',
      file: 'x',
      reading: { unavailable: 'no GitHub token' },
      fromRunAtTip: 'm2',
      now: NOW,
    });
    expect(blind).toMatchObject({ ok: false, name: 'stage-record' });
  });
});

/** Trees from {path: content} maps. */
const tree = (files: Record<string, string>) => ({ get: (p: string) => files[p] ?? null });

describe('validate with stages', () => {
  const cfg = config();
  const main = {
    'config/staging/minutes_current_run.json': pointerJson('m2'),
    'config/staging/rates_current_run.json': pointerJson('r1'),
    'config/production/minutes_current_run.json': pointerJson('m1'),
    'config/production/rates_current_run.json': pointerJson('r1'),
    [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1'),
    [evidenceFile('minutes', 'm2')]: evidenceJson('minutes', 'm2'),
    [evidenceFile('rates', 'r1')]: evidenceJson('rates', 'r1', { contract: '1.2.0' }),
  };
  const run = (changed: Record<string, string | null>, held: string[] = ['m1'], readings = new Map()) => {
    const merged = { ...main, ...changed };
    for (const [k, v] of Object.entries(changed))
      if (v === null) delete (merged as Record<string, unknown>)[k];
    const changes: FileChange[] = Object.entries(changed).map(([path, v]) => ({
      status: v === null ? 'D' : main[path as keyof typeof main] ? 'M' : 'A',
      path,
      mode: v === null ? null : '100644',
    }));
    return runStagedChecks({
      config: cfg,
      target: tree(main),
      merged: tree(merged as Record<string, string>),
      changes,
      held: new Map([['production', new Map([['minutes', new Set(held)]])]]),
      now: NOW,
      toolVersion: '0.1.0',
      readings,
    });
  };
  const failed = (results: { ok: boolean; name: string }[]) =>
    results.filter((r) => !r.ok).map((r) => r.name);

  it('fails a production promotion without a record, and never asks GitHub for a rollback', () => {
    const promotion = run({ 'config/production/minutes_current_run.json': pointerJson('m2') });
    expect(failed(promotion)).toEqual(['stage-record']);
    expect(promotion.find((r) => r.name === 'stage-record')!.reason).toMatch(
      /no record for minutes=m2 at promotions\/production\/minutes\/m2\.json/,
    );
    const rollback = run({ 'config/production/minutes_current_run.json': pointerJson('m2') }, ['m1', 'm2']);
    expect(failed(rollback)).toEqual([]);
    expect(rollback.find((r) => r.name === 'rollback')!.reason).toMatch(
      /^\[production\] minutes returns m1 -> m2/,
    );
  });

  it('fails a stage pointer at a run the first stage never promoted', () => {
    const r = run({ 'config/production/minutes_current_run.json': pointerJson('m9') });
    expect(failed(r)).toEqual(['invariant']);
  });

  it('keeps scope to stage files, evidence and records: the pointer base file needs a person', () => {
    const r = run(
      {
        'config/minutes_current_run.json': pointerJson('m2'),
        'config/production/minutes_current_run.json': pointerJson('m2'),
      },
      ['m1', 'm2'],
    );
    expect(failed(r)).toEqual(['scope']);
  });

  it('refuses deleting evidence a stage still runs', () => {
    const r = run({ [evidenceFile('minutes', 'm1')]: null });
    expect(failed(r)).toEqual(['invariant', 'append-only']);
    expect(r.find((x) => x.name === 'append-only')!.reason).toBe(
      'evidence deleted while production still points minutes at m1',
    );
  });
});
