/**
 * What an applied change's follow-up says about it, for automatic rollback: verified, failed
 * (conclusively: the flow run failed or crashed, or a manifest shows a failed step or another run),
 * or inconclusive (no slate that day, manifests not written yet, a run cancelled by a person). Only a
 * conclusive failure of a promotion opens a rollback; an inconclusive one never does.
 */

import { inert } from './rollback-pr.js';

/** The flow follow-up's outcome as the agent records it (src/agent/follow-up.ts). */
export interface FlowFollowUp {
  ok?: unknown;
  flow?: unknown;
  state?: unknown;
  pointers?: unknown;
  verified?: unknown;
  detail?: unknown;
}

export type ChangeVerdict =
  | { kind: 'verified'; detail: string }
  | { kind: 'failed'; detail: string; pointers: string[] }
  | { kind: 'inconclusive'; detail: string };

/** Flow run end states that say the run itself failed (Prefect's FAILED and CRASHED). */
const FAILED_STATES = new Set(['FAILED', 'CRASHED']);
/** Verification reasons that show the new run was not used (the rest cannot tell). */
const FAILED_REASONS = new Set(['failed', 'wrong-run']);

interface Verified {
  pointer: string;
  ok: boolean;
  reason: string | null;
  detail: string;
}

function verifiedList(value: unknown): Verified[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    if (!v || typeof v !== 'object') return [];
    const o = v as Record<string, unknown>;
    if (typeof o.pointer !== 'string') return [];
    return [
      {
        pointer: o.pointer,
        ok: o.ok === true,
        reason: typeof o.reason === 'string' ? o.reason : null,
        detail: typeof o.detail === 'string' ? o.detail : '',
      },
    ];
  });
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The verdict on an applied change from its flow follow-up; null when no flow was followed. */
export function changeVerdict(flow: FlowFollowUp | undefined): ChangeVerdict | null {
  if (!flow || flow.flow === 'not configured') return null;
  const detail = typeof flow.detail === 'string' ? flow.detail : '';
  // A day without a slate succeeds, but proves nothing about the model.
  if (flow.ok === true)
    return verifiedList(flow.verified).some((v) => v.reason === 'no-slate')
      ? { kind: 'inconclusive', detail }
      : { kind: 'verified', detail };
  const state = typeof flow.state === 'string' ? flow.state : null;
  if (state && FAILED_STATES.has(state))
    return { kind: 'failed', detail, pointers: stringList(flow.pointers) };
  if (state !== 'COMPLETED')
    return { kind: 'inconclusive', detail: detail || `flow run ended ${state ?? 'in an unknown state'}` };
  const verified = verifiedList(flow.verified);
  const wrong = verified.filter((v) => !v.ok && v.reason !== null && FAILED_REASONS.has(v.reason));
  if (wrong.length)
    return {
      kind: 'failed',
      detail: wrong.map((v) => `${v.pointer}: ${v.detail}`).join('; '),
      pointers: wrong.map((v) => v.pointer),
    };
  const unsure = verified.filter((v) => !v.ok);
  return {
    kind: 'inconclusive',
    detail: unsure.map((v) => `${v.pointer}: ${v.detail}`).join('; ') || detail || 'not verified',
  };
}

/** What the agent says on the promotion's PR once the change it applied is judged. */
export function autoRollbackComment(input: {
  verdict: ChangeVerdict;
  applied: { id: string; commit: string; changed: { pointer: string; from: string | null; to: string }[] };
  rollbacks: Record<string, { pr: number; url: string } | { skipped: string }>;
  policy: 'propose' | 'off';
}): string {
  const { applied } = input;
  // The detail quotes Prefect's and the manifests' messages: inert, and not a page long.
  const detail = inert(input.verdict.detail).slice(0, 500);
  const verdict = { ...input.verdict, detail };
  const change = applied.changed.map((c) => `\`${c.pointer}\` ${c.from ?? '(none)'} → ${c.to}`).join(', ');
  const lines = [`<!-- git-promote:outcome ${applied.id} -->`];
  if (verdict.kind === 'verified')
    lines.push(
      `**Verified** on the host: ${change} (commit \`${applied.commit.slice(0, 12)}\`). ${verdict.detail}`,
    );
  else if (verdict.kind === 'inconclusive')
    lines.push(
      `**Not verified** yet: ${change}. ${verdict.detail}`,
      '',
      'This is not a failure (no slate that day, or nothing to judge yet): no rollback was opened.',
    );
  else {
    lines.push(`**Failed** on the host: ${change}. ${verdict.detail}`, '');
    const opened = Object.entries(input.rollbacks);
    if (input.policy === 'off')
      lines.push(
        '`policy.autoRollback` is "off": roll back with `git promote rollback <pointer>` if needed.',
      );
    else
      for (const [pointer, r] of opened)
        lines.push(
          'pr' in r
            ? `- rollback of \`${pointer}\`: #${r.pr}`
            : `- \`${pointer}\`: no rollback opened: ${r.skipped}`,
        );
  }
  return lines.join('\n');
}
