import { describe, expect, it } from 'vitest';
import type { FlowRunInfo, FlowStateType } from '../../../src/core/flow-state.js';
import { pickGameDateRun } from '../../../src/core/game-date-run.js';

const run = (id: string, state: FlowStateType, at: string, gameDate?: string): FlowRunInfo => ({
  flowRunId: id,
  state,
  startTime: null,
  endTime: null,
  created: null,
  expectedStartTime: at,
  ...(gameDate ? { parameters: { game_date: gameDate } } : {}),
});

describe('pickGameDateRun', () => {
  const day = [
    run('morning', 'COMPLETED', '2026-11-26T15:00:00Z'),
    run('promotion', 'FAILED', '2026-11-26T17:30:00Z', '2026-11-26'),
    run('evening', 'SCHEDULED', '2026-11-26T23:00:00Z'),
  ];

  it('takes the latest run that is due, not a later scheduled one', () => {
    expect(pickGameDateRun(day, '2026-11-26', new Date('2026-11-26T18:00:00Z'))?.flowRunId).toBe('promotion');
  });

  it('takes a scheduled run once its time has passed (Late), and the next one before any is due', () => {
    expect(pickGameDateRun(day, '2026-11-26', new Date('2026-11-27T01:00:00Z'))?.flowRunId).toBe('evening');
    const ahead = [
      run('evening', 'SCHEDULED', '2026-11-26T23:00:00Z'),
      run('morning', 'SCHEDULED', '2026-11-26T15:00:00Z'),
    ];
    expect(pickGameDateRun(ahead, '2026-11-26', new Date('2026-11-26T10:00:00Z'))?.flowRunId).toBe('morning');
  });

  it("skips a run started that day for another game date (a backfill), whatever the input's order", () => {
    const backfill = run('backfill', 'COMPLETED', '2026-11-26T17:45:00Z', '2026-11-20');
    const runs = [day[2]!, backfill, day[0]!, day[1]!];
    expect(pickGameDateRun(runs, '2026-11-26', new Date('2026-11-26T18:00:00Z'))?.flowRunId).toBe(
      'promotion',
    );
    expect(pickGameDateRun([backfill], '2026-11-26', new Date('2026-11-26T18:00:00Z'))).toBeNull();
  });

  it('takes a run that started before its expected time, and a scheduled one due exactly now', () => {
    const early = [
      run('morning', 'COMPLETED', '2026-11-26T15:00:00Z'),
      run('evening', 'RUNNING', '2026-11-26T23:00:00Z'),
    ];
    expect(pickGameDateRun(early, '2026-11-26', new Date('2026-11-26T18:00:00Z'))?.flowRunId).toBe('evening');
    const due = [
      run('morning', 'COMPLETED', '2026-11-26T15:00:00Z'),
      run('evening', 'SCHEDULED', '2026-11-26T23:00:00Z'),
    ];
    expect(pickGameDateRun(due, '2026-11-26', new Date('2026-11-26T23:00:00Z'))?.flowRunId).toBe('evening');
  });
});
