/**
 * The generated blocks of README.md and docs/ come from the same commander tree as --help and the
 * man page: a committed page whose block differs from what the definitions produce fails here
 * (fix: `npm run docs`), so docs, help and man page never disagree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { renderBlock, renderGeneratedBlocks } from '../../src/cli/doc-blocks.js';
import { manPage } from '../../src/cli/man-page.js';
import { buildProgram, programForReference } from '../../src/cli/program.js';
import { ENVIRONMENT, EXIT_STATUS } from '../../src/cli/reference-tables.js';
import { ExitCode } from '../../src/core/errors.js';
import { docFiles, regenerated } from '../../scripts/generated-docs.js';
import { testContext } from '../helpers/context.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const roff = (text: string) => text.replace(/\\/g, '\\e').replace(/-/g, '\\-');
const blocks = (text: string) => [...text.matchAll(/<!-- generated:([\w-]+) begin -->/g)].map((m) => m[1]);

describe('the committed docs', () => {
  it('hold exactly the generated blocks the command definitions produce (else run `npm run docs`)', async () => {
    const stale: string[] = [];
    for (const file of docFiles(ROOT)) if ((await regenerated(ROOT, file)) !== read(file)) stale.push(file);
    expect(stale, 'run `npm run docs` and commit the result').toEqual([]);
  });

  it('have one page per command, each with its options block, and no page for a command that is gone', () => {
    const pages = readdirSync(join(ROOT, 'docs/commands')).filter((n) => n !== 'README.md');
    expect(pages.sort()).toEqual(COMMANDS.map((c) => `${c.name}.md`).sort());
    for (const spec of COMMANDS)
      expect(blocks(read(`docs/commands/${spec.name}.md`)), spec.name).toEqual(['options']);
  });

  it('list every command in the README and the docs index', () => {
    for (const file of ['README.md', 'docs/README.md', 'docs/commands/README.md']) {
      expect(blocks(read(file)), file).toContain('commands');
      for (const spec of COMMANDS) expect(read(file), file).toContain(`[\`${spec.name}\`](`);
    }
    expect(blocks(read('docs/exit-codes.md'))).toEqual(['exit-codes']);
    expect(blocks(read('docs/configuration.md'))).toEqual(['environment']);
  });

  it('are caught when a definition changes and the page is not regenerated', async () => {
    const program = buildProgram(testContext());
    const propose = program.commands.find((c) => c.name() === 'propose')!;
    propose.options.find((o) => o.long === '--dry-run')!.description = 'a changed description';
    const committed = read('docs/commands/propose.md');
    const fresh = renderGeneratedBlocks(committed, 'docs/commands/propose.md', program);
    expect(fresh).not.toBe(
      renderGeneratedBlocks(committed, 'docs/commands/propose.md', programForReference()),
    );
    expect(fresh).toContain('| `--dry-run` | a changed description |');
  });
});

describe('an options block', () => {
  const program = programForReference();
  const page = manPage(program, '1.0.0');

  it('has the synopsis, summary and every option of the command, as the man page does', () => {
    for (const spec of COMMANDS) {
      const block = renderBlock('options', `docs/commands/${spec.name}.md`, program);
      const synopsis = `git promote ${spec.name} [options]${spec.args ? ` ${spec.args}` : ''}`;
      expect(block).toContain(`\`\`\`text\n${synopsis}\n\`\`\``);
      expect(page).toContain(`.SS "${roff(synopsis)}"`);
      expect(block).toContain(`\n${spec.summary.replace(/</g, '\\<')}.\n`);
      for (const o of Object.values(spec.options)) {
        const row = `| \`${o.flags}\` | ${o.description.replace(/</g, '\\<')}`;
        expect(block, o.flags).toContain(row);
        expect(page).toContain(`.B ${roff(o.flags)}\n${roff(o.description)}\n`);
      }
      // The options every command takes are linked once, not repeated in each table.
      expect(block).not.toContain('| `--json` |');
      expect(block).toContain(
        '[global options](README.md#global-options): `--json`, `--config <file>`, `--debug`.',
      );
    }
  });

  it('shows a default value, and escapes what would break a table cell or start an HTML tag', () => {
    expect(renderBlock('options', 'docs/commands/at.md', program)).toMatch(
      /\| `--source <source>` \| .* \(default: `branch`\) \|/,
    );
    const odd = buildProgram(testContext());
    odd.commands.find((c) => c.name() === 'history')!.options[0]!.description = 'a|b <tag>';
    expect(renderBlock('options', 'docs/commands/history.md', odd)).toContain('| a\\|b \\<tag> |');
  });

  it('belongs on the page of a command only', () => {
    expect(() => renderBlock('options', 'docs/configuration.md', program)).toThrow(
      /docs\/commands\/<command>\.md/,
    );
    expect(() => renderBlock('options', 'docs/commands/nonesuch.md', program)).toThrow(/nonesuch/);
  });
});

describe('the exit-code and environment tables', () => {
  it('list every exit code of the contract, with 130 for an interrupt, in the docs and the man page', () => {
    const codes = EXIT_STATUS.map((s) => s.code);
    expect(codes).toEqual([...Object.values(ExitCode), 130]);
    const table = renderBlock('exit-codes', 'docs/exit-codes.md', programForReference());
    const page = manPage(programForReference(), '1.0.0');
    for (const s of EXIT_STATUS) {
      expect(table).toContain(`| ${s.code} | ${s.meaning} |`);
      expect(page).toContain(`.TP\n.B ${s.code}\n`);
    }
  });

  it('name every variable in the docs and the man page', () => {
    const table = renderBlock('environment', 'docs/configuration.md', programForReference());
    const page = manPage(programForReference(), '1.0.0');
    for (const v of ENVIRONMENT) {
      for (const name of v.names.split(', ')) expect(table).toContain(`\`${name}\``);
      expect(page).toContain(`.B ${roff(v.names)}\n`);
    }
  });
});

describe('rendering the blocks of a page', () => {
  const program = programForReference();
  const render = (text: string, file = 'docs/x.md') => renderGeneratedBlocks(text, file, program);

  it('replaces what is between the markers and keeps everything else byte for byte', () => {
    const text =
      'before\n\n<!-- generated:exit-codes begin -->\nstale\n<!-- generated:exit-codes end -->\n\nafter\n';
    const out = render(text);
    expect(out.startsWith('before\n\n<!-- generated:exit-codes begin -->\n\n| code |')).toBe(true);
    expect(out.endsWith('\n\n<!-- generated:exit-codes end -->\n\nafter\n')).toBe(true);
    expect(out).not.toContain('stale');
    expect(render(out)).toBe(out);
    expect(render('no blocks here\n')).toBe('no blocks here\n');
  });

  it('refuses an unknown kind, a block without its end, a nested block and a stray end', () => {
    expect(() => render('<!-- generated:nonesuch begin -->\n<!-- generated:nonesuch end -->')).toThrow(
      /unknown generated block "nonesuch"/,
    );
    expect(() => render('<!-- generated:exit-codes begin -->\n')).toThrow(
      /has no "<!-- generated:exit-codes end -->"/,
    );
    expect(() =>
      render(
        '<!-- generated:exit-codes begin -->\n<!-- generated:environment begin -->\n<!-- generated:environment end -->\n<!-- generated:exit-codes end -->',
      ),
    ).toThrow(/holds another marker/);
    expect(() => render('<!-- generated:exit-codes end -->\n')).toThrow(/ends without beginning/);
    expect(() =>
      render(
        '<!-- generated:exit-codes begin -->\n<!-- generated:exit-codes end -->\n<!-- generated:environment end -->',
      ),
    ).toThrow(/ends without beginning/);
  });

  it('finds README.md and every page under docs/, the command pages included', () => {
    const files = docFiles(ROOT);
    expect(files[0]).toBe('README.md');
    expect(files).toContain('docs/commands/propose.md');
    expect(files).toContain('docs/security.md');
    for (const f of files) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });
});
