import { describe, expect, it } from 'vitest';
import { changeVerdict } from '../../../src/core/auto-rollback.js';

const completed = (verified: unknown[]) => ({
  ok: false,
  state: 'COMPLETED',
  pointers: ['minutes', 'rates'],
  verified,
  detail: 'verification failed',
});

describe('changeVerdict', () => {
  it('has nothing to say without a followed flow run', () => {
    expect(changeVerdict(undefined)).toBeNull();
    expect(changeVerdict({ flow: 'not configured', ok: true })).toBeNull();
  });

  it('calls a run that completed and was confirmed verified', () => {
    expect(changeVerdict({ ok: true, state: 'COMPLETED', detail: 'manifests show minutes=m2' })).toEqual({
      kind: 'verified',
      detail: 'manifests show minutes=m2',
    });
  });

  it.each(['FAILED', 'CRASHED'])('fails every changed pointer when the flow run ended %s', (state) => {
    expect(
      changeVerdict({ ok: false, state, pointers: ['minutes', 'rates'], detail: `flow run ended ${state}` }),
    ).toEqual({ kind: 'failed', detail: `flow run ended ${state}`, pointers: ['minutes', 'rates'] });
  });

  it.each(['CANCELLED', 'PAUSED', undefined])('cannot tell when the flow run ended %s', (state) => {
    expect(changeVerdict({ ok: false, state, pointers: ['minutes'] })?.kind).toBe('inconclusive');
  });

  it('fails only the pointers whose manifests show a failed step or another run', () => {
    const verdict = changeVerdict(
      completed([
        { pointer: 'minutes', ok: false, reason: 'wrong-run', detail: 'manifest uses m1, not m2' },
        { pointer: 'rates', ok: true, reason: 'confirmed', detail: 'ok' },
      ]),
    );
    expect(verdict).toEqual({
      kind: 'failed',
      detail: 'minutes: manifest uses m1, not m2',
      pointers: ['minutes'],
    });
    expect(
      changeVerdict(completed([{ pointer: 'rates', ok: false, reason: 'failed', detail: 'x' }])),
    ).toMatchObject({ kind: 'failed', pointers: ['rates'] });
  });

  it.each(['no-manifests', 'only-older', 'not-finished', 'no-model', undefined])(
    'never fails a change on a verification that cannot tell (%s): no slate, nothing written yet',
    (reason) => {
      const verdict = changeVerdict(
        completed([
          { pointer: 'minutes', ok: false, reason, detail: 'no manifests of minutes_scores for 2026-07-14' },
        ]),
      );
      expect(verdict).toEqual({
        kind: 'inconclusive',
        detail: 'minutes: no manifests of minutes_scores for 2026-07-14',
      });
    },
  );

  it('ignores malformed entries from a damaged state file instead of failing on them', () => {
    expect(changeVerdict(completed([null, 'x', { ok: false }]))?.kind).toBe('inconclusive');
  });
});
