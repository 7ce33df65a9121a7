/** Reading an HTTP response body with a size cap enforced while it streams in. */

export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response is larger than ${maxBytes} bytes`);
  }
}

/**
 * The body of `res`, read chunk by chunk; past `maxBytes` the stream is cancelled and
 * ResponseTooLargeError thrown, so a huge or endless body never sits in memory whole.
 */
export async function readBodyCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(maxBytes);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
