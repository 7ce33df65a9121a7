/**
 * The I/O half of the agent's artifact check: resolve the artifact directory with every symlink
 * followed, make sure it stays inside the artifacts root, and read its meta.json.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { notRegularFile } from '../read-text.js';
import { join, resolve } from 'node:path';
import { artifactsRoot, isInside, metaProblems } from '../../core/artifact-checks.js';
import { isPromoteError } from '../../core/errors.js';
import type { Evidence } from '../../core/schemas.js';
import { fillTemplate } from '../../core/template.js';

const META_MAX_BYTES = 1024 * 1024;

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function readCapped(path: string): string {
  // Non-blocking and checked first: a FIFO as meta.json must not block the agent in open().
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    if (!fstatSync(fd).isFile()) throw notRegularFile(path, fstatSync(fd));
    const buf = Buffer.alloc(META_MAX_BYTES + 1);
    let len = 0;
    for (let n; len < buf.length && (n = readSync(fd, buf, len, buf.length - len, null)) > 0;) len += n;
    if (len > META_MAX_BYTES) throw new Error(`larger than ${META_MAX_BYTES} bytes`);
    return buf.subarray(0, len).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface ArtifactCheck {
  dir: string;
  problems: string[];
}

/** Problems with the local artifact of `run` (run already validated as a run id). */
export function checkArtifact(
  template: string,
  configRoot: string,
  run: string,
  evidence: Pick<Evidence, 'meta_sha256' | 'run_id'>,
  contract: string | undefined,
): ArtifactCheck {
  const full = resolve(configRoot, template);
  const dir = fillTemplate(full, { run_id: run });
  if (/\{[a-z_]+\}/.test(dir))
    return { dir, problems: [`artifacts template ${template} has an unknown placeholder`] };
  const root = artifactsRoot(full);
  const realRoot = realpathOrNull(root);
  if (!realRoot) return { dir, problems: [`the artifacts root ${root} does not exist`] };
  const realDir = realpathOrNull(dir);
  if (!realDir) return { dir, problems: [`the artifact directory ${dir} does not exist`] };
  if (!isInside(realRoot, realDir)) {
    return {
      dir,
      problems: [
        `the artifact directory ${dir} resolves to ${realDir}, outside the artifacts root ${realRoot}`,
      ],
    };
  }
  if (!statSync(realDir).isDirectory()) return { dir, problems: [`${dir} is not a directory`] };
  const metaPath = join(realDir, 'meta.json');
  const realMeta = realpathOrNull(metaPath);
  if (!realMeta) return { dir, problems: [`${join(dir, 'meta.json')} does not exist`] };
  if (!isInside(realRoot, realMeta)) {
    return { dir, problems: [`${join(dir, 'meta.json')} resolves outside the artifacts root ${realRoot}`] };
  }
  let text: string;
  try {
    text = readCapped(realMeta);
  } catch (err) {
    if (isPromoteError(err)) return { dir, problems: [err.message] };
    const code = (err as NodeJS.ErrnoException).code;
    return { dir, problems: [`cannot read ${join(dir, 'meta.json')}: ${code ?? (err as Error).message}`] };
  }
  return { dir, problems: metaProblems(text, evidence, contract) };
}
