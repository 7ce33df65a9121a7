import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new private temporary directory under the injected environment's TMPDIR (else the OS default). */
export function makeTempDir(env: Record<string, string | undefined>, prefix: string): Promise<string> {
  return mkdtemp(join(env.TMPDIR || tmpdir(), prefix));
}
