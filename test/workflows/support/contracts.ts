/**
 * Contracts between the parts: workflows ↔ gantry's action.yml files, jobs ↔ their needs and steps,
 * templates ↔ the reusable workflows they call. Each check returns what it finds broken.
 */
import { DETECT_OUTPUTS } from '../../../scripts/pr-checks/src/index';
import { RELEASE_OUTPUTS } from '../../../scripts/release/release';
import { contextProperties, expressionsIn, jobOutputs, needsJobs, needsOutputs, soleExpression, stepIds, stepOutputs } from './expressions';
import { gantryWorkflowFile, type ActionMetadata } from './repo-files';
import { effectivePermissions } from './policy';
import {
  actionName,
  gantryActionOf,
  type InputDefinition,
  type Job,
  type PermissionLevel,
  type Step,
  type Workflow,
} from './workflow-model';

export type ContractId =
  | 'gantry-action-inputs'
  | 'needs-outputs'
  | 'step-outputs'
  | 'gantry-scripts'
  | 'workflow-call-outputs'
  | 'inputs-defined'
  | 'secrets-defined'
  | 'reusable-call-inputs'
  | 'reusable-call-secrets'
  | 'reusable-call-permissions';

export interface Breach {
  contract: ContractId;
  file: string;
  where: string;
  message: string;
}

export interface ContractContext {
  actions: Map<string, ActionMetadata>;
  reusable: Map<string, Workflow>;
  /**
   * Outputs a gantry script (`.github/scripts/<file>`, run from the gantry checkout as
   * `.gantry/.github/scripts/<file>`) writes; undefined when gantry has no such script.
   */
  scriptOutputs?: (script: string) => string[] | undefined;
}

/** Outputs of the third-party actions gantry pins, from their action.yml, for `steps.<id>.outputs.<x>` checks. */
export const THIRD_PARTY_OUTPUTS: Record<string, string[]> = {
  'actions/checkout': ['ref', 'commit'],
  'actions/setup-node': ['cache-hit', 'node-version'],
  'aws-actions/configure-aws-credentials': [
    'aws-account-id',
    'aws-access-key-id',
    'aws-secret-access-key',
    'aws-session-token',
    'authenticated-arn',
    'aws-expiration',
  ],
  'docker/build-push-action': ['imageid', 'digest', 'metadata'],
  'docker/setup-buildx-action': ['name', 'driver', 'platforms', 'nodes'],
  'github/codeql-action/upload-sarif': ['sarif-id'],
  'actions/upload-artifact': ['artifact-id', 'artifact-url', 'artifact-digest'],
  'actions/download-artifact': ['download-path'],
};

function breach(contract: ContractId, wf: Workflow, where: string, message: string): Breach {
  return { contract, file: wf.path, where, message };
}

function stepLabel(job: Job, step: Step): string {
  return `jobs.${job.id}.steps[${step.index}]${step.id ? ` (id ${step.id})` : step.name ? ` (${step.name})` : ''}`;
}

/** Output names a `run:` step writes to $GITHUB_OUTPUT (`echo "name=…"` or `name<<EOF`). */
export function runStepOutputs(script: string): string[] {
  if (!script.includes('GITHUB_OUTPUT')) return [];
  return [...script.matchAll(/echo\s+["']?([A-Za-z0-9_-]+)(?:=|<<)/g)].map((m) => m[1] ?? '');
}

/** `.github/scripts/<file>` of every gantry script a run step starts from the gantry checkout. */
export function gantryScriptsRun(script: string): string[] {
  return [...script.matchAll(/(?:^|[\s"'])\.gantry\/(\.github\/scripts\/[\w.-]+)/g)].map((m) => m[1] ?? '');
}

function outputsOfStep(step: Step, ctx: ContractContext): string[] | undefined {
  const gantry = gantryActionOf(step);
  if (gantry) return ctx.actions.get(gantry)?.outputs;
  if (step.run !== undefined) {
    const fromScripts = gantryScriptsRun(step.run).flatMap((script) => ctx.scriptOutputs?.(script) ?? []);
    // pr-checks.yml's plan step: the bundle of scripts/pr-checks, its `detect` command.
    const fromPrChecks = /"\$GANTRY_PR_CHECKS" detect\b/.test(step.run) ? [...DETECT_OUTPUTS] : [];
    // release.yml's build step: scripts/release/release.ts outputs.
    const fromRelease = /scripts\/release\/release\.ts outputs\b/.test(step.run) ? [...RELEASE_OUTPUTS] : [];
    return [...runStepOutputs(step.run), ...fromScripts, ...fromPrChecks, ...fromRelease];
  }
  return step.uses ? THIRD_PARTY_OUTPUTS[actionName(step.uses)] : undefined;
}

export function checkGantryActionInputs(wf: Workflow, ctx: ContractContext): Breach[] {
  const found: Breach[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      const name = gantryActionOf(step);
      if (!name) continue;
      const action = ctx.actions.get(name);
      if (!action) {
        found.push(breach('gantry-action-inputs', wf, stepLabel(job, step), `gantry has no action ${name}`));
        continue;
      }
      for (const key of Object.keys(step.with)) {
        if (!(key in action.inputs))
          found.push(breach('gantry-action-inputs', wf, stepLabel(job, step), `${name} has no input ${key} (${action.path})`));
      }
      for (const [input, spec] of Object.entries(action.inputs)) {
        const given = step.with[input];
        if (spec.required && !spec.hasDefault && (given === undefined || given === '')) {
          found.push(breach('gantry-action-inputs', wf, stepLabel(job, step), `${name} requires input ${input}`));
        }
      }
    }
  }
  return found;
}

/** Outputs a job offers to `needs`: its own, or the called workflow's. */
function jobOutputNames(job: Job, ctx: ContractContext): string[] {
  const file = job.uses ? gantryWorkflowFile(job.uses) : undefined;
  const called = file ? ctx.reusable.get(file) : undefined;
  return called ? Object.keys(called.callOutputs) : Object.keys(job.outputs);
}

export function checkNeedsOutputs(wf: Workflow, ctx: ContractContext): Breach[] {
  const found: Breach[] = [];
  const jobs = new Map(wf.jobs.map((job) => [job.id, job]));
  for (const job of wf.jobs) {
    for (const { where, expression } of expressionsIn(job.raw, `jobs.${job.id}`)) {
      for (const needed of needsJobs(expression)) {
        if (!job.needs.includes(needed))
          found.push(
            breach(
              'needs-outputs',
              wf,
              where,
              `needs.${needed} is used but ${job.id} does not list ${needed} in needs (only direct needs are visible)`,
            ),
          );
      }
      for (const { owner, output } of needsOutputs(expression)) {
        const source = jobs.get(owner);
        if (source && !jobOutputNames(source, ctx).includes(output))
          found.push(breach('needs-outputs', wf, where, `job ${owner} has no output ${output}`));
      }
    }
  }
  return found;
}

export function checkStepOutputs(wf: Workflow, ctx: ContractContext): Breach[] {
  const found: Breach[] = [];
  for (const job of wf.jobs) {
    const byId = new Map(job.steps.filter((step) => step.id).map((step) => [step.id ?? '', step]));
    const uses: Array<{ where: string; expression: string; before: number }> = [
      ...job.steps.flatMap((step) => expressionsIn(step, stepLabel(job, step)).map((found) => ({ ...found, before: step.index }))),
      ...expressionsIn({ outputs: job.raw.outputs, environment: job.raw.environment }, `jobs.${job.id}`).map((found) => ({
        ...found,
        before: Infinity,
      })),
    ];
    for (const { where, expression, before } of uses) {
      for (const id of stepIds(expression)) {
        const step = byId.get(id);
        if (!step) found.push(breach('step-outputs', wf, where, `steps.${id}: no step with id ${id} in job ${job.id}`));
        else if (step.index >= before)
          found.push(breach('step-outputs', wf, where, `steps.${id} is used before (or by) the step that defines it`));
      }
      for (const { owner, output } of stepOutputs(expression)) {
        const step = byId.get(owner);
        if (!step) continue;
        const outputs = outputsOfStep(step, ctx);
        if (outputs === undefined)
          found.push(
            breach(
              'step-outputs',
              wf,
              where,
              `steps.${owner}.outputs.${output}: the outputs of ${step.uses} are unknown; add them to THIRD_PARTY_OUTPUTS from its action.yml`,
            ),
          );
        else if (!outputs.includes(output))
          found.push(breach('step-outputs', wf, where, `step ${owner} (${step.uses ?? 'run'}) has no output ${output}`));
      }
    }
  }
  return found;
}

/** A run step that starts `.gantry/.github/scripts/<file>` names a script gantry has. */
export function checkGantryScripts(wf: Workflow, ctx: ContractContext): Breach[] {
  if (!ctx.scriptOutputs) return [];
  const found: Breach[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      for (const script of gantryScriptsRun(step.run ?? '')) {
        if (ctx.scriptOutputs(script) === undefined)
          found.push(breach('gantry-scripts', wf, stepLabel(job, step), `gantry has no script ${script}`));
      }
    }
  }
  return found;
}

export function checkWorkflowCallOutputs(wf: Workflow): Breach[] {
  const found: Breach[] = [];
  const jobs = new Map(wf.jobs.map((job) => [job.id, job]));
  for (const [name, value] of Object.entries(wf.callOutputs)) {
    for (const { owner, output } of expressionsIn(value).flatMap(({ expression }) => jobOutputs(expression))) {
      const job = jobs.get(owner);
      if (!job) found.push(breach('workflow-call-outputs', wf, `on.workflow_call.outputs.${name}`, `no job ${owner}`));
      else if (!(output in job.outputs))
        found.push(breach('workflow-call-outputs', wf, `on.workflow_call.outputs.${name}`, `job ${owner} has no output ${output}`));
    }
  }
  return found;
}

export function checkInputsAndSecretsDefined(wf: Workflow): Breach[] {
  const found: Breach[] = [];
  const inputs = new Set([...Object.keys(wf.callInputs), ...Object.keys(wf.dispatchInputs)]);
  const body = {
    jobs: wf.raw.jobs,
    concurrency: wf.raw.concurrency,
    env: wf.raw.env,
    'run-name': wf.raw['run-name'],
    outputs: wf.callOutputs,
  };
  for (const { where, expression } of expressionsIn(body)) {
    for (const input of contextProperties(expression, 'inputs')) {
      if (!inputs.has(input)) found.push(breach('inputs-defined', wf, where, `inputs.${input} is not an input of this workflow`));
    }
    if (!wf.isReusable) continue;
    for (const secret of contextProperties(expression, 'secrets')) {
      if (secret !== 'GITHUB_TOKEN' && !(secret in wf.callSecrets))
        found.push(breach('secrets-defined', wf, where, `secrets.${secret} is not declared in on.workflow_call.secrets`));
    }
  }
  return found;
}

type ValueType = 'boolean' | 'number' | 'string';

function declaredType(definition: InputDefinition): ValueType {
  return definition.type === 'boolean' || definition.type === 'number' ? definition.type : 'string';
}

/** The type a `with:` value has: literal YAML type, or the type of a sole `${{ inputs.x }}` of the caller; undefined when unknowable. */
function passedType(value: unknown, caller: Workflow): ValueType | undefined {
  const expression = soleExpression(value);
  if (expression === undefined)
    return typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' ? (typeof value as ValueType) : undefined;
  const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1];
  const definition = input ? (caller.callInputs[input] ?? caller.dispatchInputs[input]) : undefined;
  return definition ? declaredType(definition) : undefined;
}

const LEVEL: Record<PermissionLevel, number> = { none: 0, read: 1, write: 2 };

export function checkReusableCalls(wf: Workflow, ctx: ContractContext): Breach[] {
  const found: Breach[] = [];
  for (const job of wf.jobs) {
    const file = job.uses ? gantryWorkflowFile(job.uses) : undefined;
    if (!file) continue;
    const called = ctx.reusable.get(file);
    const where = `jobs.${job.id}`;
    if (!called || !called.isReusable) {
      found.push(breach('reusable-call-inputs', wf, where, `${job.uses}: .github/workflows/${file} is not a reusable gantry workflow`));
      continue;
    }
    for (const [name, value] of Object.entries(job.with)) {
      const definition = called.callInputs[name];
      if (!definition) {
        found.push(breach('reusable-call-inputs', wf, `${where}.with.${name}`, `${file} has no input ${name}`));
        continue;
      }
      const type = passedType(value, wf);
      if (type !== undefined && type !== declaredType(definition)) {
        found.push(
          breach(
            'reusable-call-inputs',
            wf,
            `${where}.with.${name}`,
            `${file} declares ${name} as ${definition.type}, but a ${type} is passed${typeof value === 'number' ? ' (quote it: YAML reads 1.10 as 1.1)' : ''}`,
          ),
        );
      }
    }
    for (const [name, definition] of Object.entries(called.callInputs)) {
      if (definition.required && !(name in job.with))
        found.push(breach('reusable-call-inputs', wf, `${where}.with`, `${file} requires input ${name}`));
    }
    const passedSecrets = job.secrets !== null && typeof job.secrets === 'object' ? Object.keys(job.secrets) : [];
    for (const name of passedSecrets) {
      if (!(name in called.callSecrets))
        found.push(breach('reusable-call-secrets', wf, `${where}.secrets.${name}`, `${file} declares no secret ${name}`));
    }
    for (const [name, secret] of Object.entries(called.callSecrets)) {
      if (secret.required && !passedSecrets.includes(name))
        found.push(breach('reusable-call-secrets', wf, `${where}.secrets`, `${file} requires secret ${name}`));
    }
    const granted = effectivePermissions(job, wf);
    for (const calledJob of called.jobs) {
      for (const [scope, level] of Object.entries(effectivePermissions(calledJob, called))) {
        const allowed = granted[scope] ?? 'none';
        if (LEVEL[level] > LEVEL[allowed]) {
          found.push(
            breach(
              'reusable-call-permissions',
              wf,
              `${where}.permissions`,
              `${file} job ${calledJob.id} requests ${scope}: ${level} but the calling job allows ${allowed}; GitHub refuses to start the run`,
            ),
          );
        }
      }
    }
  }
  return found;
}

export function checkContracts(wf: Workflow, ctx: ContractContext): Breach[] {
  return [
    ...checkGantryActionInputs(wf, ctx),
    ...checkNeedsOutputs(wf, ctx),
    ...checkStepOutputs(wf, ctx),
    ...checkGantryScripts(wf, ctx),
    ...checkWorkflowCallOutputs(wf),
    ...checkInputsAndSecretsDefined(wf),
    ...checkReusableCalls(wf, ctx),
  ];
}

export function formatBreaches(breaches: Breach[]): string {
  return breaches.map((b) => `${b.file} ${b.where} [${b.contract}]: ${b.message}`).join('\n');
}
