/**
 * The runbook's failure signatures, as data, and a pure classifier. Each rule names its retry
 * category (A: retry in place with the same run id, B: retry with a new run id, C: do not retry
 * blindly: fix the cause first) and the next step from the triage flowchart.
 */
import type { Manifest } from './schemas.js';

type RetryCategory = 'A' | 'B' | 'C';

interface TriageRule {
  id: string;
  name: string;
  /** Matched against the failure text of a manifest (failure_reason and failed check details). */
  pattern: RegExp;
  category: RetryCategory;
  nextStep: string;
}

export const TRIAGE_RULES: readonly TriageRule[] = [
  {
    id: 'port-conflict',
    name: 'port conflict',
    pattern: /address already in use/i,
    category: 'C',
    nextStep:
      'Find the duplicate service on that port (e.g. live-api.service vs minutes-dashboard.service: `ss -ltnp`), fix the service config, then restart it.',
  },
  {
    id: 'run-id-mismatch',
    name: 'run id mismatch',
    pattern: /Requested run=\S* missing under/i,
    category: 'B',
    nextStep:
      'Check the upstream manifests for this game_date: every step must carry the same run_id. Trigger a new flow run (new run_id) rather than patching partitions.',
  },
  {
    id: 'stale-roster',
    name: 'stale roster snapshot',
    pattern: /Roster snapshot is \d+(\.\d+)?\s*h\S* old/i,
    category: 'B',
    nextStep:
      'The run used the wrong as-of selection (a backfill without backfill mode?). Re-run with a new run_id and the correct --as-of-mode.',
  },
  {
    id: 'schema-drift',
    name: 'schema drift',
    pattern: /missing required columns/i,
    category: 'C',
    nextStep:
      "Inspect the upstream step's output columns in its manifest; treat it as a contract regression and fix the code or data before retrying.",
  },
  {
    id: 'network',
    name: 'network failure',
    pattern:
      /Temporary failure in name resolution|SSL handshake timed out|Name or service not known|Connection (refused|reset)|timed out while connecting/i,
    category: 'A',
    nextStep:
      'Check the endpoint is reachable, then retry the task in place with backoff; if it persists, mark it as an upstream outage.',
  },
  {
    id: 'permission-denied',
    name: 'permission denied',
    pattern: /permission denied|EACCES|Operation not permitted/i,
    category: 'C',
    nextStep:
      'Inspect ownership and mode of the target directories (`ls -ld`), fix them for the pipeline user, then retry.',
  },
  {
    id: 'missing-input',
    name: 'missing input',
    pattern: /FileNotFound|No such file or directory|ENOENT/i,
    category: 'A',
    nextStep:
      "Check that the upstream step's manifest for this game_date shows success with the same run_id; rerun the upstream step for the same partition, then this one.",
  },
];

const UNKNOWN_RULE: TriageRule = {
  id: 'unknown',
  name: 'unrecognised failure',
  pattern: /$^/,
  category: 'C',
  nextStep: "Read the failing task's logs in the Prefect UI before retrying; no known signature matched.",
};

export interface TriageFinding {
  rule: string;
  name: string;
  category: RetryCategory;
  nextStep: string;
  /** The matching line of the failure text (capped), or the whole text when none matched. */
  evidence: string;
}

/** Everything a failed manifest says about why it failed. */
export function failureText(m: Manifest): string {
  const parts: string[] = [];
  if (m.failure_reason) parts.push(m.failure_reason);
  for (const c of m.checks ?? []) if (c.status === 'fail' && c.detail) parts.push(`${c.name}: ${c.detail}`);
  return parts.join('\n');
}

function cap(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 240 ? `${one.slice(0, 237)}...` : one;
}

/** The first rule (in runbook order) whose pattern matches; UNKNOWN_RULE otherwise. */
export function classifyFailure(text: string, rules: readonly TriageRule[] = TRIAGE_RULES): TriageFinding {
  for (const rule of rules) {
    const line = text.split('\n').find((l) => rule.pattern.test(l));
    if (line !== undefined)
      return {
        rule: rule.id,
        name: rule.name,
        category: rule.category,
        nextStep: rule.nextStep,
        evidence: cap(line),
      };
  }
  const u = UNKNOWN_RULE;
  return {
    rule: u.id,
    name: u.name,
    category: u.category,
    nextStep: u.nextStep,
    evidence: cap(text) || '(no failure_reason)',
  };
}

export const CATEGORY_MEANING: Record<RetryCategory, string> = {
  A: 'retry in place (same run_id)',
  B: 'retry with a new run_id',
  C: 'do not retry blindly: fix the cause first',
};
