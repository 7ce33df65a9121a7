/**
 * The workflow files (the template `init` installs and the project's own CI) are valid GitHub
 * Actions workflows and hold the security properties the promotion gate depends on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_PLACEHOLDER } from '../../src/commands/init.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = ['templates/github/workflows/promotion.yml', '.github/workflows/ci.yml'];

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: unknown; steps?: Step[]; if?: string; needs?: string | string[] };
type Workflow = { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, Job> };

// The template names the Action by a placeholder until `init --action-ref` pins it: check the
// template as init writes it with a sha.
const PINNED = `acme/git-promote@${'0123456789abcdef'.repeat(3).slice(0, 40)}`;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8').replaceAll(ACTION_PLACEHOLDER, PINNED);
const parse = (file: string) => load(read(file)) as Workflow;

// Expressions whose value a pull request author controls (GitHub's list of untrusted inputs).
const UNTRUSTED =
  /\$\{\{[^}]*github\.(event\.(pull_request|issue|comment|review|review_comment|head_commit|commits|pages)\b[^}]*\.(title|body|ref|label|message|name|email|default_branch|page_name)|head_ref)\b/;

describe.each(WORKFLOWS)('%s', (file) => {
  const workflow = parse(file);

  it('is valid against the GitHub Actions workflow schema', () => {
    expect(validateWorkflow(read(file)).errors).toEqual([]);
  });

  it('never runs on pull_request_target or workflow_run', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(Object.keys(workflow.on)).not.toContain('workflow_run');
  });

  it('gives every job explicit permissions, defaulting to none or read', () => {
    expect(workflow.permissions).toBeDefined();
    for (const [name, job] of Object.entries(workflow.jobs))
      expect(job.permissions ?? workflow.permissions, name).toBeDefined();
    expect(['{}', '{"contents":"read"}']).toContain(JSON.stringify(workflow.permissions));
  });

  it('pins every action to a full commit sha', () => {
    for (const job of Object.values(workflow.jobs))
      for (const step of job.steps ?? [])
        if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('keeps PR-controlled text out of run: scripts and credentials out of the checkout', () => {
    for (const job of Object.values(workflow.jobs))
      for (const step of job.steps ?? []) {
        if (step.run) {
          expect(step.run).not.toMatch(UNTRUSTED);
          // No expression at all inside scripts: values come in through env and are quoted.
          expect(step.run).not.toContain('${{');
        }
        if (step.uses?.startsWith('actions/checkout@'))
          expect(step.with?.['persist-credentials']).toBe(false);
      }
  });
});

describe('the promotion workflow template', () => {
  const workflow = parse('templates/github/workflows/promotion.yml');
  const { validate, merge } = workflow.jobs as { validate: Job; merge: Job };

  const action = (job: Job) => job.steps!.find((s) => s.uses === PINNED)!;
  const actionYml = load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
  };

  it('checks out full history in both jobs (validate and merge read the branch history)', () => {
    for (const job of [validate, merge]) {
      const checkout = job.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
      expect(checkout.with?.['fetch-depth']).toBe(0);
    }
  });

  it('names the Action by the placeholder init replaces, in both jobs', () => {
    const raw = readFileSync(join(ROOT, 'templates/github/workflows/promotion.yml'), 'utf8');
    expect(raw.match(new RegExp(`uses: ${ACTION_PLACEHOLDER} # v\\S+$`, 'gm'))).toHaveLength(2);
  });

  it('validates on pull_request with contents: read and statuses: write only', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'merge_group']);
    expect(workflow.permissions).toEqual({});
    expect(validate.permissions).toEqual({ contents: 'read', statuses: 'write' });
    expect(action(validate).with).toEqual({ command: 'validate', token: '${{ github.token }}' });
  });

  it('merges only after validate, only same-repository labelled PRs, with the sha guard', () => {
    expect(merge.needs).toBe('validate');
    expect(merge.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(merge.if).toContain("contains(github.event.pull_request.labels.*.name, 'promotion')");
    expect(merge.if).toContain("contains(github.event.pull_request.labels.*.name, 'rollback')");
    expect(merge.permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      statuses: 'read',
      checks: 'read',
    });
    // The job outlives merge's default wait for required checks (policy.mergeWait, 15m).
    expect((merge as { 'timeout-minutes'?: number })['timeout-minutes']).toBeGreaterThan(15);
    expect(action(merge).with).toEqual({
      command: 'merge',
      token: '${{ github.token }}',
      pr: '${{ github.event.pull_request.number }}',
      sha: '${{ github.event.pull_request.head.sha }}',
    });
  });

  it('passes the Action only inputs action.yml declares', () => {
    for (const job of [validate, merge])
      for (const key of Object.keys(action(job).with ?? {}))
        expect(Object.keys(actionYml.inputs)).toContain(key);
  });

  it('installs nothing from a registry and runs no script at all', () => {
    for (const job of [validate, merge])
      for (const step of job.steps!) {
        expect(step.run).toBeUndefined();
        expect(step.uses).not.toMatch(/^actions\/setup-node@/);
      }
  });

  it('documents the GITHUB_TOKEN limitation and the GitHub App alternative', () => {
    const text = read('templates/github/workflows/promotion.yml');
    expect(text).toMatch(/GITHUB_TOKEN does not start other workflows/);
    expect(text).toContain('actions/create-github-app-token');
  });

  it('would fail the security checks if PR text reached a script', () => {
    expect('echo "${{ github.event.pull_request.title }}"').toMatch(UNTRUSTED);
    expect('echo ${{ github.event.pull_request.head.ref }}').toMatch(UNTRUSTED);
    expect('echo ${{ github.head_ref }}').toMatch(UNTRUSTED);
    expect('echo ${{ github.event.pull_request.number }}').not.toMatch(UNTRUSTED);
    const text = read('templates/github/workflows/promotion.yml');
    expect(
      validateWorkflow(text.replace('statuses: write', 'statuses: admin')).errors.length,
    ).toBeGreaterThan(0);
    expect(
      validateWorkflow(text.replace(/ {4}runs-on: ubuntu-latest\n {4}timeout-minutes: 10\n/, '')).errors
        .length,
    ).toBeGreaterThan(0);
  });
});
