/**
 * The command table types each option once: the key of an option spec is the name commander
 * stores its value under, so the handler's typed option is the parsed value; a bad value stops
 * the CLI before any handler is loaded.
 */
import { tmpdir } from 'node:os';
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { runCli } from '../../../src/cli/program.js';
import { testContext } from '../../helpers/context.js';

// No promote.config.json here or above: a handler that ran would fail on that instead.
const ctx = () => testContext({ cwd: tmpdir() });

describe('the command table', () => {
  it('keys every option by the attribute commander gives it', () => {
    for (const spec of COMMANDS)
      for (const [key, o] of Object.entries(spec.options))
        expect(new Option(o.flags).attributeName(), `${spec.name} ${o.flags}`).toBe(key);
  });

  it('parses every option that takes a value, except free text and paths', () => {
    const free = new Set(['--out <file>', '--write <dir>']);
    for (const spec of COMMANDS)
      for (const o of Object.values(spec.options))
        if (/[<[]/.test(o.flags) && !free.has(o.flags))
          expect(o.parse, `${spec.name} ${o.flags}`).toBeDefined();
  });
});

describe('a bad option value', () => {
  it('is exit 2 with the problem and a hint, before the handler runs', async () => {
    for (const [args, message] of [
      [['merge', '--pr', '0'], 'error: --pr "0" is not a pull request number'],
      [['merge', '--pr', '7', '--sha', 'abc'], 'error: --sha "abc" is not a full commit sha'],
      [['history', 'minutes', '--limit', '-1'], 'error: --limit must be a positive whole number, not "-1"'],
      [['agent', '--interval', '2d'], 'error: invalid --interval "2d": must be at most 1d'],
      [['verify', 'minutes', '--run', '../x'], 'error: invalid --run "../x": it starts with "."'],
      [['doctor', '--game-date', '2026-02-30'], 'error: invalid --game-date "2026-02-30"'],
      [['validate', '--head', '--output=x'], 'error: --head "--output=x" is not a branch, tag or commit'],
      [
        ['at', '--range', '2026-11-05..2026-11-01'],
        'error: --range starts after it ends: 2026-11-05..2026-11-01',
      ],
    ] as const) {
      const c = ctx();
      expect(await runCli([...args], c), args.join(' ')).toBe(2);
      const lines = c.err().trimEnd().split('\n');
      expect(lines, args.join(' ')).toHaveLength(2);
      expect(lines[0]).toContain(message);
      expect(lines[1]).toMatch(/^hint: \S/);
      expect(c.out()).toBe('');
    }
  });

  it('a missing required option is named before the config is looked for', async () => {
    const c = ctx();
    expect(await runCli(['merge'], c)).toBe(2);
    expect(c.err()).toBe(
      'error: merge needs --pr N\nhint: Pass the pull request number, for example --pr 42.\n',
    );
  });

  it('answers --json with the error object and --debug with the stack, wherever they stand', async () => {
    const json = ctx();
    expect(await runCli(['history', 'minutes', '--limit', 'x', '--json'], json)).toBe(2);
    expect(JSON.parse(json.out())).toMatchObject({
      ok: false,
      error: { exitCode: 2, remedy: 'Pass --limit 20.' },
    });
    const debug = ctx();
    expect(await runCli(['--debug', 'history', 'minutes', '--limit', 'x'], debug)).toBe(2);
    expect(debug.err()).toMatch(/\n\s+at /);
  });

  it('hands the handler the parsed value: a good one gets past the parse to the config lookup', async () => {
    const c = ctx();
    expect(await runCli(['merge', '--pr', '7', '--sha', 'AB'.repeat(20)], c)).toBe(2);
    expect(c.err()).toMatch(/^error: no promote\.config\.json found in /);
  });
});
