import { describe, expect, it } from 'vitest';
import { classifyMergeBlock } from '../../../src/adapters/github/merge-block.js';

// GitHub's messages as sent (sources in src/adapters/github/merge-block.ts).
const cases: [number, string, string][] = [
  [409, 'Head branch was modified. Review and try the merge again.', 'head-moved'],
  [405, 'Base branch was modified. Review and try the merge again.', 'base-modified'],
  [405, 'Required status check "tests" is expected.', 'checks'],
  [405, 'Required status check "tests" is in progress.', 'checks'],
  [405, 'Repository rule violations found\n\nRequired status check "tests" is expected.\n\n', 'checks'],
  [405, 'At least 1 approving review is required by reviewers with write access.', 'review'],
  [
    405,
    'Repository rule violations found\n\nAt least 1 approving review is required by reviewers with write access.\nRequired status check "tests" is expected.\n',
    'review',
  ],
  [405, 'Waiting on code owner review from acme/ml.', 'review'],
  [405, 'Merge commits are not allowed on this repository.', 'method'],
  [405, 'Squash merges are not allowed on this repository.', 'method'],
  [405, 'Rebase merges are not allowed on this repository.', 'method'],
  [405, 'Pull Request is still a draft', 'draft'],
  [405, 'Pull Request is not mergeable', 'not-mergeable'],
];

describe('classifyMergeBlock', () => {
  it.each(cases)('%i %j is %s', (status, message, block) => {
    expect(classifyMergeBlock(status, message)).toBe(block);
  });
});
