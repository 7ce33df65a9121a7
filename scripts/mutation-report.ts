/**
 * Write bench/MUTATION.md from StrykerJS's JSON reports (reports/mutation/*.json): the score
 * per folder and per file, and every surviving or uncovered mutant with its line. Notes written by
 * hand below the `<!-- notes -->` line of an existing bench/MUTATION.md are kept.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/version.js';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const NOTES = '<!-- notes -->';

interface Tally {
  detected: number;
  undetected: number;
  ignored: number;
  errors: number;
}

function tally(mutants: Mutant[]): Tally {
  const t = { detected: 0, undetected: 0, ignored: 0, errors: 0 };
  for (const m of mutants) {
    if (DETECTED.has(m.status)) t.detected++;
    else if (UNDETECTED.has(m.status)) t.undetected++;
    else if (m.status === 'Ignored') t.ignored++;
    else t.errors++;
  }
  return t;
}

const score = (t: Tally) =>
  t.detected + t.undetected === 0
    ? 'n/a'
    : `${((100 * t.detected) / (t.detected + t.undetected)).toFixed(1)} %`;

const row = (name: string, t: Tally) =>
  `| ${name} | ${score(t)} | ${t.detected} | ${t.undetected} | ${t.ignored} | ${t.errors} |`;

function snippet(source: string, m: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  const text =
    start.line === end.line
      ? lines[start.line - 1]!.slice(start.column - 1, end.column - 1)
      : `${lines[start.line - 1]!.slice(start.column - 1)} …`;
  const short = (s: string) =>
    (s.length > 70 ? `${s.slice(0, 67)}...` : s).replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return `\`${short(text)}\` → \`${short(m.replacement ?? '(removed)')}\``;
}

const root = packageRoot();
// One report from `npm run mutation`, and any number from `npm run mutation:part` (in parts/);
// each file's mutants come from the newest report that has them.
const dir = join(root, 'reports/mutation');
const reports = [dir, join(dir, 'parts')]
  .filter((d) => existsSync(d))
  .flatMap((d) => readdirSync(d).map((n) => join(d, n)))
  .filter((p) => p.endsWith('.json') && !/\/stryker-[^/]*\.json$/.test(p))
  .map((p) => ({ p, at: statSync(p).mtimeMs }))
  .sort((a, b) => a.at - b.at);
const merged: Report['files'] = {};
const measuredAt: Record<string, number> = {};
for (const { p, at } of reports)
  for (const [file, data] of Object.entries((JSON.parse(readFileSync(p, 'utf8')) as Report).files)) {
    merged[file] = data;
    measuredAt[file] = at;
  }
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const days = [...new Set(Object.values(measuredAt).map(day))].sort();
const files = Object.entries(merged).sort(([a], [b]) => a.localeCompare(b));
const folders = ['src/core', 'src/adapters/fs'];
const all = files.flatMap(([, f]) => f.mutants);

const out: string[] = [
  '# Mutation testing',
  '',
  `Written by \`scripts/mutation-report.ts\` on ${day(Date.now())} from StrykerJS runs (vitest runner, \`stryker.config.json\`)`,
  `of ${days.length > 1 ? `${days[0]} to ${days.at(-1)}` : days[0]}: ${reports.length === 1 ? 'one run' : `${reports.length} runs (\`npm run mutation\` or \`npm run mutation:part\`), each file from its newest`},`,
  `${cpus().length} cores, concurrency 1. Mutants meet only the tests in \`vitest.mutation.config.ts\`, which call`,
  'the code in process; static mutants (module-level constants, evaluated once at import) are',
  'ignored (they re-run every test and took three quarters of the time). Score = detected (killed',
  'or timed out) / (detected + survived + not covered).',
  '',
  '| Folder / file | Score | Detected | Survived or not covered | Ignored (static) | Errors |',
  '| --- | --- | --- | --- | --- | --- |',
  row('**all**', tally(all)),
  ...folders.map((f) =>
    row(`**${f}**`, tally(files.filter(([p]) => p.startsWith(`${f}/`)).flatMap(([, x]) => x.mutants))),
  ),
  ...files.map(([p, f]) => row(p, tally(f.mutants))),
  '',
  '## Surviving and uncovered mutants',
  '',
];
for (const [path, f] of files) {
  const left = f.mutants.filter((m) => UNDETECTED.has(m.status));
  if (!left.length) continue;
  out.push(`### ${path}`, '');
  for (const m of left.sort((a, b) => a.location.start.line - b.location.start.line))
    out.push(
      `- ${path}:${m.location.start.line} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no test runs it)' : ''}: ${snippet(f.source, m)}`,
    );
  out.push('');
}

const target = join(root, 'bench/MUTATION.md');
const notes =
  existsSync(target) && readFileSync(target, 'utf8').includes(NOTES)
    ? readFileSync(target, 'utf8').slice(readFileSync(target, 'utf8').indexOf(NOTES))
    : `${NOTES}\n\n## Why they survive\n\n(to be written by hand)\n`;
writeFileSync(target, `${out.join('\n')}\n${notes}`);
process.stdout.write(`${target}: ${score(tally(all))} over ${all.length} mutants\n`);
