/**
 * Syslog priorities of the agent's log events, as the prefix journald reads from a stream
 * (sd-daemon(3): "<3>" error, "<4>" warning, "<5>" notice, "<6>" info), so that
 * `journalctl -p err -u git-promote-agent` shows exactly the passes and follow-ups that failed.
 */
export const PRIORITY = { err: 3, warning: 4, notice: 5, info: 6 } as const;
type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

const BY_EVENT: Record<string, Priority> = {
  // A pass that failed: configuration (the agent stops), refused (someone must fix the branch),
  // retry (transient, retried with backoff: still a pass that did not apply).
  error: PRIORITY.err,
  refused: PRIORITY.err,
  retry: PRIORITY.err,
  'deployment-warning': PRIORITY.warning,
  'metrics-warning': PRIORITY.warning,
  // docs/switching-safely.md: a promotion whose predecessor cannot be restored here; a lock file
  // ignored as stale; a host rolled back locally or a freeze holding a promotion.
  'rollback-readiness-warning': PRIORITY.warning,
  'quiet-warning': PRIORITY.warning,
  held: PRIORITY.notice,
  'quiet-wait': PRIORITY.notice,
  // Worth noticing, nothing failed.
  'config-changed': PRIORITY.notice,
  interrupted: PRIORITY.notice,
  recovered: PRIORITY.notice,
  'discarded-temps': PRIORITY.notice,
};

export function eventPriority(event: string, fields: Record<string, unknown>): Priority {
  // A follow-up that ran to its end but did not confirm the new run (flow failed, verify failed).
  if (event === 'follow-up') return fields.ok === false ? PRIORITY.err : PRIORITY.info;
  return BY_EVENT[event] ?? PRIORITY.info;
}

/** The prefix of one line written to a journal stream. */
export function priorityPrefix(priority: Priority): string {
  return `<${priority}>`;
}
