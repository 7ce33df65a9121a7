/**
 * The evidence formats of earlier releases, kept under tests/fixtures/evidence, are read by this
 * one (every reader: validate's parseEvidence, the agent's and propose's readEvidence); a newer
 * schema is refused by each with the release that wrote it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readEvidence } from '../../../src/core/evidence.js';
import { parseEvidence } from '../../../src/core/validate-checks.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/evidence/${name}`, import.meta.url), 'utf8');

describe('kept evidence formats', () => {
  it('reads smoke evidence of schema 1 as written by 0.1.0, slates included', () => {
    const e = readEvidence(fixture('smoke-evidence@1.json'), 'f', '0.1.0');
    expect(e).toMatchObject({ schema: 'git-promote/evidence@1', pointer: 'minutes', run_id: 'm-fixture' });
    expect(e.meta_sha256).toBe(canonicalSha256(e.meta));
    const parsed = parseEvidence(fixture('smoke-evidence@1.json'), '0.1.0');
    expect('problems' in parsed ? parsed.problems : parsed.evidence?.slates).toEqual({
      asset: 'minutes_scores',
      through: '2026-12-01',
      after: ['2026-07-16'],
    });
  });

  it('reads adopted evidence of schema 2 as written by 0.1.0', () => {
    const e = readEvidence(fixture('adopted-evidence@2.json'), 'f', '0.1.0');
    expect(e).toMatchObject({ kind: 'adopted', pointer: 'rates', run_id: 'r-fixture' });
    const parsed = parseEvidence(fixture('adopted-evidence@2.json'), '0.1.0');
    expect('problems' in parsed ? parsed.problems : parsed.adopted?.adopted.by).toBe(
      'Test Author <author@example.com>',
    );
  });

  it('refuses schema 3 in every reader, naming the release that wrote it (exit 2)', () => {
    const text = fixture('newer-evidence@3.json');
    for (const read of [
      () => readEvidence(text, 'f.json', '0.1.0'),
      () => parseEvidence(text, '0.1.0', 'f.json'),
    ])
      expect(read).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: 'f.json: this evidence needs git-promote 9.0.0 (evidence schema 3); you have 0.1.0',
        }),
      );
  });
});
