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

/**
 * Wait `ms` (any length, see setLongTimeout). An abort ends the wait at once and rejects with the
 * signal's reason, like `timers/promises`; callers that only want to wake early catch it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = setLongTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
