/**
 * The agent's artifact check on a real file system, in process: every way a local artifact can be
 * missing, escape the artifacts root through a symlink, or not match its evidence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkArtifact } from '../../src/adapters/fs/artifact.js';
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { sampleMeta } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/git-repo.js';
import { linuxOnly } from '../helpers/platform.js';

let root: string;
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const TEMPLATE = 'models/minutes/run={run_id}';

/** A config root with models/minutes/run=<run>/meta.json; returns the evidence that matches it. */
function world(run = 'm1', meta: unknown = sampleMeta(run)) {
  root = tempDir();
  roots.push(root);
  const dir = join(root, 'models/minutes', `run=${run}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return { run_id: run, meta_sha256: canonicalSha256(meta) };
}

const check = (
  evidence: { run_id: string; meta_sha256: string },
  run = evidence.run_id,
  template = TEMPLATE,
) => checkArtifact(template, root, run, evidence, '^2.0.0');

describe('checkArtifact', () => {
  it('passes an artifact whose meta.json hashes to the evidence and meets the contract', () => {
    const evidence = world();
    expect(check(evidence)).toEqual({ dir: join(root, 'models/minutes/run=m1'), problems: [] });
  });

  it('reports a meta.json that does not hash to the evidence, or breaks the contract', () => {
    const evidence = world();
    expect(check({ ...evidence, meta_sha256: 'f'.repeat(64) }).problems.join('\n')).toMatch(
      /meta\.json hashes to [0-9a-f]{12}… but the evidence says/,
    );
    const old = world('m2', sampleMeta('m2', '1.0.0'));
    expect(check(old).problems.join('\n')).toContain('contract 1.0.0 does not satisfy ^2.0.0');
  });

  it('names what is missing: the root, the run directory, meta.json', () => {
    const evidence = world();
    expect(check(evidence, 'm1', 'nowhere/run={run_id}').problems).toEqual([
      `the artifacts root ${join(root, 'nowhere')} does not exist`,
    ]);
    expect(check(evidence, 'm9').problems).toEqual([
      `the artifact directory ${join(root, 'models/minutes/run=m9')} does not exist`,
    ]);
    mkdirSync(join(root, 'models/minutes/run=m3'));
    expect(check(evidence, 'm3').problems).toEqual([
      `${join(root, 'models/minutes/run=m3/meta.json')} does not exist`,
    ]);
    writeFileSync(join(root, 'models/minutes/run=m4'), 'a file');
    expect(check(evidence, 'm4').problems).toEqual([
      `${join(root, 'models/minutes/run=m4')} is not a directory`,
    ]);
    expect(check(evidence, 'm1', 'models/{pointer}/run={run_id}').problems).toEqual([
      'artifacts template models/{pointer}/run={run_id} has an unknown placeholder',
    ]);
  });

  it('refuses a run directory or meta.json that a symlink takes outside the artifacts root', () => {
    const evidence = world();
    const outside = join(root, 'elsewhere');
    mkdirSync(join(outside, 'run=m5'), { recursive: true });
    writeFileSync(join(outside, 'run=m5/meta.json'), '{}');
    symlinkSync(join(outside, 'run=m5'), join(root, 'models/minutes/run=m5'));
    expect(check(evidence, 'm5').problems).toEqual([
      `the artifact directory ${join(root, 'models/minutes/run=m5')} resolves to ${join(outside, 'run=m5')}, outside the artifacts root ${join(root, 'models/minutes')}`,
    ]);
    mkdirSync(join(root, 'models/minutes/run=m6'));
    symlinkSync(join(outside, 'run=m5/meta.json'), join(root, 'models/minutes/run=m6/meta.json'));
    expect(check(evidence, 'm6').problems).toEqual([
      `${join(root, 'models/minutes/run=m6/meta.json')} resolves outside the artifacts root ${join(root, 'models/minutes')}`,
    ]);
  });

  it('refuses a meta.json over 1 MiB without reading it all, and one it cannot read', () => {
    const evidence = world();
    mkdirSync(join(root, 'models/minutes/run=m7'));
    writeFileSync(join(root, 'models/minutes/run=m7/meta.json'), ' '.repeat(1024 * 1024 + 1));
    expect(check(evidence, 'm7').problems).toEqual([
      `cannot read ${join(root, 'models/minutes/run=m7/meta.json')}: larger than 1048576 bytes`,
    ]);
    mkdirSync(join(root, 'models/minutes/run=m8/meta.json'), { recursive: true });
    expect(check(evidence, 'm8').problems).toEqual([
      `${join(root, 'models/minutes/run=m8/meta.json')} is a directory, not a regular file: refusing to read it`,
    ]);
    // Exactly at the cap is read (and judged on its content).
    writeFileSync(join(root, 'models/minutes/run=m7/meta.json'), ' '.repeat(1024 * 1024 - 2) + '{}');
    expect(check(evidence, 'm7').problems.join('\n')).not.toContain('larger than');
  });

  it('leaves no file open, whether meta.json was read or refused', (ctx) => {
    linuxOnly(ctx, 'open descriptors are counted in /proc/self/fd');
    const evidence = world();
    mkdirSync(join(root, 'models/minutes/run=m8/meta.json'), { recursive: true });
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 50; i++) {
      check(evidence);
      check(evidence, 'm8');
    }
    expect(open() - before).toBeLessThan(10);
  });
});
