/**
 * deploy.yml's migration: the steps' own `if:` and `with:` read from the YAML and evaluated with
 * GitHub's expression engine. With `migration` set, run-task `check-only` first checks the migration's
 * inputs against what the new revision is made from (nothing registered before it passed), deploy-ecs
 * registers the revision without touching the service (register-only), run-task runs the command from exactly that revision, and
 * the deploy step deploys exactly that revision (task-definition-arn, no image) — and only when the
 * migration succeeded, with nothing for the automatic rollback to undo when it did not. Without
 * `migration` the deploy step is what it always was.
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from './support/repo-files';
import { deployRollbackRuns, evaluateCondition, workflowStep, type StepContext } from './support/step-condition';

const WORKFLOW = '.github/workflows/deploy.yml';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:' + 'a'.repeat(64);
const REGISTERED = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';

/** The value of a `with:` entry (`${{ … }}` or plain text) in a context. */
function value(text: unknown, context: StepContext): string {
  const raw = String(text ?? '');
  const inner = /^\$\{\{([\s\S]*)\}\}$/.exec(raw.trim())?.[1];
  if (inner === undefined) return raw;
  const parsed = new Parser(new Lexer(inner.trim()).lex().tokens, ['steps', 'inputs', 'needs', 'github'], []).parse();
  const values = JSON.parse(JSON.stringify({ steps: {}, inputs: {}, needs: {}, github: {}, ...context }), data.reviver) as data.Dictionary;
  return String(new Evaluator(parsed, values, new Map()).evaluate().coerceString());
}

const withMigration: StepContext = {
  inputs: {
    migration: 'npm run migrate',
    'migration-container': 'app',
    'container-name': 'app',
    'task-definition': 'ecs/web.json',
    'migration-timeout-seconds': 600,
    images: '',
    'environment-variables': 'LOG_LEVEL=debug',
    'dry-run': false,
  },
  steps: {
    image: { outputs: { image: IMAGE } },
    'migration-check': { outputs: { status: 'checked', container: 'app', command: '["npm","run","migrate"]' }, outcome: 'success' },
    register: { outputs: { 'task-definition-arn': REGISTERED, status: 'registered' }, outcome: 'success' },
  },
};
const withoutMigration: StepContext = {
  inputs: {
    migration: '',
    'container-name': 'app',
    'task-definition': 'ecs/web.json',
    images: '',
    'environment-variables': 'LOG_LEVEL=debug',
    'dry-run': false,
  },
  steps: { image: { outputs: { image: IMAGE } } },
};

describe("deploy.yml's migration", () => {
  it('runs migration-check → register → migration → deploy, in that order, in the deploy job', () => {
    const ids =
      loadWorkflow(WORKFLOW)
        .jobs.find((j) => j.id === 'deploy')
        ?.steps.map((s) => s.id) ?? [];
    expect(ids.indexOf('migration-check')).toBeGreaterThan(ids.indexOf('apply'));
    expect(ids.indexOf('register')).toBe(ids.indexOf('migration-check') + 1);
    expect(ids.indexOf('migration')).toBe(ids.indexOf('register') + 1);
    expect(ids.indexOf('deploy')).toBe(ids.indexOf('migration') + 1);
  });

  it('with migration: registers only, runs the command from that revision, then deploys exactly it', () => {
    const register = workflowStep(WORKFLOW, 'deploy', 'register');
    const migration = workflowStep(WORKFLOW, 'deploy', 'migration');
    const deploy = workflowStep(WORKFLOW, 'deploy', 'deploy');
    expect(evaluateCondition(register.if, withMigration, 'success')).toBe(true);
    expect(value(register.with['register-only'], withMigration)).toBe('true');
    expect(value(register.with.image, withMigration)).toBe(IMAGE);
    expect(evaluateCondition(migration.if, withMigration, 'success')).toBe(true);
    expect(value(migration.with['task-definition-arn'], withMigration)).toBe(REGISTERED);
    expect(value(migration.with.command, withMigration)).toBe('npm run migrate');
    expect(value(migration.with.container, withMigration)).toBe('app');
    expect(value(deploy.with['task-definition-arn'], withMigration)).toBe(REGISTERED);
    // A promotion takes no image, container-name or task-definition file (deploy-ecs refuses them).
    expect(value(register.with['environment-variables'], withMigration)).toBe('LOG_LEVEL=debug');
    for (const input of ['image', 'container-name', 'task-definition', 'environment-variables'])
      expect(value(deploy.with[input], withMigration)).toBe('');
    expect(
      String(deploy.with.images)
        .split('\n')
        .map((line) => value(line.trim(), withMigration))
        .join(''),
    ).toBe('');
  });

  it('the check: run-task check-only with the migration inputs and the file the revision is registered from', () => {
    const check = workflowStep(WORKFLOW, 'deploy', 'migration-check');
    const register = workflowStep(WORKFLOW, 'deploy', 'register');
    expect(evaluateCondition(check.if, withMigration, 'success')).toBe(true);
    expect(value(check.with['check-only'], withMigration)).toBe('true');
    expect(value(check.with.command, withMigration)).toBe('npm run migrate');
    expect(value(check.with.container, withMigration)).toBe('app');
    expect(value(check.with['timeout-seconds'], withMigration)).toBe('600');
    // The same file (and service) deploy-ecs register-only renders the revision from.
    expect(value(check.with['task-definition'], withMigration)).toBe(value(register.with['task-definition'], withMigration));
    expect(value(check.with.service, withMigration)).toBe(value(register.with.service, withMigration));
    // A migration of only white space is not '' for the workflow: the check runs, and refuses it.
    expect(evaluateCondition(check.if, { ...withMigration, inputs: { ...withMigration.inputs, migration: '  \n ' } }, 'success')).toBe(
      true,
    );
  });

  it('a refused check: neither register nor migration runs (whatever else the context says), so nothing is registered', () => {
    for (const step of ['register', 'migration']) {
      const { if: condition } = workflowStep(WORKFLOW, 'deploy', step);
      const refused = { ...withMigration, steps: { ...withMigration.steps, 'migration-check': { outcome: 'failure', outputs: {} } } };
      expect(evaluateCondition(condition, refused, 'failure'), step).toBe(false);
      // Even were the job status success (a continue-on-error some day), a failed check stops them.
      expect(evaluateCondition(condition, refused, 'success'), step).toBe(false);
      // A check that passed without a command (never, today) does not let them run the container's own command.
      const noCommand = { ...withMigration, steps: { ...withMigration.steps, 'migration-check': { outcome: 'success', outputs: {} } } };
      expect(evaluateCondition(condition, noCommand, 'success'), step).toBe(false);
    }
  });

  it('a failed migration: the deploy step does not run, and the rollback has nothing to undo', () => {
    const deploy = workflowStep(WORKFLOW, 'deploy', 'deploy');
    const failed = {
      ...withMigration,
      steps: { ...withMigration.steps, migration: { outcome: 'failure', outputs: { status: 'failed', 'exit-code': '1' } } },
    };
    expect(evaluateCondition(deploy.if, failed, 'failure')).toBe(false);
    expect(deployRollbackRuns({}, { exitCode: 1 })).toBe(false);
  });

  it('without migration: no check, register or migration step, the deploy step deploys the image as before', () => {
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'migration-check').if, withoutMigration, 'success')).toBe(false);
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'register').if, withoutMigration, 'success')).toBe(false);
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'migration').if, withoutMigration, 'success')).toBe(false);
    const deploy = workflowStep(WORKFLOW, 'deploy', 'deploy');
    expect(value(deploy.with['task-definition-arn'], withoutMigration)).toBe('');
    expect(value(deploy.with.image, withoutMigration)).toBe(IMAGE);
    expect(value(deploy.with['container-name'], withoutMigration)).toBe('app');
    expect(value(deploy.with['task-definition'], withoutMigration)).toBe('ecs/web.json');
    expect(value(deploy.with['environment-variables'], withoutMigration)).toBe('LOG_LEVEL=debug');
  });

  it('a dry run with a migration checks its inputs (read-only), and registers and runs nothing', () => {
    const dryRun = { ...withMigration, inputs: { ...withMigration.inputs, 'dry-run': true } };
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'migration-check').if, dryRun, 'success')).toBe(true);
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'register').if, dryRun, 'success')).toBe(false);
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'migration').if, dryRun, 'success')).toBe(false);
  });
});

describe('one environment, several calls (one per service)', () => {
  const job = (workflow: string, id: string) => loadWorkflow(workflow).jobs.find((j) => j.id === id);
  const group = (workflow: string, id: string) => String((job(workflow, id)?.concurrency as { group?: string } | undefined)?.group);

  it('the plan and deploy jobs and the rollback job have a concurrency group per environment and service', () => {
    for (const [workflow, id] of [
      [WORKFLOW, 'plan'],
      [WORKFLOW, 'deploy'],
      ['.github/workflows/rollback.yml', 'rollback'],
    ] as const) {
      expect(group(workflow, id), `${workflow} ${id}`).toMatch(/inputs\.environment.*inputs\.service/);
    }
    expect(group(WORKFLOW, 'deploy')).toBe(group('.github/workflows/rollback.yml', 'rollback'));
  });

  it('the plan artifact is named per environment and service, with no character an artifact name refuses', async () => {
    const step = job(WORKFLOW, 'plan')?.steps.find((s) => s.id === 'artifact') as { run?: string } | undefined;
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/gantry-artifact-`);
    try {
      const name = (service: string) => {
        execFileSync('bash', ['-c', String(step?.run)], {
          env: { PATH: process.env.PATH, TARGET_ENVIRONMENT: 'staging', SERVICE: service, GITHUB_OUTPUT: `${dir}/${service.length}` },
        });
        return readFileSync(`${dir}/${service.length}`, 'utf8').trim();
      };
      expect(name('api')).toBe('name=gantry-plan-staging-api');
      expect(name('arn:aws:ecs:us-east-1:123456789012:service/shop/worker')).toBe('name=gantry-plan-staging-worker');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const upload = job(WORKFLOW, 'plan')?.steps.find((s) => s.with?.name !== undefined && String(s.with.name).includes('artifact'));
    expect(upload?.with.name).toBe('${{ steps.artifact.outputs.name }}');
    const download = job(WORKFLOW, 'deploy')?.steps.find((s) => String(s.with?.name ?? '').includes('needs.plan.outputs.artifact'));
    expect(download).toBeDefined();
  });
});
