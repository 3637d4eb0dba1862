/**
 * Evaluating a workflow step's own `if:` with GitHub's expression engine (@actions/expressions, the
 * library behind GitHub's parser and language server), so tests check the condition as written in
 * the YAML — not a copy of it — against the outputs an action really wrote.
 *
 * The status functions are the runner's, not the library's: `success()`, `failure()`,
 * `cancelled()` and `always()` answer from the job status given. As on GitHub, a condition without
 * a status function means `success() && (…)`.
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { loadWorkflow } from './repo-files';

export type JobStatus = 'success' | 'failure' | 'cancelled';

export interface StepContext {
  /** `steps.<id>.outputs` / `.outcome` / `.conclusion`. */
  steps?: Record<string, { outputs?: Record<string, string>; outcome?: string; conclusion?: string }>;
  inputs?: Record<string, string | number | boolean>;
  needs?: Record<string, { outputs?: Record<string, string>; result?: string }>;
  github?: Record<string, string>;
}

const CONTEXTS = ['steps', 'inputs', 'needs', 'github', 'job', 'env', 'vars', 'secrets', 'runner', 'matrix', 'strategy'];
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

function statusFunctions(status: JobStatus) {
  const answer = { success: status === 'success', failure: status === 'failure', cancelled: status === 'cancelled', always: true };
  return new Map(
    STATUS_FUNCTIONS.map((name) => [
      name,
      {
        name,
        minArgs: 0,
        maxArgs: 0,
        call: () => new data.BooleanData(answer[name as keyof typeof answer]),
      },
    ]),
  );
}

/** The expression inside `${{ … }}` (or the bare expression), with GitHub's implicit `success() &&`. */
export function conditionExpression(condition: unknown): string {
  const text = String(condition ?? '').trim();
  const inner = /^\$\{\{([\s\S]*)\}\}$/.exec(text)?.[1]?.trim() ?? text;
  if (inner === '') return 'success()';
  return new RegExp(`\\b(${STATUS_FUNCTIONS.join('|')})\\s*\\(`).test(inner) ? inner : `success() && (${inner})`;
}

export function evaluateCondition(condition: unknown, context: StepContext, status: JobStatus): boolean {
  const expression = conditionExpression(condition);
  const tokens = new Lexer(expression).lex().tokens;
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const parsed = new Parser(tokens, CONTEXTS, functions).parse();
  const values = JSON.parse(JSON.stringify({ steps: {}, inputs: {}, needs: {}, github: {}, ...context }), data.reviver) as data.Dictionary;
  return truthy(new Evaluator(parsed, values, statusFunctions(status)).evaluate());
}

/** A step of a job in a workflow of this repository, by id. */
export function workflowStep(workflow: string, job: string, stepId: string): { if: unknown; with: Record<string, unknown> } {
  const found = loadWorkflow(workflow)
    .jobs.find((j) => j.id === job)
    ?.steps.find((s) => s.id === stepId);
  if (!found) throw new Error(`${workflow}: job ${job} has no step with id ${stepId}`);
  return found;
}

/**
 * Would deploy.yml's automatic rollback step run after deploy-ecs ended with these outputs and exit
 * code? The job status is what GitHub would have: cancelled when the step was cancelled, failure
 * when it exited non-zero (or when a later step, the smoke test, failed: `laterFailure`).
 */
export function deployRollbackRuns(
  deployOutputs: Record<string, string>,
  ending: { exitCode?: number; cancelled?: boolean; laterFailure?: boolean },
): boolean {
  const step = workflowStep('.github/workflows/deploy.yml', 'deploy', 'rollback');
  const outcome = ending.cancelled ? 'cancelled' : ending.exitCode === 0 ? 'success' : 'failure';
  const status: JobStatus = ending.cancelled ? 'cancelled' : outcome === 'failure' || ending.laterFailure ? 'failure' : 'success';
  return evaluateCondition(step.if, { steps: { deploy: { outputs: deployOutputs, outcome, conclusion: outcome } } }, status);
}

/**
 * Would deploy.yml's rollback step of a list (`rollback-services`) run after deploy-ecs ended with these
 * outputs? The same job statuses as deployRollbackRuns.
 */
export function deployListRollbackRuns(
  deployOutputs: Record<string, string>,
  ending: { exitCode?: number; cancelled?: boolean; laterFailure?: boolean },
): boolean {
  const step = workflowStep('.github/workflows/deploy.yml', 'deploy', 'rollback-services');
  const outcome = ending.cancelled ? 'cancelled' : ending.exitCode === 0 ? 'success' : 'failure';
  const status: JobStatus = ending.cancelled ? 'cancelled' : outcome === 'failure' || ending.laterFailure ? 'failure' : 'success';
  return evaluateCondition(step.if, { steps: { deploy: { outputs: deployOutputs, outcome, conclusion: outcome } } }, status);
}
