import { describe, expect, it } from 'vitest';
import { activeFreeze, nextFreeze } from '../../../src/core/freeze.js';
import { configSchema } from '../../../src/core/schemas.js';
import { validateConfig } from '../../../src/core/config.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const slateLock = [{ name: 'slate lock', start: '18:30', end: '23:30' }];
const overnight = [{ start: '22:00', end: '02:00' }];

describe('activeFreeze', () => {
  it('is the window from 18:30 to 23:30 ET, start included and end excluded (winter, UTC-5)', () => {
    // 18:30 EST = 23:30Z; 23:30 EST = 04:30Z the next day.
    expect(activeFreeze(slateLock, new Date('2026-11-26T23:29:59Z'))).toBeNull();
    const at = activeFreeze(slateLock, new Date('2026-11-26T23:30:00Z'));
    expect(at).toMatchObject({ name: 'slate lock', label: '18:30–23:30 ET' });
    expect(at!.start.toISOString()).toBe('2026-11-26T23:30:00.000Z');
    expect(at!.end.toISOString()).toBe('2026-11-27T04:30:00.000Z');
    expect(activeFreeze(slateLock, new Date('2026-11-27T04:29:59Z'))).not.toBeNull();
    expect(activeFreeze(slateLock, new Date('2026-11-27T04:30:00Z'))).toBeNull();
  });

  it('follows daylight time (summer, UTC-4)', () => {
    expect(activeFreeze(slateLock, new Date('2026-07-04T22:29:00Z'))).toBeNull();
    expect(activeFreeze(slateLock, new Date('2026-07-04T22:30:00Z'))!.start.toISOString()).toBe(
      '2026-07-04T22:30:00.000Z',
    );
  });

  it('spans midnight when the end is before the start, including the morning after', () => {
    // 01:00 ET on the 27th is inside the window that began at 22:00 ET on the 26th.
    const at = activeFreeze(overnight, new Date('2026-11-27T06:00:00Z'));
    expect(at!.start.toISOString()).toBe('2026-11-27T03:00:00.000Z');
    expect(at!.end.toISOString()).toBe('2026-11-27T07:00:00.000Z');
    expect(at!.name).toBe('freeze 1');
    expect(activeFreeze(overnight, new Date('2026-11-27T07:00:00Z'))).toBeNull();
  });

  it('is null without windows', () => {
    expect(activeFreeze([], new Date())).toBeNull();
    expect(nextFreeze([], new Date())).toBeNull();
  });
});

describe('nextFreeze', () => {
  it('is today’s window before it starts and tomorrow’s once it has started', () => {
    expect(nextFreeze(slateLock, new Date('2026-11-26T17:00:00Z'))!.start.toISOString()).toBe(
      '2026-11-26T23:30:00.000Z',
    );
    expect(nextFreeze(slateLock, new Date('2026-11-27T01:00:00Z'))!.start.toISOString()).toBe(
      '2026-11-27T23:30:00.000Z',
    );
  });

  it('crosses the fall-back day at the same ET wall-clock time', () => {
    // 2026-11-01 is the fall-back day: 18:30 EST that evening is 23:30Z, the day before 22:30Z.
    expect(nextFreeze(slateLock, new Date('2026-10-31T23:00:00Z'))!.start.toISOString()).toBe(
      '2026-11-01T23:30:00.000Z',
    );
  });
});

describe('agent.freeze and agent.quietWait in the config', () => {
  it('default to no windows and a 2h quiet wait', () => {
    const config = configSchema.parse(sampleConfig('/tmp/x'));
    expect(config.agent.freeze).toEqual([]);
    expect(config.agent.quietWait).toBe('2h');
  });

  it('reject a bad time, equal start and end, an unknown key and a quiet wait over 24h, with dot-paths', () => {
    const base = sampleConfig('/tmp/x') as { agent: Record<string, unknown> };
    const result = validateConfig({
      ...base,
      agent: {
        ...base.agent,
        quietWait: '25h',
        freeze: [
          { start: '24:00', end: '23:30' },
          { start: '18:00', end: '18:00' },
          { start: '1:00', end: '02:00', days: [] },
        ],
      },
    });
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agent\.freeze\.0\.start: must be an ET wall-clock time/),
        'agent.freeze.1.end: start and end must differ',
        expect.stringMatching(/^agent\.freeze\.2\.start: /),
        expect.stringMatching(/^agent\.freeze\.2\.days: unknown key/),
        'agent.quietWait: must be at most 24h',
      ]),
    );
  });
});
