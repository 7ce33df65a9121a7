/**
 * The generated parts of README.md and docs/, rendered from the same commander tree as `--help` and
 * the man page (man-page.ts), so the three never disagree. A page marks each part:
 *
 *   <!-- generated:options begin -->
 *   …rewritten by `npm run docs`…
 *   <!-- generated:options end -->
 *
 * Everything outside the markers is hand-written and kept as it is. Kinds: `options` (synopsis and
 * options of the command a docs/commands/<name>.md page is about), `commands` (every command with
 * its summary, linked to its page), `global-options`, `exit-codes`, `environment`.
 */
import { posix } from 'node:path';
import type { Command, Option } from 'commander';
import { ENVIRONMENT, EXIT_STATUS } from './reference-tables.js';

/** Text for a markdown table cell: a `|` would end the cell, a `<` could start an HTML tag. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '\\<');
}

function table(head: [string, string], rows: [string, string][]): string {
  return [`| ${head[0]} | ${head[1]} |`, '| --- | --- |', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join(
    '\n',
  );
}

function optionRows(list: readonly Option[]): [string, string][] {
  return list
    .filter((o) => !o.hidden)
    .map((o) => {
      const fallback =
        o.negate || o.defaultValue === undefined ? '' : ` (default: \`${String(o.defaultValue)}\`)`;
      return [`\`${o.flags}\``, cell(o.description) + fallback];
    });
}

const COMMAND_PAGE = /^docs\/commands\/([\w-]+)\.md$/;

/** Options a command takes besides the ones every command takes. */
function ownOptions(program: Command, cmd: Command): Option[] {
  return cmd.options.filter((o) => !program.options.some((g) => g.long === o.long));
}

function optionsBlock(program: Command, file: string): string {
  const name = COMMAND_PAGE.exec(file)?.[1];
  const cmd = program.commands.find((c) => c.name() === name);
  if (!cmd) throw new Error(`${file}: an options block belongs on docs/commands/<command>.md of a command`);
  const globals = posix.relative(posix.dirname(file), 'docs/commands/README.md');
  const flags = program.options
    .filter((o) => !o.hidden && o.long !== '--version')
    .map((o) => `\`${o.flags}\``)
    .join(', ');
  return [
    '```text',
    `git promote ${cmd.name()} ${cmd.usage()}`.trim(),
    '```',
    '',
    `${cell(cmd.description())}.`,
    '',
    table(['option', 'meaning'], optionRows(ownOptions(program, cmd))),
    '',
    `It also takes the [global options](${globals}#global-options): ${flags}.`,
  ].join('\n');
}

function commandsBlock(program: Command, file: string): string {
  const dir = posix.dirname(file);
  return table(
    ['command', 'what it does'],
    program.commands.map((c) => [
      `[\`${c.name()}\`](${posix.relative(dir, `docs/commands/${c.name()}.md`)})`,
      cell(c.description()),
    ]),
  );
}

function exitCodesBlock(): string {
  const rows = EXIT_STATUS.map((s) => `| ${s.code} | ${cell(s.meaning)} | ${cell(s.remedy)} |`);
  return ['| code | meaning | what to do |', '| --- | --- | --- |', ...rows].join('\n');
}

function environmentBlock(): string {
  return table(
    ['variable', 'meaning'],
    ENVIRONMENT.map((v) => [
      v.names
        .split(', ')
        .map((n) => `\`${n}\``)
        .join(', '),
      cell(v.meaning),
    ]),
  );
}

/** The markdown of one generated block of `file` (its path from the repository root, with `/`). */
export function renderBlock(kind: string, file: string, program: Command): string {
  switch (kind) {
    case 'options':
      return optionsBlock(program, file);
    case 'commands':
      return commandsBlock(program, file);
    case 'global-options':
      return table(['option', 'meaning'], optionRows(program.options));
    case 'exit-codes':
      return exitCodesBlock();
    case 'environment':
      return environmentBlock();
    default:
      throw new Error(`${file}: unknown generated block "${kind}"`);
  }
}

const BEGIN = /<!-- generated:([\w-]+) begin -->/g;
const ANY_MARKER = /<!-- generated:[\w-]+ (begin|end) -->/;

/** `text` with every generated block rendered afresh; the text around the markers is kept. */
export function renderGeneratedBlocks(text: string, file: string, program: Command): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(BEGIN)) {
    const kind = m[1]!;
    const end = `<!-- generated:${kind} end -->`;
    const start = m.index + m[0].length;
    const stop = text.indexOf(end, start);
    if (stop < 0) throw new Error(`${file}: generated:${kind} has no "${end}"`);
    if (ANY_MARKER.test(text.slice(start, stop)))
      throw new Error(`${file}: generated:${kind} holds another marker`);
    if (ANY_MARKER.test(text.slice(last, m.index)))
      throw new Error(`${file}: a generated block ends without beginning`);
    out += `${text.slice(last, start)}\n\n${renderBlock(kind, file, program)}\n\n${end}`;
    last = stop + end.length;
  }
  if (ANY_MARKER.test(text.slice(last))) throw new Error(`${file}: a generated block ends without beginning`);
  return out + text.slice(last);
}
