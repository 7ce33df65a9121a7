import { describe, expect, it } from 'vitest';
import {
  FLOW_STATE_TYPES,
  flowIdempotencyKey,
  flowRunSince,
  isFlowStateType,
  isTerminalState,
  type FlowRunInfo,
} from '../../../src/core/flow-state.js';

const run = (startTime: string | null, created: string | null): FlowRunInfo => ({
  flowRunId: 'r1',
  state: 'RUNNING',
  startTime,
  endTime: null,
  created,
});

describe('flow run states', () => {
  it("knows Prefect's state types exactly, and nothing else", () => {
    for (const t of FLOW_STATE_TYPES) expect(isFlowStateType(t), t).toBe(true);
    for (const v of ['completed', 'Late', '', 'COMPLETED ', null, undefined, 3, ['COMPLETED']])
      expect(isFlowStateType(v), String(v)).toBe(false);
  });

  it('counts completed, failed, cancelled and crashed runs as finished', () => {
    expect(FLOW_STATE_TYPES.filter(isTerminalState)).toEqual(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);
  });
});

describe('flowRunSince', () => {
  it("is the run's start, else its creation", () => {
    expect(flowRunSince(run('2026-11-26T17:31:00Z', '2026-11-26T17:30:00Z'))).toEqual(
      new Date('2026-11-26T17:31:00Z'),
    );
    expect(flowRunSince(run(null, '2026-11-26T17:30:00Z'))).toEqual(new Date('2026-11-26T17:30:00Z'));
  });

  it('skips a time that is not a date, and is null when neither is known', () => {
    expect(flowRunSince(run('soon', '2026-11-26T17:30:00Z'))).toEqual(new Date('2026-11-26T17:30:00Z'));
    expect(flowRunSince(run('soon', 'later'))).toBeNull();
    expect(flowRunSince(run(null, null))).toBeNull();
  });
});

describe('flowIdempotencyKey', () => {
  it('names the deployment, the commit and the sorted pointers', () => {
    expect(flowIdempotencyKey('daily/live', 'abc123', ['minutes', 'lineups'])).toBe(
      'daily/live:abc123:lineups,minutes',
    );
  });
});
