/**
 * git-promote(1) comes from the same commander tree as --help: every command, its arguments and
 * every option with its description are in it, in roff that man(1) renders as written.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { manPage } from '../../src/cli/man-page.js';
import { buildProgram, runCli } from '../../src/cli/program.js';
import { testContext } from '../helpers/context.js';

const roff = (text: string) => text.replace(/\\/g, '\\e').replace(/-/g, '\\-');
const page = manPage(buildProgram(testContext()), '9.8.7');

describe('the man page', () => {
  it('is section 1 of git-promote at the given version', () => {
    expect(page.split('\n')[0]).toBe('.TH GIT\\-PROMOTE 1 "" "git-promote 9.8.7" "git-promote manual"');
    expect(page).toContain('.SH NAME\ngit\\-promote \\- Git\\-ops promotion of ML model pointers\n');
  });

  it('has every command with its arguments, summary and options', () => {
    for (const spec of COMMANDS) {
      expect(page).toContain(
        `.SS "git promote ${roff(spec.name)} [options]${spec.args ? ` ${roff(spec.args)}` : ''}"`,
      );
      expect(page).toContain(`\n${roff(spec.summary)}\n`);
      for (const o of Object.values(spec.options))
        expect(page).toContain(`.TP\n.B ${roff(o.flags)}\n${roff(o.description)}\n`);
    }
  });

  it('lists the global options once and every exit code', () => {
    for (const flag of ['\\-\\-json', '\\-\\-config <file>', '\\-\\-debug'])
      expect(page.split(`.B ${flag}\n`)).toHaveLength(2);
    for (const code of [0, 1, 2, 3, 4]) expect(page).toContain(`.TP\n.B ${code}\n`);
  });

  it('agrees with --help on the commands', async () => {
    const ctx = testContext();
    expect(await runCli(['--help'], ctx)).toBe(0);
    for (const spec of COMMANDS) expect(ctx.out()).toMatch(new RegExp(`^  ${spec.name}\\b`, 'm'));
  });

  it('never starts a text line with a roff control character', () => {
    for (const line of page.split('\n'))
      if (/^[.']/.test(line)) expect(line, line).toMatch(/^\.(TH|SH|SS|TP|B|I|RB|br)\b/);
  });
});
