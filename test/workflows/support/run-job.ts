/**
 * A job of one of gantry's workflows, step by step as the runner goes through it, from a given step on:
 * each step's own `if:` (from the YAML) evaluated with GitHub's expression engine against the job status
 * and the outputs and outcomes of the steps before it; a gantry step that runs is its real bundle with
 * its `with:` evaluated the same way (plus the action.yml defaults); a `run:` step is its own bash script
 * (`bash -eo pipefail`, as the runner starts it) with its `env:` evaluated, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY, and the AWS environment given (so `aws …` lines reach the emulator too).
 * The steps before `from` (checkouts, credentials, the image by digest) are taken as done: their
 * outputs come in `context.steps`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { parse } from 'yaml';
import { parseAnnotations, parseCommandFile, runAction, type ActionResult, type AnnotationRecord } from '../../support/harness';
import { REPO_ROOT, loadWorkflow } from './repo-files';
import { evaluateCondition, type JobStatus, type StepContext } from './step-condition';
import { gantryActionOf, type Step } from './workflow-model';

export interface StepRun {
  id: string;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  /** A gantry action's run, and the inputs it was given (its `with:` evaluated, action.yml defaults). */
  result?: ActionResult;
  inputs?: Record<string, string>;
  /** A run step's log and its annotations. */
  stdout?: string;
  annotations?: AnnotationRecord[];
}

export interface JobRun {
  steps: StepRun[];
  ran: string[];
  status: JobStatus;
  summary: string;
  byId: (id: string) => StepRun | undefined;
}

export type JobContext = StepContext & { secrets?: Record<string, string> };

/** The value of `${{ … }}` in a context, with GitHub's semantics (a missing output is ''). */
export function evaluateExpression(expression: string, context: JobContext): string {
  const parsed = new Parser(
    new Lexer(expression.trim()).lex().tokens,
    ['steps', 'inputs', 'needs', 'github', 'secrets', 'job'],
    [],
  ).parse();
  const values = JSON.parse(
    JSON.stringify({ steps: {}, inputs: {}, needs: {}, github: {}, secrets: {}, job: {}, ...context }),
    data.reviver,
  ) as data.Dictionary;
  return String(new Evaluator(parsed, values, new Map()).evaluate().coerceString());
}

/** A `with:` or `env:` value: plain text with every `${{ … }}` replaced by its value. */
export function template(raw: unknown, context: JobContext): string {
  return String(raw ?? '').replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expression: string) => evaluateExpression(expression, context));
}

function actionDefaults(name: string): Record<string, string> {
  const action = parse(readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs ?? {})
      .filter(([, spec]) => spec?.default !== undefined && !String(spec.default).includes('${{'))
      .map(([input, spec]) => [input, String(spec.default)]),
  );
}

export interface RunJobOptions {
  workflow: string;
  job: string;
  /** The first step to run (by id); the steps before it are taken as done. */
  from: string;
  context: JobContext;
  /** AWS_* (and any other) environment of the job's steps. */
  env: Record<string, string>;
  /** GITHUB_WORKSPACE of the gantry steps (files the inputs name). */
  workspace?: string;
}

export async function runJob(options: RunJobOptions): Promise<JobRun> {
  const job = loadWorkflow(options.workflow).jobs.find((j) => j.id === options.job);
  if (!job) throw new Error(`${options.workflow} has no job ${options.job}`);
  const from = job.steps.findIndex((s) => s.id === options.from);
  if (from < 0) throw new Error(`${options.workflow} job ${options.job} has no step ${options.from}`);
  const context: JobContext = { ...options.context, steps: { ...options.context.steps } };
  const files = mkdtempSync(path.join(os.tmpdir(), 'gantry-job-'));
  const jobSummary = path.join(files, 'summary');
  writeFileSync(jobSummary, '');
  let status: JobStatus = 'success';
  const runs: StepRun[] = [];
  try {
    for (const step of job.steps.slice(from)) {
      const id = step.id ?? `#${step.index}`;
      if (!evaluateCondition(step.if, context, status)) {
        runs.push({ id, outcome: 'skipped', outputs: {} });
        context.steps = { ...context.steps, [id]: { outputs: {}, outcome: 'skipped', conclusion: 'skipped' } };
        continue;
      }
      const run = await runStep(step, context, { ...options, jobSummary, files });
      if (run.outcome === 'failure') status = 'failure';
      runs.push({ ...run, id });
      context.steps = { ...context.steps, [id]: { outputs: run.outputs, outcome: run.outcome, conclusion: run.outcome } };
    }
    return {
      steps: runs,
      ran: runs.filter((r) => r.outcome !== 'skipped').map((r) => r.id),
      status,
      summary: readFileSync(jobSummary, 'utf8'),
      byId: (id) => runs.find((r) => r.id === id),
    };
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
}

async function runStep(
  step: Step,
  context: JobContext,
  options: RunJobOptions & { jobSummary: string; files: string },
): Promise<Omit<StepRun, 'id'>> {
  const action = gantryActionOf(step);
  if (action) {
    const inputs = actionDefaults(action);
    for (const [input, raw] of Object.entries(step.with)) inputs[input] = template(raw, context);
    const result = await runAction(action, inputs, { env: options.env, timeoutMs: 180_000, workspace: options.workspace });
    // Each step's summary lands in the job's summary, as on GitHub.
    writeFileSync(options.jobSummary, readFileSync(options.jobSummary, 'utf8') + result.summary);
    return { outcome: result.exitCode === 0 ? 'success' : 'failure', outputs: result.outputs, result, inputs };
  }
  if (step.run === undefined) throw new Error(`step ${step.id ?? step.index} is neither a gantry action nor a script`);
  return runScript(step, context, options);
}

/** bash as the runner starts a `run:` step; asynchronous, so emulators served from this process keep answering. */
function bash(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A `run:` step: its script in bash as the runner starts it, its env evaluated, its outputs read back. */
export async function runScript(
  step: Pick<Step, 'run' | 'env'>,
  context: JobContext,
  options: { env?: Record<string, string>; jobSummary?: string; files?: string } = {},
): Promise<Omit<StepRun, 'id'> & { summary: string }> {
  const files = options.files ?? mkdtempSync(path.join(os.tmpdir(), 'gantry-step-'));
  const output = path.join(files, `output-${Math.random().toString(36).slice(2)}`);
  const summary = options.jobSummary ?? path.join(files, 'summary');
  writeFileSync(output, '');
  if (!options.jobSummary) writeFileSync(summary, '');
  try {
    const env = Object.fromEntries(Object.entries(step.env).map(([name, raw]) => [name, template(raw, context)]));
    const script = String(step.run);
    if (script.includes('${{')) throw new Error('a run step with ${{ … }} in its script (the policy forbids it)');
    const before = readFileSync(summary, 'utf8');
    const ran = await bash(script, {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...options.env,
      ...env,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
    });
    return {
      outcome: ran.status === 0 ? 'success' : 'failure',
      outputs: parseCommandFile(readFileSync(output, 'utf8')),
      stdout: `${ran.stdout}${ran.stderr}`,
      annotations: parseAnnotations(ran.stdout),
      summary: readFileSync(summary, 'utf8').slice(before.length),
    };
  } finally {
    if (!options.files) rmSync(files, { recursive: true, force: true });
  }
}
