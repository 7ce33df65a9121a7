import { describe, expect, it } from 'vitest';
import { backoffDelay, isTransientNetworkError, withRetry } from '../../src/adapters/prefect/retry.js';
import { flowIdempotencyKey } from '../../src/core/flow-state.js';

function netError(code: string | undefined, message = 'fetch failed'): Error {
  const cause = Object.assign(new Error(code ? `${code} 127.0.0.1:4200` : message), code ? { code } : {});
  return new TypeError('fetch failed', { cause });
}

describe('isTransientNetworkError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_SOCKET'])(
    'retries %s',
    (code) => {
      expect(isTransientNetworkError(netError(code))).toBe(true);
    },
  );
  it('retries a TLS handshake timeout and a timeout abort', () => {
    expect(isTransientNetworkError(netError(undefined, 'TLS handshake timeout'))).toBe(true);
    expect(isTransientNetworkError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
  });
  it('does not retry a host that does not exist or a bad certificate', () => {
    expect(isTransientNetworkError(netError('ENOTFOUND'))).toBe(false);
    expect(isTransientNetworkError(netError('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, { baseMs: 100, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
  });

  it('retries retryable errors and gives up after the attempts', async () => {
    const delays: number[] = [];
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('boom');
        },
        () => true,
        { attempts: 4, baseMs: 10, random: () => 0.5, sleep: async (ms) => void delays.push(ms) },
      ),
    ).rejects.toThrow('boom');
    expect(calls).toBe(4);
    expect(delays).toEqual([5, 10, 20]);
  });

  it('does not retry what the predicate rejects', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('4xx');
        },
        () => false,
        { sleep: async () => undefined },
      ),
    ).rejects.toThrow('4xx');
    expect(calls).toBe(1);
  });
});

describe('flowIdempotencyKey', () => {
  it('is <flow>/<deployment>:<commit>:<pointers sorted, comma-joined>', () => {
    expect(flowIdempotencyKey('daily/live', 'abc', ['rates', 'minutes'])).toBe(
      'daily/live:abc:minutes,rates',
    );
  });
});
