import { describe, expect, it } from 'vitest';
import { evidenceSchema, manifestSchema, metaSchema } from '../../../src/core/schemas.js';
import { parseWith } from '../../../src/core/json-file.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';
import { PromoteError } from '../../../src/core/errors.js';
import { sampleMeta } from '../../helpers/fixtures.js';

const manifest = {
  asset: 'minutes_scores',
  game_date: '2026-11-25',
  run_id: 'r1',
  run_as_of_ts: '2026-11-25T15:00:00Z',
  status: 'success',
  outputs: [{ name: 'scores', rows: 240, columns: ['player_id', 'game_id', 'minutes_p50'] }],
  extra_field: { kept: true },
};

function failure(fn: () => unknown): PromoteError {
  try {
    fn();
  } catch (err) {
    return err as PromoteError;
  }
  throw new Error('expected a failure');
}

describe('data formats', () => {
  it('parses a manifest and keeps unknown keys', () => {
    const parsed = parseWith(manifestSchema, JSON.stringify(manifest), 'manifest.json');
    expect(parsed.extra_field).toEqual({ kept: true });
  });

  it.each([
    ['{"asset": "x",', 'manifest.json is not valid JSON'],
    [JSON.stringify({ ...manifest, status: 'done' }), 'manifest.json is not valid: status'],
    [JSON.stringify({ ...manifest, game_date: '2026-13-01' }), 'game_date: must be a date'],
    [JSON.stringify({ ...manifest, run_id: '../x' }), 'run_id: invalid run id'],
  ])('refuses a bad manifest %#', (text, message) => {
    const e = failure(() => parseWith(manifestSchema, text, 'manifest.json'));
    expect(e).toBeInstanceOf(PromoteError);
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain(message);
  });

  it('refuses a meta.json with a bad contract or malformed JSON', () => {
    expect(failure(() => parseWith(metaSchema, '{', 'meta.json')).message).toContain(
      'meta.json is not valid JSON',
    );
    const bad = JSON.stringify({ ...sampleMeta('r1'), contract: 'two' });
    expect(failure(() => parseWith(metaSchema, bad, 'meta.json')).message).toContain(
      'contract: must be a semver version',
    );
  });

  it('validates evidence and hashes meta canonically', () => {
    const meta = sampleMeta('r1');
    const evidence = {
      schema: 'git-promote/evidence@1',
      pointer: 'minutes',
      run_id: 'r1',
      game_date: '2026-11-25',
      smoke: {
        command: ['score'],
        exit_code: 0,
        started_at: 'a',
        finished_at: 'b',
        duration_ms: 5,
        published: false,
      },
      manifest,
      meta,
      meta_sha256: canonicalSha256(meta),
      checks: [{ name: 'columns', ok: true }],
      tool: { name: 'git-promote', version: '0.1.0' },
    };
    expect(evidenceSchema.safeParse(evidence).success).toBe(true);
    expect(
      evidenceSchema.safeParse({ ...evidence, smoke: { ...evidence.smoke, published: true } }).success,
    ).toBe(false);
    // Key order and whitespace do not change the hash.
    const { metrics, ...rest } = meta;
    const reordered = JSON.parse(JSON.stringify({ metrics, ...rest }, null, 4));
    expect(canonicalSha256(reordered)).toBe(evidence.meta_sha256);
    expect(canonicalSha256({ ...meta, model: 'other' })).not.toBe(evidence.meta_sha256);
  });
});
