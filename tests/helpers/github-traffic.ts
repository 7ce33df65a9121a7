/**
 * Every exchange with the GitHub stand-in, in every test that starts one through this helper,
 * checked against GitHub's OpenAPI description (@octokit/openapi): the operation exists, an
 * accepted request body has the documented types and required fields, the status is documented, and the
 * response has the documented types and required fields. tests/setup/github-traffic.ts runs the
 * check after each test, so a stand-in that drifts from GitHub fails the test that exercised it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  startGitHubStandIn as startUnchecked,
  type GitHubStandIn,
  type GitHubStandInOptions,
  type LoggedRequest,
} from '../../src/sandbox/github/index.js';
import { typeChecker, type Schema } from './openapi-types.js';

interface Operation {
  requestBody?: { content?: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Statuses GitHub really returns that its description leaves out, each with the reason. 401 is
 * documented once for the whole API, not per operation.
 */
export const UNDOCUMENTED: Record<string, string> = {
  'ANY 401': 'Bad credentials: GitHub documents it globally, not per operation',
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number} 404': 'an unknown pull request number',
  'POST /repos/{owner}/{repo}/statuses/{sha} 422':
    'GitHub answers 422 "No commit found for SHA" / invalid state',
  'POST /repos/{owner}/{repo}/check-runs 422': 'a check run without a name or on an unknown head_sha',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 404': 'an unknown deployment id',
};

let loaded: { spec: Spec; checker: ReturnType<typeof typeChecker> } | null = null;
function openapi() {
  if (!loaded) {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    loaded = { spec, checker: typeChecker(spec, { required: true }) };
  }
  return loaded;
}

/** What is wrong with one logged exchange ([] when it matches the description). */
export function exchangeProblems(r: LoggedRequest): string[] {
  // Injected faults are the test's own answers; GraphQL is not part of the REST description.
  if (r.injected || r.route === null || r.route.startsWith('POST /graphql')) return [];
  const { spec, checker } = openapi();
  const op = spec.paths[r.route]?.[r.method.toLowerCase()];
  const key = `${r.method} ${r.route} ${r.status}`;
  if (!op) return [`${r.method} ${r.route}: no such operation`];
  const problems: string[] = [];
  const requestSchema = op.requestBody?.content?.['application/json']?.schema;
  // A body GitHub would refuse must be refused: only accepted requests are held to the schema.
  if (requestSchema && r.method !== 'GET' && r.status < 400)
    problems.push(...checker.typeProblems(r.body, requestSchema, `${r.method} ${r.route} request`));
  const documented = op.responses[String(r.status)];
  if (!documented) {
    if (!(UNDOCUMENTED[key] ?? UNDOCUMENTED[`ANY ${r.status}`]))
      problems.push(`${key}: status not documented`);
    return problems;
  }
  const schema = (checker.resolve(documented) as { content?: Record<string, { schema: Schema }> }).content?.[
    'application/json'
  ]?.schema;
  if (schema) problems.push(...checker.typeProblems(r.response, schema, key));
  return problems;
}

const started = new Set<GitHubStandIn>();
const checked = new WeakSet<LoggedRequest>();

/** The stand-in, registered for the after-each traffic check. */
export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const gh = await startUnchecked(options);
  started.add(gh);
  return gh;
}

/** Problems in the exchanges not checked yet, of every stand-in started so far (deduplicated). */
export function uncheckedTrafficProblems(): string[] {
  const problems = new Set<string>();
  for (const gh of started)
    for (const r of gh.requests) {
      if (checked.has(r)) continue;
      checked.add(r);
      for (const p of exchangeProblems(r)) problems.add(p);
    }
  return [...problems];
}

/** Register a stand-in started elsewhere (a sandbox world's) for the after-each traffic check. */
export function checkTrafficOf(gh: GitHubStandIn): void {
  started.add(gh);
}
