import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../src/core/schemas.js';
import { classifyFailure, failureText, TRIAGE_RULES } from '../../src/core/triage-rules.js';

// One failure text per runbook signature, as the pipeline writes them into failure_reason.
const FIXTURES: [string, string, 'A' | 'B' | 'C'][] = [
  ['port-conflict', 'OSError: [Errno 98] address already in use (0.0.0.0:8501)', 'C'],
  [
    'run-id-mismatch',
    'Requested run=20261126T150000Z missing under /data/gold/features_minutes_v1/game_date=2026-11-26',
    'B',
  ],
  ['stale-roster', 'ValueError: Roster snapshot is 31h old (as_of 2026-11-25T11:00:00Z)', 'B'],
  ['schema-drift', "ContractError: missing required columns ['minutes_p50', 'player_id']", 'C'],
  ['network', 'httpx.ConnectError: [Errno -3] Temporary failure in name resolution', 'A'],
  ['network', 'ssl.SSLError: _ssl.c:980: The handshake operation timed out: SSL handshake timed out', 'A'],
  [
    'permission-denied',
    "PermissionError: [Errno 13] Permission denied: '/home/daniel/projections-data/gold'",
    'C',
  ],
  ['missing-input', "FileNotFoundError: [Errno 2] No such file or directory: 'injuries.parquet'", 'A'],
];

describe('classifyFailure', () => {
  it.each(FIXTURES)('classifies %s', (rule, text, category) => {
    const finding = classifyFailure(`Traceback (most recent call last):\n  File "x.py"\n${text}`);
    expect(finding.rule).toBe(rule);
    expect(finding.category).toBe(category);
    expect(finding.evidence).toBe(text);
    expect(finding.nextStep.length).toBeGreaterThan(20);
  });

  it('covers every rule with a fixture', () => {
    expect(new Set(FIXTURES.map(([r]) => r))).toEqual(new Set(TRIAGE_RULES.map((r) => r.id)));
  });

  it('calls anything else unknown, category C (do not retry blindly)', () => {
    const finding = classifyFailure('KeyError: 0');
    expect(finding).toMatchObject({ rule: 'unknown', category: 'C', evidence: 'KeyError: 0' });
    expect(classifyFailure('').evidence).toBe('(no failure_reason)');
  });

  it('reads failure_reason and the details of failed checks', () => {
    const m = manifestSchema.parse({
      asset: 'minutes_scores',
      game_date: '2026-11-26',
      run_id: 'r1',
      run_as_of_ts: '2026-11-26T15:00:00Z',
      status: 'failed',
      checks: [
        { name: 'rows', status: 'pass', detail: 'address already in use' },
        { name: 'schema', status: 'fail', detail: 'missing required columns [minutes_p50]' },
      ],
    });
    expect(failureText(m)).toBe('schema: missing required columns [minutes_p50]');
    expect(classifyFailure(failureText(m)).rule).toBe('schema-drift');
  });

  it('puts failure_reason first, one line per failed check, and skips checks without detail', () => {
    const m = manifestSchema.parse({
      asset: 'minutes_scores',
      game_date: '2026-11-26',
      run_id: 'r1',
      run_as_of_ts: '2026-11-26T15:00:00Z',
      status: 'failed',
      failure_reason: 'OOM killed',
      checks: [
        { name: 'rows', status: 'fail' },
        { name: 'schema', status: 'fail', detail: 'missing [x]' },
      ],
    });
    expect(failureText(m)).toBe('OOM killed\nschema: missing [x]');
    expect(failureText({ ...m, failure_reason: null, checks: undefined })).toBe('');
  });

  it('shows the evidence on one line, at most 240 characters', () => {
    expect(classifyFailure('  Key\tError:\n   0  ').evidence).toBe('Key Error: 0');
    const long = 'x'.repeat(240);
    expect(classifyFailure(long).evidence).toBe(long);
    expect(classifyFailure(`${long}y`).evidence).toBe(`${'x'.repeat(237)}...`);
  });
});
