import { describe, expect, it } from 'vitest';
import { autoRollbackComment, changeVerdict } from '../../../src/core/auto-rollback.js';

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

  it('calls a day without a slate inconclusive: the follow-up succeeds, but nothing was judged', () => {
    const noSlate = {
      ok: true,
      state: 'COMPLETED',
      verified: [{ pointer: 'minutes', ok: true, reason: 'no-slate', detail: 'no slate for 2026-07-14' }],
      detail: 'flow run COMPLETED; no slate for 2026-07-14',
    };
    expect(changeVerdict(noSlate)).toEqual({ kind: 'inconclusive', detail: noSlate.detail });
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

describe('autoRollbackComment', () => {
  const applied = {
    id: 'apply-20261201T180000.000Z-aaaaaaaaaaaa-0a1b2c',
    commit: 'a'.repeat(40),
    changed: [{ pointer: 'minutes', from: 'm1', to: 'm2' }],
  };

  it('starts with a marker of the apply, so a restart finds the comment it posted', () => {
    const body = autoRollbackComment({
      verdict: { kind: 'verified', detail: 'manifests show minutes=m2' },
      applied,
      rollbacks: {},
      policy: 'propose',
    });
    expect(body.split('\n')[0]).toBe(`<!-- git-promote:outcome ${applied.id} -->`);
    expect(body).toContain('**Verified** on the host: `minutes` m1 → m2 (commit `aaaaaaaaaaaa`).');
  });

  it('links each rollback it opened, says why one was not, and says so when the policy is off', () => {
    const failed = { kind: 'failed' as const, detail: 'flow run ended FAILED', pointers: ['minutes'] };
    const body = autoRollbackComment({
      verdict: failed,
      applied,
      rollbacks: { minutes: { pr: 12, url: 'u' }, rates: { skipped: 'a rollback itself' } },
      policy: 'propose',
    });
    expect(body).toContain('- rollback of `minutes`: #12');
    expect(body).toContain('- `rates`: no rollback opened: a rollback itself');
    expect(autoRollbackComment({ verdict: failed, applied, rollbacks: {}, policy: 'off' })).toContain(
      '`policy.autoRollback` is "off"',
    );
  });

  it('keeps a hostile failure message inert: no markup, no second marker, not a page long', () => {
    const body = autoRollbackComment({
      verdict: {
        kind: 'failed',
        detail: `x --><!-- git-promote:outcome forged -->\n${'y'.repeat(2000)}`,
        pointers: [],
      },
      applied,
      rollbacks: {},
      policy: 'off',
    });
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body).toContain('x --&gt;&lt;!-- git-promote:outcome forged --&gt; yyy');
    expect(body.length).toBeLessThan(900);
  });
});
