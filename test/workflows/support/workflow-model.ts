/**
 * A typed view of a GitHub Actions workflow file, enough for gantry's policy and contract checks.
 * GitHub's own parser (@actions/workflow-parser) validates the syntax; this model only gives the rules
 * plain values to look at, plus the raw text for what YAML drops (comments after `uses:`).
 */
import { parse } from 'yaml';

export type Mapping = Record<string, unknown>;
export type PermissionLevel = 'none' | 'read' | 'write';
/** Scope → level; `undefined` where the key is absent (GitHub's defaults then apply). */
export type Permissions = Record<string, PermissionLevel>;

export interface InputDefinition {
  type: string;
  required: boolean;
  hasDefault: boolean;
  options: string[];
}

export interface Step {
  index: number;
  id: string | undefined;
  name: string | undefined;
  uses: string | undefined;
  run: string | undefined;
  if: unknown;
  with: Mapping;
  env: Mapping;
}

export interface Job {
  id: string;
  raw: Mapping;
  needs: string[];
  /** The job's own `permissions:` (undefined when absent). */
  permissions: Permissions | undefined;
  steps: Step[];
  /** `uses:` of a job that calls a reusable workflow. */
  uses: string | undefined;
  with: Mapping;
  secrets: unknown;
  outputs: Record<string, string>;
  environment: unknown;
  concurrency: unknown;
}

export interface Workflow {
  path: string;
  text: string;
  raw: Mapping;
  /** Event name → its configuration (null when the event has none). */
  on: Record<string, unknown>;
  permissions: Permissions | undefined;
  hasPermissionsKey: boolean;
  concurrency: unknown;
  jobs: Job[];
  isReusable: boolean;
  callInputs: Record<string, InputDefinition>;
  callSecrets: Record<string, { required: boolean }>;
  callOutputs: Record<string, string>;
  dispatchInputs: Record<string, InputDefinition>;
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown): Mapping {
  return isMapping(value) ? value : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `on:` as a record whatever its form (`push`, `[push, pull_request]`, or a mapping). */
function normaliseOn(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { [value]: null };
  if (Array.isArray(value)) return Object.fromEntries(stringList(value).map((event) => [event, null]));
  return mapping(value);
}

const ALL_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
];

/** `read-all`/`write-all`/`{}`/a mapping → scope levels. Unknown level strings are kept out (the parser flags them). */
export function normalisePermissions(value: unknown): Permissions | undefined {
  if (value === undefined) return undefined;
  if (value === 'read-all' || value === 'write-all') {
    const level: PermissionLevel = value === 'read-all' ? 'read' : 'write';
    return Object.fromEntries(ALL_SCOPES.map((scope) => [scope, level]));
  }
  const result: Permissions = {};
  for (const [scope, level] of Object.entries(mapping(value))) {
    if (level === 'none' || level === 'read' || level === 'write') result[scope] = level;
  }
  return result;
}

function inputDefinitions(value: unknown): Record<string, InputDefinition> {
  const result: Record<string, InputDefinition> = {};
  for (const [name, spec] of Object.entries(mapping(value))) {
    const definition = mapping(spec);
    result[name] = {
      type: optionalString(definition.type) ?? 'string',
      required: definition.required === true,
      hasDefault: 'default' in definition,
      options: stringList(definition.options),
    };
  }
  return result;
}

function toStep(raw: unknown, index: number): Step {
  const step = mapping(raw);
  return {
    index,
    id: optionalString(step.id),
    name: optionalString(step.name),
    uses: optionalString(step.uses),
    run: optionalString(step.run),
    if: step.if,
    with: mapping(step.with),
    env: mapping(step.env),
  };
}

function toJob(id: string, raw: unknown): Job {
  const job = mapping(raw);
  const outputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(mapping(job.outputs))) outputs[name] = String(value);
  return {
    id,
    raw: job,
    needs: stringList(job.needs),
    permissions: normalisePermissions(job.permissions),
    steps: Array.isArray(job.steps) ? job.steps.map(toStep) : [],
    uses: optionalString(job.uses),
    with: mapping(job.with),
    secrets: job.secrets,
    outputs,
    environment: job.environment,
    concurrency: job.concurrency,
  };
}

export function parseWorkflowText(path: string, text: string): Workflow {
  const raw = mapping(parse(text));
  const on = normaliseOn(raw.on ?? raw.true);
  const call = mapping(on.workflow_call);
  const callOutputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(mapping(call.outputs))) callOutputs[name] = String(mapping(spec).value ?? '');
  const callSecrets: Record<string, { required: boolean }> = {};
  for (const [name, spec] of Object.entries(mapping(call.secrets))) callSecrets[name] = { required: mapping(spec).required === true };
  return {
    path,
    text,
    raw,
    on,
    permissions: normalisePermissions(raw.permissions),
    hasPermissionsKey: 'permissions' in raw,
    concurrency: raw.concurrency,
    jobs: Object.entries(mapping(raw.jobs)).map(([id, job]) => toJob(id, job)),
    isReusable: 'workflow_call' in on,
    callInputs: inputDefinitions(call.inputs),
    callSecrets,
    callOutputs,
    dispatchInputs: inputDefinitions(mapping(on.workflow_dispatch).inputs),
  };
}

/** `owner/repo[/path]` of a `uses:` value, without the `@ref`. */
export function actionName(uses: string): string {
  return uses.split('@')[0] ?? uses;
}

export function usesAction(step: Step, name: string): boolean {
  return step.uses !== undefined && actionName(step.uses).toLowerCase() === name.toLowerCase();
}

/** A gantry action used from a workflow: `./.gantry/actions/<name>` (reusable) or `./actions/<name>` (gantry's own CI). */
export function gantryActionOf(step: Step): string | undefined {
  const match = /^\.\/(?:\.gantry\/)?actions\/([a-z0-9-]+)\/?$/.exec(step.uses ?? '');
  return match?.[1];
}
