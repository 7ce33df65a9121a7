/** The ruleset init prints, and what doctor finds missing in a branch's active rules. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { promotionRuleset, rulesetGaps, type BranchRule } from '../../../src/core/ruleset.js';
import { typeChecker } from '../../helpers/openapi-types.js';

// Built inside each test (not when the file loads), so a mutation of promotionRuleset shows.
const rules = () => promotionRuleset().rules as BranchRule[];
const rule = (type: string) => rules().find((r) => r.type === type)!;

describe('promotion ruleset', () => {
  it("is a body GitHub's POST /repos/{owner}/{repo}/rulesets accepts", () => {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as {
      paths: Record<
        string,
        Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    const schema =
      spec.paths['/repos/{owner}/{repo}/rulesets']!.post!.requestBody.content['application/json']!.schema;
    const { typeProblems } = typeChecker(spec, { strict: true, required: true });
    expect(typeProblems(promotionRuleset(), schema, 'ruleset')).toEqual([]);
  });

  it('is active on the default branch and closes every gap doctor looks for', () => {
    expect(promotionRuleset()).toMatchObject({
      name: 'git-promote',
      target: 'branch',
      enforcement: 'active',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    });
    expect(rulesetGaps(rules())).toEqual([]);
    expect(rules().map((r) => r.type)).toEqual([
      'pull_request',
      'required_status_checks',
      'non_fast_forward',
      'deletion',
    ]);
  });

  it('lets promotions merge unattended, but code-owned paths only with a fresh code owner approval', () => {
    expect(rule('pull_request').parameters).toEqual({
      required_approving_review_count: 0,
      require_code_owner_review: true,
      dismiss_stale_reviews_on_push: true, // an approval does not survive a later push
      require_last_push_approval: false,
      required_review_thread_resolution: false,
    });
    // Not strict: the default `direct` merge re-checks the branch tip itself (docs/merging.md).
    expect(rule('required_status_checks').parameters).toEqual({
      strict_required_status_checks_policy: false,
      required_status_checks: [{ context: 'git-promote/validate' }],
    });
  });
});

describe('ruleset gaps', () => {
  it('names each missing rule', () => {
    expect(rulesetGaps([])).toEqual([
      'git-promote/validate is not a required status check',
      'no rule requires a code owner review (for .github/ and promote.config.json)',
      'force pushes are not blocked',
    ]);
  });

  it('counts a rule only when it really requires the thing', () => {
    const without = (type: string) => rules().filter((r) => r.type !== type);
    expect(rulesetGaps(without('non_fast_forward'))).toEqual(['force pushes are not blocked']);
    expect(
      rulesetGaps([
        ...without('pull_request'),
        { type: 'pull_request', parameters: { require_code_owner_review: false } },
        { type: 'pull_request' },
        { type: 'required_status_checks', parameters: { require_code_owner_review: true } },
      ]),
    ).toEqual(['no rule requires a code owner review (for .github/ and promote.config.json)']);
    expect(
      rulesetGaps([
        ...without('required_status_checks'),
        { type: 'required_status_checks' },
        { type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'tests' }] } },
        {
          type: 'required_deployments',
          parameters: { required_status_checks: [{ context: 'git-promote/validate' }] },
        },
      ]),
    ).toEqual(['git-promote/validate is not a required status check']);
    expect(
      rulesetGaps([
        ...without('required_status_checks'),
        {
          type: 'required_status_checks',
          parameters: { required_status_checks: [{ context: 'tests' }, { context: 'git-promote/validate' }] },
        },
      ]),
    ).toEqual([]);
  });
});
