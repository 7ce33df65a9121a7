import { describe, expect, it } from 'vitest';
import { deploymentEnvironment, reportDeployment } from '../../../src/agent/report-deployment.js';
import { validateConfig } from '../../../src/core/config.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const config = (agent: Record<string, unknown> = {}) =>
  validateConfig(sampleConfig('/srv', { agent: { target: '/srv/target', ...agent } })).config!;

describe('deployment environment', () => {
  it('is production/<host> unless configured, with {host} filled', () => {
    expect(deploymentEnvironment(config(), 'gpu-01')).toBe('production/gpu-01');
    expect(deploymentEnvironment(config({ deployment: { environment: 'live-{host}' } }), 'gpu-01')).toBe(
      'live-gpu-01',
    );
  });
});

describe('reportDeployment when off', () => {
  const sha = 'a'.repeat(40);
  it('reports nothing without a forge (no token) or when disabled', async () => {
    const base = { sha, host: 'gpu-01', state: 'success', description: 'applied' } as const;
    expect(await reportDeployment({ ...base, config: config() })).toMatchObject({
      deploymentId: null,
      posted: [],
      skipped: expect.stringContaining('no GitHub token'),
    });
    expect(
      await reportDeployment({ ...base, forge: null, config: config({ deployment: { enabled: false } }) }),
    ).toMatchObject({ skipped: 'agent.deployment.enabled is false' });
  });
});
