/**
 * Servers that answer something other than their API: an HTML page with 200 (a login page or a
 * proxy at GITHUB_API_URL) is a configuration problem (exit 2); an endless body is cut off at the
 * size cap while it streams, not after it was buffered. Real loopback servers; the GitHub cases
 * run the built CLI.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrefectClient } from '../../src/adapters/prefect/client.js';
import { PromoteError } from '../../src/core/errors.js';
import { runCliProcess } from '../helpers/cli.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const HTML = '<!DOCTYPE html><html><body>Sign in to continue</body></html>';

function world(): PipelineWorld {
  const w = createPipelineWorld();
  cleanups.push(() => w.cleanup());
  return w;
}

describe('an answer that is not the API', () => {
  it('GitHub: a 200 with an HTML body is exit 2 naming GITHUB_API_URL', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML);
    });
    const res = await runCliProcess(['merge', '--pr', '1'], {
      cwd: world().root,
      env: { GITHUB_TOKEN: 'ghs_test0123456789abcdefghij', GITHUB_API_URL: url },
      timeoutMs: 20_000,
    });
    expect(res.stderr).toMatch(/^error: GitHub: could not .*answered HTTP 200 with text\/html, not JSON\n/m);
    expect(res.stderr).toContain('hint: Check GITHUB_API_URL');
    expect(res.stderr).not.toContain('This is a bug');
    expect(res.code).toBe(2);
    expect(hits).toBe(1); // not retried
  });

  it('GitHub: an endless body is cut off at the cap while it streams (exit 3)', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"x": "');
      // At most 256 MiB, with back-pressure: the client decides how much gets sent.
      const pump = () => {
        while (sent < 256 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('close', () => undefined);
      pump();
    });
    const started = Date.now();
    const res = await runCliProcess(['merge', '--pr', '1'], {
      cwd: world().root,
      env: { GITHUB_TOKEN: 'ghs_test0123456789abcdefghij', GITHUB_API_URL: url },
      timeoutMs: 30_000,
    });
    expect(res.stderr).toContain('larger than 10485760 bytes');
    expect(res.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000);
    // The 10 MiB cap plus what sits in socket buffers; buffering it whole would take all 256 MiB.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('Prefect: a 200 with an HTML body is exit 2 naming the API setting', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
    });
    const client = createPrefectClient({ api: `${url}/api`, fetch, retry: { attempts: 1 } });
    const err = await client.readDeploymentByName('daily', 'live').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromoteError);
    expect((err as PromoteError).exitCode).toBe(2);
    expect((err as PromoteError).message).toContain('not JSON');
    expect((err as PromoteError).remedy).toContain('PREFECT_API_URL');
  });
});
