import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {
  BusyError,
  CheckFailedError,
  InternalError,
  TransientError,
  UsageError,
} from '../../../src/core/errors.js';
import { eventPriority } from '../../../src/core/log-priority.js';
import {
  emptyPassStats,
  passErrorKind,
  recordPass,
  renderMetrics,
  verificationOf,
} from '../../../src/core/pass-metrics.js';

const at = (iso: string) => new Date(iso);

describe('pass record', () => {
  it('keeps the last success and counts failures by kind', () => {
    let s = recordPass(emptyPassStats(), { ok: true, at: at('2026-11-26T18:00:00Z') });
    s = recordPass(s, {
      ok: false,
      at: at('2026-11-26T18:00:30Z'),
      error: new CheckFailedError('bad pointer', 'fix'),
    });
    s = recordPass(s, {
      ok: false,
      at: at('2026-11-26T18:01:00Z'),
      error: new TransientError('fetch failed', 'later'),
    });
    s = recordPass(s, {
      ok: false,
      at: at('2026-11-26T18:01:30Z'),
      error: new TransientError('fetch failed', 'later'),
    });
    expect(s.lastSuccessAt).toBe('2026-11-26T18:00:00.000Z');
    expect(s.errors).toEqual({ refused: 1, transient: 2, config: 0, busy: 0, internal: 0 });
    expect(s.lastError).toEqual({
      at: '2026-11-26T18:01:30.000Z',
      kind: 'transient',
      message: 'fetch failed',
    });
  });

  it('names the kind from what retrying can do; a bug is internal, not refused', () => {
    expect(passErrorKind(new UsageError('x', 'y'))).toBe('config');
    expect(passErrorKind(new CheckFailedError('x', 'y'))).toBe('refused');
    expect(passErrorKind(new InternalError('x'))).toBe('internal');
    expect(passErrorKind(new TransientError('x', 'y'))).toBe('transient');
    expect(passErrorKind(new BusyError('x', 'y'))).toBe('busy');
  });

  it('keeps the time of the first pass it counted from', () => {
    let s = recordPass(emptyPassStats(), { ok: true, at: at('2026-11-26T18:00:00Z') });
    s = recordPass(s, { ok: false, at: at('2026-11-26T18:00:30Z'), error: new BusyError('held', 'wait') });
    s = recordPass(s, { ok: true, at: at('2026-11-26T18:01:00Z') });
    expect(s.since).toBe('2026-11-26T18:00:00.000Z');
    expect(
      recordPass(emptyPassStats(), {
        ok: false,
        at: at('2026-11-26T18:02:00Z'),
        error: new BusyError('held', 'wait'),
      }).since,
    ).toBe('2026-11-26T18:02:00.000Z');
  });
});

describe('renderMetrics', () => {
  const stats = recordPass(emptyPassStats(), { ok: true, at: at('2026-11-26T18:00:00Z') });

  it('is valid Prometheus text with every family, read back by a parser of its own', () => {
    const text = renderMetrics({
      stats,
      applied: { at: '2026-11-26T17:59:00Z', runs: { minutes: 'm2', rates: 'r1' } },
      verification: [
        { pointer: 'minutes', ok: true },
        { pointer: 'rates', ok: false },
      ],
      pendingFollowUps: 1,
    });
    const families = parsePrometheusTextFormat(text);
    const get = (name: string) => families.find((f) => f.name === name)!;
    expect(families.map((f) => `${f.name}:${f.type}`)).toEqual([
      'git_promote_last_pass_timestamp_seconds:GAUGE',
      'git_promote_last_apply_timestamp_seconds:GAUGE',
      'git_promote_pass_errors_total:COUNTER',
      'git_promote_applied_run_info:GAUGE',
      'git_promote_verification_ok:GAUGE',
      'git_promote_pending_follow_ups:GAUGE',
    ]);
    expect(Number(get('git_promote_last_pass_timestamp_seconds').metrics[0]!.value)).toBe(
      Date.parse('2026-11-26T18:00:00Z') / 1000,
    );
    expect(Number(get('git_promote_last_apply_timestamp_seconds').metrics[0]!.value)).toBe(
      Date.parse('2026-11-26T17:59:00Z') / 1000,
    );
    expect(get('git_promote_pass_errors_total').metrics).toHaveLength(5);
    expect(get('git_promote_verification_ok').metrics).toEqual([
      { value: '1', labels: { pointer: 'minutes' } },
      { value: '0', labels: { pointer: 'rates' } },
    ]);
    expect(get('git_promote_pending_follow_ups').metrics[0]!.value).toBe('1');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says 0 before the first success, so "no successful pass" fires from the start', () => {
    const text = renderMetrics({
      stats: emptyPassStats(),
      applied: null,
      verification: [],
      pendingFollowUps: 0,
    });
    const families = parsePrometheusTextFormat(text);
    expect(families.find((f) => f.name === 'git_promote_last_pass_timestamp_seconds')!.metrics).toEqual([
      { value: '0' },
    ]);
    expect(families.find((f) => f.name === 'git_promote_applied_run_info')!.metrics).toEqual([]);
  });

  it('renders the error counts and the help of each family', () => {
    let failing = stats;
    for (let i = 0; i < 2; i++)
      failing = recordPass(failing, {
        ok: false,
        at: at('2026-11-26T18:01:00Z'),
        error: new TransientError('x', 'y'),
      });
    const text = renderMetrics({ stats: failing, applied: null, verification: [], pendingFollowUps: 0 });
    const errors = parsePrometheusTextFormat(text).find((f) => f.name === 'git_promote_pass_errors_total')!;
    expect(errors.help).toBe(
      'Apply passes that failed, by kind: refused (exit 1), config (2), transient (3), busy (4), internal.',
    );
    expect(errors.metrics.find((m) => m.labels?.kind === 'transient')?.value).toBe('2');
  });

  it('escapes a newline in a label value', () => {
    const text = renderMetrics({
      stats,
      applied: { at: '2026-11-26T17:59:00Z', runs: { minutes: 'a\nb' } },
      verification: [],
      pendingFollowUps: 0,
    });
    expect(text).toContain('run="a\\nb"} 1\n');
  });

  it('escapes label values', () => {
    const text = renderMetrics({
      stats,
      applied: { at: '2026-11-26T17:59:00Z', runs: { minutes: 'a"b\\c' } },
      verification: [],
      pendingFollowUps: 0,
    });
    expect(text).toContain('git_promote_applied_run_info{pointer="minutes",run="a\\"b\\\\c"} 1');
    const info = parsePrometheusTextFormat(text).find((f) => f.name === 'git_promote_applied_run_info')!;
    expect(info.metrics[0]!.labels).toEqual({ pointer: 'minutes', run: 'a"b\\c' });
  });
});

describe('verificationOf', () => {
  it('takes each verified pointer, and counts a failed flow as unverified for every pointer it covered', () => {
    expect(
      verificationOf({
        ok: false,
        pointers: ['minutes', 'rates'],
        verified: [{ pointer: 'minutes', ok: true }],
      }),
    ).toEqual([
      { pointer: 'minutes', ok: true },
      { pointer: 'rates', ok: false },
    ]);
    // Succeeded, rates has no verify.asset: nothing claimed about it.
    expect(
      verificationOf({
        ok: true,
        pointers: ['minutes', 'rates'],
        verified: [{ pointer: 'minutes', ok: true }],
      }),
    ).toEqual([{ pointer: 'minutes', ok: true }]);
    expect(verificationOf(undefined)).toEqual([]);
    // Whatever the flow file holds: only named pointers, and only ok: true counts as verified.
    expect(
      verificationOf({
        ok: false,
        pointers: ['minutes', 7],
        verified: [
          { pointer: 3, ok: true },
          { pointer: 'rates', ok: 'yes' },
        ],
      }),
    ).toEqual([
      { pointer: 'rates', ok: false },
      { pointer: 'minutes', ok: false },
    ]);
    expect(verificationOf({ ok: true, verified: 'all' })).toEqual([]);
  });
});

describe('eventPriority', () => {
  it('puts failed passes and failed follow-ups at err, the rest lower', () => {
    expect(['error', 'refused', 'retry'].map((e) => eventPriority(e, {}))).toEqual([3, 3, 3]);
    expect(eventPriority('follow-up', { ok: false })).toBe(3);
    expect(eventPriority('follow-up', { ok: true })).toBe(6);
    expect(eventPriority('deployment-warning', {})).toBe(4);
    expect(eventPriority('config-changed', {})).toBe(5);
    expect(
      ['started', 'applied', 'up-to-date', 'flow-run', 'stopped'].map((e) => eventPriority(e, {})),
    ).toEqual([6, 6, 6, 6, 6]);
  });
});

describe('the alert rules in docs/agent.md', () => {
  it('are valid YAML and use only metrics the file has', () => {
    const page = readFileSync(new URL('../../../docs/agent.md', import.meta.url), 'utf8');
    const block = /```yaml\n(groups:\n {2}- name: git-promote\n[\s\S]*?)```/.exec(page);
    expect(block, 'docs/agent.md has the alert rules').not.toBeNull();
    const doc = yaml.load(block![1]!) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const rules = doc.groups[0]!.rules;
    expect(rules.map((r) => r.alert)).toEqual(['GitPromoteAgentNotPassing', 'GitPromoteVerificationFailed']);
    const names = new Set(
      parsePrometheusTextFormat(
        renderMetrics({ stats: emptyPassStats(), applied: null, verification: [], pendingFollowUps: 0 }),
      ).map((f) => f.name),
    );
    for (const r of rules)
      for (const [name] of r.expr.matchAll(/git_promote_\w+/g)) expect(names, r.alert).toContain(name);
  });
});
