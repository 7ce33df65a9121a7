import { describe, expect, it } from 'vitest';
import { flowRunUrl } from '../../../src/agent/flow-run-url.js';
import type { Config } from '../../../src/core/schemas.js';

const config = (api?: string) =>
  ({ flow: { prefect: { deployment: 'daily/live', ...(api ? { api } : {}) } } }) as unknown as Config;

describe('the Prefect UI page of a flow run', () => {
  it('is next to a self-hosted API, without credentials', () => {
    expect(flowRunUrl(config('http://u:p@127.0.0.1:4200/api'), {}, 'abc')).toBe(
      'http://127.0.0.1:4200/runs/flow-run/abc',
    );
  });

  it('follows PREFECT_API_URL, PREFECT_UI_URL and Prefect Cloud', () => {
    expect(flowRunUrl(config(), { PREFECT_API_URL: 'https://prefect.example.com/api' }, 'x')).toBe(
      'https://prefect.example.com/runs/flow-run/x',
    );
    expect(
      flowRunUrl(config('http://127.0.0.1:4200/api'), { PREFECT_UI_URL: 'https://ui.example.com' }, 'x'),
    ).toBe('https://ui.example.com/runs/flow-run/x');
    expect(flowRunUrl(config('https://api.prefect.cloud/api/accounts/a1/workspaces/w1'), {}, 'x')).toBe(
      'https://app.prefect.cloud/account/a1/workspace/w1/runs/flow-run/x',
    );
  });

  it('is null without Prefect', () => {
    expect(flowRunUrl({ flow: { command: ['run'] } } as unknown as Config, {}, 'x')).toBeNull();
  });
});
