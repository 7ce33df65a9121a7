import { describe, expect, it } from 'vitest';
import type { CheckRun, CommitStatus } from '../../../src/core/forge.js';
import {
  describeChecks,
  judgeRequired,
  requiredCheckNames,
  requiresUpToDate,
} from '../../../src/core/required-checks.js';

const status = (context: string, state: CommitStatus['state']): CommitStatus => ({
  context,
  state,
  description: null,
  targetUrl: null,
  creator: 'github-actions[bot]',
});
const run = (name: string, s: string, conclusion: string | null = null, id = 1): CheckRun => ({
  id,
  name,
  status: s,
  conclusion,
});

describe('requiredCheckNames', () => {
  it('unites ruleset required_status_checks and classic protection contexts, once each', () => {
    const rules = [
      { type: 'pull_request', parameters: { required_approving_review_count: 0 } },
      {
        type: 'required_status_checks',
        parameters: {
          required_status_checks: [{ context: 'tests' }, { context: 'lint', integration_id: 15368 }],
        },
      },
    ];
    expect(requiredCheckNames(rules, { contexts: ['lint', 'ci/legacy'], strict: false })).toEqual([
      'tests',
      'lint',
      'ci/legacy',
    ]);
    expect(requiredCheckNames([], null)).toEqual([]);
  });

  it('takes names only from required_status_checks rules, and only names that are text', () => {
    const rules = [
      { type: 'required_deployments', parameters: { required_status_checks: [{ context: 'deploy' }] } },
      {
        type: 'required_status_checks',
        parameters: { required_status_checks: [{ context: '' }, { context: 7 }, {}] },
      },
      { type: 'required_status_checks' },
    ];
    expect(requiredCheckNames(rules, null)).toEqual([]);
  });

  it('knows when the head must be up to date', () => {
    expect(requiresUpToDate([], { contexts: [], strict: true })).toBe(true);
    expect(
      requiresUpToDate(
        [{ type: 'required_status_checks', parameters: { strict_required_status_checks_policy: true } }],
        null,
      ),
    ).toBe(true);
    expect(requiresUpToDate([], null)).toBe(false);
    // The strict flag belongs to required_status_checks; elsewhere, or false, it asks for nothing.
    expect(
      requiresUpToDate(
        [{ type: 'pull_request', parameters: { strict_required_status_checks_policy: true } }],
        null,
      ),
    ).toBe(false);
    expect(
      requiresUpToDate(
        [
          { type: 'required_status_checks', parameters: { strict_required_status_checks_policy: false } },
          { type: 'required_status_checks' },
        ],
        { contexts: [], strict: false },
      ),
    ).toBe(false);
  });
});

describe('judgeRequired', () => {
  it('passes success, neutral and skipped check runs and success statuses', () => {
    const v = judgeRequired(
      ['a', 'b', 'c', 'd'],
      [status('d', 'success')],
      [run('a', 'completed', 'success'), run('b', 'completed', 'neutral'), run('c', 'completed', 'skipped')],
    );
    expect(v).toEqual({ passed: ['a', 'b', 'c', 'd'], pending: [], failed: [] });
  });

  it('waits for runs not completed, pending statuses and checks never reported', () => {
    const v = judgeRequired(['a', 'b', 'c'], [status('b', 'pending')], [run('a', 'in_progress')]);
    expect(v.pending).toEqual([
      { name: 'a', state: 'in_progress' },
      { name: 'b', state: 'pending' },
      { name: 'c', state: 'expected' },
    ]);
  });

  it('fails every other conclusion and failed statuses, by name', () => {
    const v = judgeRequired(
      ['a', 'b', 'c', 'd'],
      [status('c', 'failure'), status('d', 'error')],
      [run('a', 'completed', 'cancelled'), run('b', 'completed', 'timed_out')],
    );
    expect(v.failed).toEqual([
      { name: 'a', state: 'cancelled' },
      { name: 'b', state: 'timed_out' },
      { name: 'c', state: 'failure' },
      { name: 'd', state: 'error' },
    ]);
  });

  it('a check run counts over a status of the same name (an Actions job named like an old status)', () => {
    const v = judgeRequired(['ci'], [status('ci', 'success')], [run('ci', 'queued')]);
    expect(v.pending).toEqual([{ name: 'ci', state: 'queued' }]);
  });

  it('fails a completed run without a conclusion, and lists checks as GitHub shows them', () => {
    expect(judgeRequired(['x'], [], [run('x', 'completed', null)]).failed).toEqual([
      { name: 'x', state: 'completed' },
    ]);
    expect(
      describeChecks([
        { name: 'tests', state: 'in_progress' },
        { name: 'lint', state: 'expected' },
      ]),
    ).toBe('tests (in_progress), lint (expected)');
  });
});
