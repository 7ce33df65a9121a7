import { describe, expect, it } from 'vitest';
import {
  evidenceVersionOf,
  minVersionError,
  newerEvidenceError,
  versionReport,
} from '../../../src/core/versions.js';
import { validateConfig } from '../../../src/core/config.js';
import { sampleConfig } from '../../helpers/fixtures.js';

describe('minVersion', () => {
  it('names the range and this release when the config needs another', () => {
    const err = minVersionError({ minVersion: '>=99' }, '0.1.0');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe('this config needs git-promote >=99; you have 0.1.0');
    expect(err?.remedy).toContain('>=99');
  });

  it('passes a satisfied range, a prerelease inside it, and configs without one', () => {
    expect(minVersionError({ minVersion: '>=0.1.0 <1' }, '0.1.0')).toBeNull();
    expect(minVersionError({ minVersion: '>=0.1.0' }, '0.2.0-rc.1')).toBeNull();
    expect(minVersionError({}, '0.1.0')).toBeNull();
    expect(minVersionError(null, '0.1.0')).toBeNull();
  });

  it('is checked before the strict key check: a newer config with unknown keys says what it needs', () => {
    const config = { ...sampleConfig('/srv'), minVersion: '>=2.0.0', futureKey: { x: 1 } };
    const result = validateConfig(config, { toolVersion: '0.1.0' });
    expect(result.config).toBeNull();
    expect(result.errors).toEqual(['this config needs git-promote >=2.0.0; you have 0.1.0']);
    expect(result.versionError?.exitCode).toBe(2);
  });

  it('reports an invalid range as a config problem', () => {
    const { errors } = validateConfig(
      { ...sampleConfig('/srv'), minVersion: 'soon' },
      { toolVersion: '0.1.0' },
    );
    expect(errors).toEqual(['minVersion: must be a semver range such as ^2.0.0']);
  });
});

describe('evidence schema versions', () => {
  it('reads the number of a git-promote evidence schema only', () => {
    expect(evidenceVersionOf('git-promote/evidence@1')).toBe(1);
    expect(evidenceVersionOf('git-promote/evidence@12')).toBe(12);
    for (const s of ['git-promote/evidence@', 'git-promote/evidence@01', 'other@3', 3, null])
      expect(evidenceVersionOf(s)).toBeNull();
  });

  it('refuses a newer schema, naming a writer version only when it is semver', () => {
    expect(newerEvidenceError({ schema: 'git-promote/evidence@2' }, 'f.json', '0.1.0')).toBeNull();
    expect(
      newerEvidenceError(
        { schema: 'git-promote/evidence@3', tool: { version: '\u001b[31m' } },
        'f.json',
        '0.1.0',
      )?.message,
    ).toBe('f.json: this evidence needs a newer git-promote (evidence schema 3); you have 0.1.0');
  });

  it('reports what --version --json promises', () => {
    expect(versionReport('0.1.0')).toEqual({
      name: 'git-promote',
      version: '0.1.0',
      config: { version: 2, reads: [1, 2], minVersion: true },
      evidence: { version: 2, reads: ['git-promote/evidence@1', 'git-promote/evidence@2'] },
      prBlock: { version: 2, reads: [1, 2] },
    });
  });
});
