/**
 * The promotion pull request body as a value object. toString() renders the human part (summary,
 * checks, metrics, pointer diff) and ends with one machine-readable block,
 * `<!-- git-promote:pr {json} -->`, that validate, rollback and history read back with parse().
 * The body is editable by anyone who can edit the PR, so parse() validates the block strictly and
 * its content is only ever compared, never executed or interpolated into commands.
 */
import * as z from 'zod/v4';
import { POINTER_NAME, runIdSchema } from './schemas.js';
import { isGameDate } from './game-date.js';

export const PR_BLOCK_MARKER = 'git-promote:pr';

const blockPointerSchema = z.object({
  pointer: z.string().regex(POINTER_NAME),
  file: z.string().min(1),
  from: runIdSchema.nullable(),
  to: runIdSchema,
  evidence: z.string().min(1).optional(),
  meta_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  game_date: z.string().refine(isGameDate).optional(),
});

export const prBlockSchema = z.looseObject({
  v: z.literal(1),
  kind: z.enum(['promotion', 'rollback']),
  base: z.string().min(1),
  branch: z.string().min(1),
  pointers: z.array(blockPointerSchema).min(1),
});
export type PrBlock = z.output<typeof prBlockSchema>;
export type PrBlockPointer = z.output<typeof blockPointerSchema>;

export interface PrRow {
  pointer: string;
  from: string | null;
  to: string;
  gameDate: string;
  rows: number | null;
  columns: number | null;
  durationMs: number | null;
}

export interface PrCheck {
  pointer: string;
  name: string;
  ok: boolean;
  detail?: string;
}

export interface PrMetric {
  pointer: string;
  name: string;
  current: number | null;
  candidate: number | null;
}

export interface PrBodyParts {
  block: PrBlock;
  rows: PrRow[];
  checks: PrCheck[];
  metrics: PrMetric[];
  /** Unified diffs of the pointer files. */
  diffs: string[];
  /** Free text shown first (e.g. a rollback reason); rendered as a quote. */
  note?: string;
}

/** Table cells must not break the table or inject markup. */
function cell(value: string): string {
  return value.replace(/[|\\`<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function formatNumber(n: number | null): string {
  if (n === null) return '-';
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, '');
}

function change(m: PrMetric): string {
  if (m.current === null || m.candidate === null) return '-';
  const d = m.candidate - m.current;
  const sign = d > 0 ? '+' : '';
  const pct = m.current !== 0 ? ` (${sign}${((d / Math.abs(m.current)) * 100).toFixed(1)}%)` : '';
  return `${sign}${formatNumber(d)}${pct}`;
}

/** The block as an HTML comment: `<` and `>` escaped so no value can end the comment. */
export function renderBlock(block: PrBlock): string {
  const json = JSON.stringify(block).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<!-- ${PR_BLOCK_MARKER} ${json} -->`;
}

export class PrBody {
  constructor(readonly parts: PrBodyParts) {}

  get block(): PrBlock {
    return this.parts.block;
  }

  toString(): string {
    const { block, rows, checks, metrics, diffs, note } = this.parts;
    const title = block.kind === 'rollback' ? 'Rollback' : 'Promotion';
    const lines: string[] = [`## ${title}`, ''];
    if (note) lines.push(...note.split('\n').map((l) => `> ${l}`), '');
    lines.push(
      '| pointer | from run | to run | game date | rows | columns | duration |',
      '|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${cell(r.pointer)} | ${cell(r.from ?? '(none)')} | ${cell(r.to)} | ${r.gameDate} | ${r.rows ?? '-'} | ${r.columns ?? '-'} | ${formatMs(r.durationMs)} |`,
      ),
      '',
    );
    if (checks.length) {
      const failed = checks.filter((c) => !c.ok).length;
      lines.push(`### Checks (${failed === 0 ? 'all passed' : `${failed} failed`})`, '');
      for (const c of checks)
        lines.push(
          `- ${c.ok ? 'pass' : '**FAIL**'} \`${c.pointer}\` ${cell(c.name)}${c.detail ? `: ${cell(c.detail)}` : ''}`,
        );
      lines.push('');
    }
    if (metrics.length) {
      lines.push(
        '### Metrics (candidate vs current)',
        '',
        '| pointer | metric | current | candidate | change |',
        '|---|---|---|---|---|',
        ...metrics.map(
          (m) =>
            `| ${cell(m.pointer)} | ${cell(m.name)} | ${formatNumber(m.current)} | ${formatNumber(m.candidate)} | ${change(m)} |`,
        ),
        '',
      );
    }
    if (diffs.length) {
      // A fence longer than any backtick run in the diffs, so file content cannot close it.
      const longest = Math.max(2, ...diffs.flatMap((d) => (d.match(/`+/g) ?? []).map((m) => m.length)));
      const fence = '`'.repeat(longest + 1);
      lines.push(
        '### Pointer diff',
        '',
        `${fence}diff`,
        ...diffs.map((d) => d.replace(/\n$/, '')),
        fence,
        '',
      );
    }
    lines.push(
      `Evidence: ${
        block.pointers
          .map((p) => (p.evidence ? `\`${p.evidence}\`` : null))
          .filter(Boolean)
          .join(', ') || '-'
      }`,
      '',
      renderBlock(block),
      '',
    );
    return lines.join('\n');
  }

  /** The machine-readable block of a PR body, or null when there is none or it is not valid. */
  static parse(body: string | null | undefined): PrBlock | null {
    if (!body) return null;
    const re = new RegExp(`<!--\\s*${PR_BLOCK_MARKER}\\s+(\\{.*?\\})\\s*-->`, 'gs');
    const found = [...body.matchAll(re)];
    // Exactly one block: a second (pasted or edited in) makes the body ambiguous.
    if (found.length !== 1) return null;
    try {
      const result = prBlockSchema.safeParse(JSON.parse(found[0]![1]!));
      return result.success ? result.data : null;
    } catch {
      return null;
    }
  }
}
