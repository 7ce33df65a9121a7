import { describe, expect, it } from 'vitest';
import { createCommandTrigger } from '../../src/adapters/flow/command-trigger.js';
import { triggerValues } from '../../src/core/flow-state.js';
import { fillParameters } from '../../src/core/template.js';
import { CheckFailedError } from '../../src/core/errors.js';

describe('flow trigger placeholders', () => {
  it('fills {game_date}, {commit} and {pointers} in every string, leaving other values alone', () => {
    const values = triggerValues({ commit: 'abc', pointers: ['rates', 'minutes'], gameDate: '2026-11-26' });
    expect(
      fillParameters(
        {
          game_date: '{game_date}',
          nested: { tag: 'c-{commit}', list: ['{pointers}', 3] },
          keep: '{other}',
          n: 1,
        },
        values,
      ),
    ).toEqual({
      game_date: '2026-11-26',
      nested: { tag: 'c-abc', list: ['minutes,rates', 3] },
      keep: '{other}',
      n: 1,
    });
  });
});

describe('command trigger', () => {
  it('refuses to guess the outcome of a run started by an earlier process', async () => {
    const trigger = createCommandTrigger({ command: ['true'], cwd: '/', env: {}, now: () => new Date() });
    const err = await trigger.follow('command:123:456', { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailedError);
    expect((err as Error).message).toContain('was started by an earlier git-promote process');
  });
});
