/**
 * The promotion pull request body as a value object. toString() renders the human part (summary,
 * checks, metrics, pointer diff) and ends with one machine-readable block,
 * `<!-- git-promote:pr {json} -->`, that validate, rollback and history read back with parse().
 * The body is editable by anyone who can edit the PR, so parse() validates the block strictly and
 * its content is only ever compared, never executed or interpolated into commands.
 */
import * as z from 'zod/v4';
import { POINTER_NAME, runIdSchema } from './schemas.js';
import { semver } from './semver.js';
import { isGameDate } from './game-date.js';
import { changeText } from './metric-gate.js';
import type { UsageError } from './errors.js';
import { newerSchemaError, PR_BLOCK_VERSION } from './versions.js';

const PR_BLOCK_MARKER = 'git-promote:pr';

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

/**
 * v1: promotion and rollback. v2 (versions.ts) adds kind "adoption" and `tool`, the release that
 * wrote it. Writers use v1 whenever it expresses the PR, so older readers keep reading those.
 */
export const prBlockSchema = z
  .looseObject({
    v: z.union([z.literal(1), z.literal(2)]),
    kind: z.enum(['promotion', 'rollback', 'adoption']),
    base: z.string().min(1),
    branch: z.string().min(1),
    pointers: z.array(blockPointerSchema).min(1),
    tool: z.string().max(64).optional(),
  })
  .refine((b) => b.kind !== 'adoption' || b.v >= 2, 'an adoption block is v2');
export type PrBlock = z.output<typeof prBlockSchema>;

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
  /** The metric gate's limit and verdict, when the pointer's policy has a rule for it. */
  limit?: string;
  ok?: boolean;
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
export function cell(value: string): string {
  return value.replace(/[|\\`<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** The "Pointer diff" section: one diff block, fenced longer than any backtick run in the diffs. */
export function pointerDiffSection(diffs: string[]): string[] {
  // A fence longer than any backtick run in the diffs, so file content cannot close it.
  const longest = Math.max(2, ...diffs.flatMap((d) => (d.match(/`+/g) ?? []).map((m) => m.length)));
  const fence = '`'.repeat(longest + 1);
  return ['### Pointer diff', '', `${fence}diff`, ...diffs.map((d) => d.replace(/\n$/, '')), fence, ''];
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
  return changeText({
    current: m.current,
    change: m.current === null || m.candidate === null ? null : m.candidate - m.current,
  });
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
    const title =
      block.kind === 'rollback' ? 'Rollback' : block.kind === 'adoption' ? 'Adoption' : 'Promotion';
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
      const gated = metrics.some((m) => m.limit !== undefined);
      const failed = metrics.filter((m) => m.ok === false).length;
      lines.push(
        `### Metrics (candidate vs current)${gated ? (failed ? `: gate failed (${failed})` : ': gate passed') : ''}`,
        '',
        `| pointer | metric | current | candidate | change |${gated ? ' limit | result |' : ''}`,
        `|---|---|---|---|---|${gated ? '---|---|' : ''}`,
        ...metrics.map(
          (m) =>
            `| ${cell(m.pointer)} | ${cell(m.name)} | ${formatNumber(m.current)} | ${formatNumber(m.candidate)} | ${change(m)} |` +
            (gated
              ? ` ${m.limit === undefined ? '-' : cell(m.limit)} | ${m.ok === undefined ? '-' : m.ok ? 'pass' : '**FAIL**'} |`
              : ''),
        ),
        '',
      );
    }
    if (diffs.length) lines.push(...pointerDiffSection(diffs));
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
    const data = blockData(body);
    if (data === undefined) return null;
    const result = prBlockSchema.safeParse(data);
    return result.success ? result.data : null;
  }

  /** The error for a body whose block is of a newer version than this release reads, else null. */
  static newer(body: string | null | undefined, what: string, have: string): UsageError | null {
    const data = blockData(body) as { v?: unknown; tool?: unknown } | undefined;
    if (typeof data?.v !== 'number' || !Number.isInteger(data.v) || data.v <= PR_BLOCK_VERSION) return null;
    return newerSchemaError({
      what,
      noun: 'PR block',
      schema: `PR block v${data.v}`,
      writtenBy: typeof data.tool === 'string' ? semver.valid(data.tool.slice(0, 64)) : null,
      have,
    });
  }
}

/** The parsed JSON of the one block of a body; undefined when there is none, several, or bad JSON. */
function blockData(body: string | null | undefined): unknown {
  if (!body) return undefined;
  const re = new RegExp(`<!--\\s*${PR_BLOCK_MARKER}\\s+(\\{.*?\\})\\s*-->`, 'gs');
  const found = [...body.matchAll(re)];
  // Exactly one block: a second (pasted or edited in) makes the body ambiguous.
  if (found.length !== 1) return undefined;
  try {
    return JSON.parse(found[0]![1]!) as unknown;
  } catch {
    return undefined;
  }
}
