import { describe, expect, it } from 'vitest';
import { errorDetail } from '../../../src/adapters/prefect/http.js';
import { apiUrlHint, isPrefectCloud } from '../../../src/adapters/prefect/api-url.js';

describe('errorDetail (Prefect error bodies)', () => {
  it("names the fields of a 422 instead of Prefect's generic message", () => {
    const body = {
      exception_message: 'Invalid request received.',
      exception_detail: [
        {
          type: 'dict_type',
          loc: ['body', 'parameters'],
          msg: 'Input should be a valid dictionary',
          input: 'x',
        },
        {
          type: 'extra_forbidden',
          loc: ['body', 'flow_runs', 'expected_start_time', 'after'],
          msg: 'Extra inputs are not permitted',
        },
      ],
      request_body: { parameters: 'x' },
    };
    expect(errorDetail(body)).toBe(
      'parameters: Input should be a valid dictionary; flow_runs.expected_start_time.after: Extra inputs are not permitted',
    );
  });

  it('keeps the detail string of an HTTPException (409, 400, 404) and counts what it leaves out', () => {
    expect(errorDetail({ detail: "Error creating flow run: Validation failed for field 'x'." })).toBe(
      "Error creating flow run: Validation failed for field 'x'.",
    );
    const many = Array.from({ length: 5 }, (_, i) => ({ loc: ['body', `f${i}`], msg: 'bad' }));
    expect(errorDetail({ detail: many })).toBe('f0: bad; f1: bad; f2: bad; and 2 more');
    expect(errorDetail({ exception_message: 'Unauthorized' })).toBe('Unauthorized');
  });
});

describe('apiUrlHint', () => {
  it('suggests the /api URL for a self-hosted server and the workspace URL for Prefect Cloud', () => {
    expect(apiUrlHint('http://127.0.0.1:4200')).toContain('to http://127.0.0.1:4200/api:');
    expect(apiUrlHint('https://app.prefect.cloud/account/a/workspace/w')).toContain(
      'https://api.prefect.cloud/api/accounts/<account-id>/workspaces/<workspace-id>',
    );
    expect(isPrefectCloud('http://127.0.0.1:9/api/accounts/a/workspaces/w')).toBe(true);
    expect(isPrefectCloud('http://127.0.0.1:4200/api')).toBe(false);
  });
});
