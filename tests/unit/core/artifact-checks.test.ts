import { describe, expect, it } from 'vitest';
import { artifactsRoot, isInside, metaProblems } from '../../../src/core/artifact-checks.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';
import { sampleMeta } from '../../helpers/fixtures.js';

describe('artifact checks', () => {
  it('finds the artifacts root: the whole directories before the first placeholder', () => {
    expect(artifactsRoot('/data/models/minutes/run={run_id}')).toBe('/data/models/minutes');
    expect(artifactsRoot('/data/models/{run_id}/model')).toBe('/data/models');
    expect(artifactsRoot('/{run_id}')).toBe('/');
    expect(artifactsRoot('models/run={run_id}')).toBe('models');
    expect(artifactsRoot('{run_id}/model')).toBe('.');
    expect(artifactsRoot('run={run_id}')).toBe('.');
  });

  it('knows inside from outside', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/etc/passwd')).toBe(false);
    expect(isInside('/', '/anything')).toBe(true);
    expect(isInside('/a/b', '/a/b/..c')).toBe(true); // a name starting with two dots is inside
  });

  it('accepts meta.json matching the evidence hash whatever the whitespace, and the contract', () => {
    const meta = sampleMeta('m2');
    const evidence = { meta_sha256: canonicalSha256(meta), run_id: 'm2' };
    expect(metaProblems(JSON.stringify(meta, null, 8), evidence, '^2.0.0')).toEqual([]);
    expect(metaProblems(JSON.stringify(meta), evidence, undefined)).toEqual([]);
  });

  it('lists every problem: hash, run, contract', () => {
    const meta = sampleMeta('m3', '3.0.0');
    const problems = metaProblems(
      JSON.stringify(meta),
      { meta_sha256: 'a'.repeat(64), run_id: 'm2' },
      '^2.0.0',
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^meta\.json hashes to [0-9a-f]{12}… but the evidence says aaaaaaaaaaaa…$/);
    expect(problems[1]).toBe('meta.json is for run m3, not m2');
    expect(problems[2]).toBe('meta.json contract 3.0.0 does not satisfy ^2.0.0');
  });

  it('reports unparseable or invalid meta.json, and a missing contract when one is required', () => {
    expect(metaProblems('{', { meta_sha256: 'a'.repeat(64), run_id: 'x' }, undefined)[0]).toMatch(
      /^meta\.json is not valid JSON/,
    );
    expect(
      metaProblems('{"run_id": "x"}', { meta_sha256: 'a'.repeat(64), run_id: 'x' }, undefined)[0],
    ).toMatch(/^meta\.json\.model: /);
    const meta = { run_id: 'x', model: 'm', created_at: 'now' };
    expect(
      metaProblems(JSON.stringify(meta), { meta_sha256: canonicalSha256(meta), run_id: 'x' }, '^1.0.0'),
    ).toEqual(['meta.json has no contract version, and the pointer requires ^1.0.0']);
  });

  it('refuses a meta.json that has no canonical form instead of hashing something else', () => {
    // A lone surrogate is valid JSON text but has no RFC 8785 form.
    const text = '{"run_id": "x", "model": "\\ud800", "created_at": "now"}';
    expect(metaProblems(text, { meta_sha256: 'a'.repeat(64), run_id: 'x' }, undefined)).toEqual([
      expect.stringMatching(/^meta\.json cannot be hashed: it has no canonical JSON form/),
    ]);
  });
});
