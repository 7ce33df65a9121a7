/** After each integration test: the GitHub stand-in's traffic must match @octokit/openapi. */
import { afterEach, expect } from 'vitest';
import { uncheckedTrafficProblems } from '../helpers/github-traffic.js';

afterEach(() => {
  expect(uncheckedTrafficProblems(), 'GitHub stand-in traffic that GitHub would not produce').toEqual([]);
});
