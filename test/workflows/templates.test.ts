/**
 * The templates an application copies: GitHub's starter-workflow layout, and the branch →
 * environment mapping readable from the files alone (develop → staging, main → production,
 * pull requests → checks only).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { gantryWorkflowFile, loadWorkflow, readRepoFile, REPO_ROOT, TEMPLATE_DIR, TEMPLATES } from './support/repo-files';
import { isMapping, parseWorkflowText, type Workflow } from './support/workflow-model';

const PROPERTIES_SCHEMA = {
  type: 'object',
  required: ['name', 'description', 'iconName', 'categories', 'filePatterns'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 20 },
    creator: { type: 'string' },
    iconName: { type: 'string', minLength: 1 },
    categories: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    filePatterns: { type: 'array', items: { type: 'string', minLength: 1 } },
    labels: { type: 'array', items: { type: 'string' } },
  },
};

describe('starter-workflow layout', () => {
  const validate = new Ajv({ allErrors: true }).compile(PROPERTIES_SCHEMA);

  it.each(TEMPLATES)('%s has a valid .properties.json next to it', (template) => {
    const propertiesFile = `${TEMPLATE_DIR}/${template.replace(/\.yml$/, '.properties.json')}`;
    const properties: unknown = JSON.parse(readRepoFile(propertiesFile));
    expect(validate(properties), JSON.stringify(validate.errors)).toBe(true);
    if (!isMapping(properties)) throw new Error(`${propertiesFile} is not an object`);
    // iconName is an Octicon (`octicon <name>`) or an SVG in workflow-templates/ named without its extension.
    const icon = String(properties.iconName);
    expect(/^octicon [a-z0-9-]+$/.test(icon) || existsSync(path.join(REPO_ROOT, TEMPLATE_DIR, `${icon}.svg`)), `iconName ${icon}`).toBe(
      true,
    );
    for (const pattern of properties.filePatterns as string[]) expect(() => new RegExp(pattern)).not.toThrow();
  });
});

/** `trigger → reusable workflow: environment` lines, read from a template alone. */
function environmentMapping(wf: Workflow): string[] {
  const triggers: string[] = [];
  for (const [event, config] of Object.entries(wf.on)) {
    const branches = isMapping(config) && Array.isArray(config.branches) ? `:${config.branches.join(',')}` : '';
    triggers.push(`${event}${branches}`);
  }
  return wf.jobs.flatMap((job) => {
    const called = job.uses ? gantryWorkflowFile(job.uses) : undefined;
    const environment = typeof job.with.environment === 'string' ? job.with.environment : '-';
    return triggers.map((trigger) => `${trigger} → ${called ?? job.uses ?? 'steps'}: ${environment}`);
  });
}

const template = (name: string): Workflow => loadWorkflow(`${TEMPLATE_DIR}/${name}`);

describe('branch → environment mapping', () => {
  it('pull requests → checks only, nothing deployed', () => {
    expect(environmentMapping(template('pull-request.yml'))).toEqual(['pull_request:develop,main → pr-checks.yml: -']);
  });

  it('develop → staging', () => {
    expect(environmentMapping(template('deploy-staging.yml'))).toEqual(['push:develop → deploy.yml: staging']);
  });

  it('main (or a manual run with a SHA or version) → production, only after staging', () => {
    const production = template('deploy-production.yml');
    expect(environmentMapping(production)).toEqual(['push:main → deploy.yml: production', 'workflow_dispatch → deploy.yml: production']);
    const deploy = production.jobs[0];
    expect(deploy?.with['promote-from']).toBe('staging');
    expect(Object.keys(production.dispatchInputs)).toEqual(expect.arrayContaining(['ref', 'allow-unpromoted', 'override-reason']));
  });

  it('the promotion gate: staging is first (no promote-from), production promotes from staging', () => {
    expect(template('deploy-staging.yml').jobs[0]?.with).not.toHaveProperty('promote-from');
    // Every template deploying an environment other than staging names the environment it promotes from.
    for (const name of TEMPLATES) {
      for (const job of template(name).jobs.filter((candidate) => gantryWorkflowFile(candidate.uses ?? '') === 'deploy.yml')) {
        if (job.with.environment !== 'staging')
          expect(job.with['promote-from'], `${name} ${job.id}`).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
      }
    }
  });

  it('rollback: one click with an environment choice, a target (default previous) and a required reason', () => {
    const rollback = template('rollback.yml');
    expect(Object.keys(rollback.on)).toEqual(['workflow_dispatch']);
    const { environment, target, reason } = rollback.dispatchInputs;
    expect(environment).toMatchObject({ type: 'choice', options: ['staging', 'production'] });
    expect(target?.type).toBe('string');
    expect(reason).toMatchObject({ type: 'string', required: true });
    expect(
      (rollback.raw.on as { workflow_dispatch: { inputs: { target: { default: string } } } }).workflow_dispatch.inputs.target.default,
    ).toBe('previous');
    // One job per choice, each with its environment spelled out and run only for that choice.
    for (const choice of environment?.options ?? []) {
      const jobs = rollback.jobs.filter((job) => job.with.environment === choice);
      expect(jobs, choice).toHaveLength(1);
      expect(String(jobs[0]?.raw.if)).toContain(`inputs.environment == '${choice}'`);
      expect(gantryWorkflowFile(jobs[0]?.uses ?? '')).toBe('rollback.yml');
    }
  });

  it('drift: on a schedule, nothing deployed', () => {
    const drift = template('drift.yml');
    expect(Object.keys(drift.on)).toEqual(expect.arrayContaining(['schedule']));
    expect(drift.jobs.map((job) => gantryWorkflowFile(job.uses ?? ''))).toEqual(['drift.yml', 'drift.yml']);
  });

  it('only the production template deploys production, and nothing deploys from a pull request', () => {
    for (const name of TEMPLATES) {
      for (const line of environmentMapping(template(name))) {
        if (/deploy\.yml: production/.test(line)) expect(name).toBe('deploy-production.yml');
        if (line.startsWith('pull_request')) expect(line).not.toMatch(/deploy\.yml|rollback\.yml/);
      }
    }
  });

  it('a template mapping develop to production would be caught', () => {
    const text = readRepoFile(`${TEMPLATE_DIR}/deploy-staging.yml`).replace('environment: staging', 'environment: production');
    expect(environmentMapping(parseWorkflowText('workflow-templates/deploy-staging.yml', text))).not.toEqual([
      'push:develop → deploy.yml: staging',
    ]);
  });
});
