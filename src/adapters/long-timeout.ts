/**
 * setTimeout for any delay: Node's timer overflows past 2^31-1 ms (24.8 days) and fires after
 * 1 ms instead, which would kill a smoke run at once or busy-loop the agent. Longer delays are
 * waited out in chunks. Returns the function that cancels it.
 */
import { MAX_TIMER_MS } from '../core/duration.js';

export function setLongTimeout(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const due = Date.now() + Math.max(0, ms);
  const arm = () => {
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(() => !cancelled && fn(), left);
  };
  arm();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
