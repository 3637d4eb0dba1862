/**
 * deploy.yml's migration: the steps' own `if:` and `with:` read from the YAML and evaluated with
 * GitHub's expression engine. With `migration` set, deploy-ecs registers the revision without
 * touching the service (register-only), run-task runs the command from exactly that revision, and
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
  inputs: { migration: 'npm run migrate', 'migration-container': 'app', 'container-name': 'app', 'task-definition': 'ecs/web.json', 'migration-timeout-seconds': 600 },
  steps: { image: { outputs: { image: IMAGE } }, register: { outputs: { 'task-definition-arn': REGISTERED, status: 'registered' }, outcome: 'success' } },
};
const withoutMigration: StepContext = {
  inputs: { migration: '', 'container-name': 'app', 'task-definition': 'ecs/web.json' },
  steps: { image: { outputs: { image: IMAGE } } },
};

describe("deploy.yml's migration", () => {
  it('runs register → migration → deploy, in that order, in the deploy job', () => {
    const ids = loadWorkflow(WORKFLOW).jobs.find((j) => j.id === 'deploy')?.steps.map((s) => s.id) ?? [];
    expect(ids.indexOf('register')).toBeGreaterThan(ids.indexOf('apply'));
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
    for (const input of ['image', 'container-name', 'task-definition']) expect(value(deploy.with[input], withMigration)).toBe('');
  });

  it('a failed migration: the deploy step does not run, and the rollback has nothing to undo', () => {
    const deploy = workflowStep(WORKFLOW, 'deploy', 'deploy');
    const failed = { ...withMigration, steps: { ...withMigration.steps, migration: { outcome: 'failure', outputs: { status: 'failed', 'exit-code': '1' } } } };
    expect(evaluateCondition(deploy.if, failed, 'failure')).toBe(false);
    expect(deployRollbackRuns({}, { exitCode: 1 })).toBe(false);
  });

  it('without migration: no register or migration step, the deploy step deploys the image as before', () => {
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'register').if, withoutMigration, 'success')).toBe(false);
    expect(evaluateCondition(workflowStep(WORKFLOW, 'deploy', 'migration').if, withoutMigration, 'success')).toBe(false);
    const deploy = workflowStep(WORKFLOW, 'deploy', 'deploy');
    expect(value(deploy.with['task-definition-arn'], withoutMigration)).toBe('');
    expect(value(deploy.with.image, withoutMigration)).toBe(IMAGE);
    expect(value(deploy.with['container-name'], withoutMigration)).toBe('app');
    expect(value(deploy.with['task-definition'], withoutMigration)).toBe('ecs/web.json');
  });
});
