/**
 * git-promote(1) in roff, generated from the commander tree that `--help` prints, so the manual
 * and the help never disagree. Written at build time by scripts/write-man.ts. The exit statuses and
 * environment come from reference-tables.ts, as docs/ does (`npm run docs`).
 */
import type { Command, Option } from 'commander';
import { ENVIRONMENT, EXIT_STATUS } from './reference-tables.js';

/** Roff-safe text: backslashes, hyphens (so flags copy-paste), and no leading control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

function options(list: readonly Option[]): string[] {
  return list.filter((o) => !o.hidden).flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]);
}

/** Markdown `code` spans of the shared tables as plain text. */
const plain = (text: string) => text.replace(/`/g, '');

export function manPage(program: Command, version: string): string {
  const lines = [
    `.TH GIT\\-PROMOTE 1 "" "git-promote ${roff(version)}" "git-promote manual"`,
    '.SH NAME',
    `git\\-promote \\- ${roff(program.description())}`,
    '.SH SYNOPSIS',
    '.B git promote',
    '.I command',
    '[options]',
    '.br',
    '.B git promote',
    '.RB [ \\-\\-version | \\-\\-help ]',
    '.SH DESCRIPTION',
    roff(
      'Data scientists propose a model run for a pointer with smoke evidence as a pull request; CI validates and merges it; an agent on the server applies the merged pointer files atomically and triggers the flow. Rolling back is a git revert.',
    ),
    '.SH COMMANDS',
  ];
  for (const cmd of program.commands) {
    lines.push(`.SS "${roff(`git promote ${cmd.name()} ${cmd.usage()}`.trim())}"`, roff(cmd.description()));
    lines.push(...options(cmd.options.filter((o) => !program.options.some((g) => g.long === o.long))));
  }
  lines.push('.SH OPTIONS', 'Every command also takes these:', ...options(program.options));
  lines.push('.SH EXIT STATUS');
  for (const s of EXIT_STATUS)
    lines.push('.TP', `.B ${s.code}`, roff(plain(s.remedy ? `${s.meaning}; ${s.remedy}` : s.meaning)));
  lines.push('.SH ENVIRONMENT');
  for (const v of ENVIRONMENT) lines.push('.TP', `.B ${roff(v.names)}`, roff(plain(v.meaning)));
  lines.push(
    '.SH FILES',
    '.TP',
    '.B promote.config.json',
    roff('the promotion rules; its JSON Schema ships in the package as schema/promote.config.schema.json'),
    '.SH SEE ALSO',
    roff('git(1); docs/ of the git-promote repository, one page per command (docs/commands/<name>.md)'),
  );
  return `${lines.join('\n')}\n`;
}
