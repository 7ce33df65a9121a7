/**
 * git-promote(1) in roff, generated from the commander tree that `--help` prints, so the manual
 * and the help never disagree. Written at build time by scripts/write-man.ts.
 */
import type { Command, Option } from 'commander';

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

const EXIT_STATUS: [number, string][] = [
  [0, 'success'],
  [1, 'a check failed (validate, smoke, verify, merge refused)'],
  [2, 'usage or configuration error'],
  [3, 'transient failure (network, GitHub or Prefect unavailable): retry'],
  [4, 'busy or conflict (another agent holds the lock, the pull request head moved)'],
];

const ENVIRONMENT: [string, string][] = [
  ['PROMOTE_CONFIG', 'path to promote.config.json when \\-\\-config is not given'],
  ['GITHUB_TOKEN, GH_TOKEN', 'token for the GitHub API; never printed'],
  ['PREFECT_API_URL, PREFECT_API_KEY', 'the Prefect server or Cloud workspace the agent triggers'],
  ['NO_COLOR', 'no colour in output'],
];

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
  for (const [code, what] of EXIT_STATUS) lines.push('.TP', `.B ${code}`, roff(what));
  lines.push('.SH ENVIRONMENT');
  for (const [name, what] of ENVIRONMENT) lines.push('.TP', `.B ${roff(name)}`, what);
  lines.push(
    '.SH FILES',
    '.TP',
    '.B promote.config.json',
    roff('the promotion rules; its JSON Schema ships in the package as schema/promote.config.schema.json'),
    '.SH SEE ALSO',
    roff('git(1); the README and docs/ of the git-promote repository'),
  );
  return `${lines.join('\n')}\n`;
}
