import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../src/core/schemas.js';
import { manifestTime, verifyManifests, type ManifestEntry } from '../../src/core/verify.js';

function entry(run: string, fields: Record<string, unknown>): ManifestEntry {
  return {
    path: `/m/minutes_scores/game_date=2026-11-26/run=${run}/manifest.json`,
    manifest: manifestSchema.parse({
      asset: 'minutes_scores',
      game_date: '2026-11-26',
      run_id: run,
      run_as_of_ts: '2026-11-26T15:00:00Z',
      status: 'success',
      ...fields,
    }),
  };
}

const base = { pointer: 'minutes', asset: 'minutes_scores', gameDate: '2026-11-26', expectedRun: 'new-run' };

describe('verifyManifests', () => {
  it('confirms when the newest manifest succeeded with the expected run', () => {
    const v = verifyManifests({
      ...base,
      manifests: [
        entry('morning', { finished_at: '2026-11-26T10:00:00Z', models: { minutes: 'old-run' } }),
        entry('evening', { finished_at: '2026-11-26T18:00:00Z', models: { minutes: 'new-run' } }),
      ],
    });
    expect(v).toMatchObject({ ok: true, reason: 'confirmed', considered: 2, older: 0 });
    expect(v.manifest?.run_id).toBe('evening');
  });

  it('fails when the newest manifest shows the old run', () => {
    const v = verifyManifests({
      ...base,
      manifests: [entry('evening', { finished_at: '2026-11-26T18:00:00Z', models: { minutes: 'old-run' } })],
    });
    expect(v).toMatchObject({ ok: false, reason: 'wrong-run' });
    expect(v.detail).toContain('minutes=old-run, not new-run');
  });

  it('never takes a manifest from before the flow run started as confirmation', () => {
    const v = verifyManifests({
      ...base,
      since: new Date('2026-11-26T17:00:00Z'),
      manifests: [
        entry('earlier', {
          run_as_of_ts: '2026-11-26T09:00:00Z',
          started_at: '2026-11-26T09:00:00Z',
          finished_at: '2026-11-26T09:30:00Z',
          models: { minutes: 'new-run' },
        }),
      ],
    });
    expect(v).toMatchObject({ ok: false, reason: 'only-older', older: 1 });
    expect(v.detail).toContain('since the flow run started (2026-11-26T17:00:00.000Z)');
  });

  it('uses the latest of finished_at, started_at and run_as_of_ts', () => {
    const e = entry('x', { run_as_of_ts: '2026-11-26T08:00:00Z', finished_at: '2026-11-26T18:00:00Z' });
    expect(manifestTime(e.manifest)?.toISOString()).toBe('2026-11-26T18:00:00.000Z');
    const v = verifyManifests({
      ...base,
      since: new Date('2026-11-26T17:00:00Z'),
      manifests: [{ ...e, manifest: { ...e.manifest, models: { minutes: 'new-run' } } }],
    });
    expect(v.ok).toBe(true);
  });

  it('makes a day without a slate its own outcome: ok, nothing to verify; never when the asset has manifests', () => {
    const v = verifyManifests({ ...base, manifests: [], noSlate: true });
    expect(v).toMatchObject({ ok: true, reason: 'no-slate', manifest: null });
    expect(v.detail).toMatch(
      /^no slate for \d{4}-\d{2}-\d{2}: the pipeline wrote no manifests for that date/,
    );
    const failed = entry('r', { status: 'failed', models: { minutes: 'new-run' } });
    expect(verifyManifests({ ...base, manifests: [failed], noSlate: true }).reason).toBe('failed');
  });

  it('reports failed, running and model-less manifests, and no manifests at all', () => {
    expect(verifyManifests({ ...base, manifests: [] }).reason).toBe('no-manifests');
    const failed = verifyManifests({
      ...base,
      manifests: [
        entry('r', {
          status: 'failed',
          failure_reason: 'missing required columns [x]',
          models: { minutes: 'new-run' },
        }),
      ],
    });
    expect(failed).toMatchObject({ ok: false, reason: 'failed' });
    expect(failed.detail).toContain('missing required columns');
    expect(verifyManifests({ ...base, manifests: [entry('r', { status: 'running' })] }).reason).toBe(
      'not-finished',
    );
    expect(verifyManifests({ ...base, manifests: [entry('r', {})] }).reason).toBe('no-model');
  });

  it('ignores manifests of other assets or dates', () => {
    const other = entry('r', { models: { minutes: 'new-run' } });
    other.manifest = { ...other.manifest, game_date: '2026-11-25' };
    expect(verifyManifests({ ...base, manifests: [other] }).reason).toBe('no-manifests');
  });

  it('ignores manifests of other assets for the same date', () => {
    const other = entry('r', { models: { minutes: 'new-run' } });
    other.manifest = { ...other.manifest, asset: 'rates_scores' };
    expect(verifyManifests({ ...base, manifests: [other] })).toMatchObject({
      reason: 'no-manifests',
      detail: 'no manifests of minutes_scores for 2026-11-26',
      considered: 0,
    });
  });

  it('says what it found in each case', () => {
    const one = (fields: Record<string, unknown>) =>
      verifyManifests({ ...base, manifests: [entry('r7', fields)] }).detail;
    const at = 'manifest of minutes_scores for 2026-11-26 (run r7)';
    expect(one({ status: 'skipped' })).toBe(`the newest ${at} is skipped`);
    const verdict = (fields: Record<string, unknown>) =>
      verifyManifests({ ...base, manifests: [entry('r7', fields)] });
    expect(
      [{ status: 'skipped' }, { status: 'running' }, { status: 'failed' }, {}].map((f) => verdict(f).ok),
    ).toEqual([false, false, false, false]);
    expect(verifyManifests({ ...base, manifests: [] }).ok).toBe(false);
    expect(one({ status: 'failed' })).toBe(`the newest ${at} failed`);
    expect(one({})).toBe(`the newest ${at} does not record models.minutes`);
    expect(one({ models: { minutes: 'new-run' } })).toBe(`${at} succeeded with minutes=new-run`);
  });

  it('counts a manifest written at the instant the flow run started as new', () => {
    const v = verifyManifests({
      ...base,
      since: new Date('2026-11-26T15:00:00Z'),
      manifests: [entry('r', { models: { minutes: 'new-run' } })],
    });
    expect(v).toMatchObject({ ok: true, older: 0 });
  });

  it('describes the newest older manifest, even one without a time or a model', () => {
    const v = verifyManifests({
      ...base,
      since: new Date('2026-11-26T17:00:00Z'),
      manifests: [
        entry('timeless', { run_as_of_ts: 'soon' }),
        entry('noon', { run_as_of_ts: '2026-11-26T12:00:00Z' }),
      ],
    });
    expect(v.detail).toBe(
      'no manifest of minutes_scores for 2026-11-26 written since the flow run started (2026-11-26T17:00:00.000Z); ' +
        'the newest is run noon at 2026-11-26T12:00:00.000Z with minutes=(none)',
    );
    const timeless = verifyManifests({
      ...base,
      since: new Date('2026-11-26T17:00:00Z'),
      manifests: [entry('timeless', { run_as_of_ts: 'soon' })],
    });
    expect(timeless.detail).toMatch(/the newest is run timeless at an unknown time with minutes=\(none\)$/);
    expect(timeless.manifest).toMatchObject({ time: null, model: null });
  });

  it('takes the latest valid time of a manifest, and the higher run id on a tie', () => {
    expect(
      manifestTime(
        entry('x', {
          finished_at: 'soon',
          started_at: '2026-11-26T19:00:00Z',
          run_as_of_ts: '2026-11-26T08:00:00Z',
        }).manifest,
      )?.toISOString(),
    ).toBe('2026-11-26T19:00:00.000Z');
    expect(manifestTime(entry('x', { run_as_of_ts: 'soon' }).manifest)).toBeNull();
    const late = entry('x', {
      finished_at: '2026-11-26T10:00:00Z',
      started_at: '2026-11-26T09:00:00Z',
      run_as_of_ts: '2026-11-26T12:00:00Z',
    });
    expect(manifestTime(late.manifest)?.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    const tie = verifyManifests({
      ...base,
      manifests: [
        entry('a', { models: { minutes: 'old-run' } }),
        entry('b', { models: { minutes: 'new-run' } }),
      ],
    });
    expect(tie.manifest?.run_id).toBe('b');
  });

  it('counts a manifest without a readable time when no start is given', () => {
    const v = verifyManifests({
      ...base,
      manifests: [entry('r', { run_as_of_ts: 'soon', models: { minutes: 'new-run' } })],
    });
    expect(v).toMatchObject({ ok: true, considered: 1, older: 0 });
  });
});
