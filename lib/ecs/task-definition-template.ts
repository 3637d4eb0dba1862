/**
 * Task definition templates: the register format, the raw output of
 * `aws ecs describe-task-definition` (wrapper, tags, read-only fields), or the service's live
 * revision. Fields the user set are kept exactly (empty strings, fields this code does not
 * touch); only what RegisterTaskDefinition rejects as read-only is dropped, and a field it does
 * not accept where it stands is an error (task-definition-shape.ts), never dropped silently by the SDK.
 * deploy-ecs renders and registers revisions from them; run-task's check-only checks a migration
 * against the same file, read by the same `readTemplateFile`.
 */
import { readFileSync } from 'node:fs';
import type { DescribeTaskDefinitionCommandOutput, RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs';
import { DocumentError, parseJsonDocument } from '../runner/documents';
import { InputError } from '../runner/errors';
import { recordToTags, tagsToRecord } from './release';
import { taskDefinitionShapeProblems } from './task-definition-shape';

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;
export type ContainerDefinitionInput = NonNullable<TaskDefinitionInput['containerDefinitions']>[number];

export interface TaskDefinitionTemplate {
  definition: TaskDefinitionInput;
  tags: Record<string, string>;
  /** Where it came from, for messages: a file path or a task definition ARN. */
  source: string;
}

/** Present in describe-task-definition output, rejected or meaningless in a registration. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

export class TemplateError extends Error {}

/** A parsed JSON document → template, or a TemplateError saying what is wrong with it. */
export function templateFromJson(json: unknown, source: string): TaskDefinitionTemplate {
  if (!isObject(json))
    throw new TemplateError(`a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  const wrapped = isObject(json.taskDefinition);
  const body = wrapped ? (json.taskDefinition as Record<string, unknown>) : json;
  const outerTags = wrapped ? json.tags : undefined;
  const definition = dropReadOnly(body);
  const innerTags = definition.tags;
  delete definition.tags;
  assertTaskDefinitionShape(definition);
  const problems = taskDefinitionShapeProblems(definition);
  if (problems.length) throw new TemplateError(`a task definition RegisterTaskDefinition accepts: ${problems.join('; ')}`);
  const tags = { ...parseTags(innerTags), ...parseTags(outerTags) };
  return { definition: definition as unknown as TaskDefinitionInput, tags, source };
}

/** Far above any real task definition (RegisterTaskDefinition takes 64 KiB), far below harm. */
const TEMPLATE_MAX_BYTES = 512 * 1024;

/**
 * The `task-definition` input's file (`raw` as given, `absolutePath` resolved in the workspace) →
 * template, or the input error it is refused with (not JSON, not a task definition RegisterTaskDefinition accepts).
 */
export function readTemplateFile(raw: string, absolutePath: string): TaskDefinitionTemplate {
  let json: unknown;
  try {
    json = parseJsonDocument(readFileSync(absolutePath, 'utf8').replace(/^\uFEFF/, ''), { maxBytes: TEMPLATE_MAX_BYTES }).value;
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    const where = err.line === undefined ? absolutePath : `${absolutePath}:${err.line}`;
    const what = err.kind === 'syntax' ? `${where} is not valid JSON: ${err.problem}` : `${where}: ${err.problem}`;
    throw new InputError('GANTRY-DEPLOY-028', 'task-definition', raw, `a JSON task definition (${what})`);
  }
  try {
    return templateFromJson(json, raw);
  } catch (err) {
    if (err instanceof TemplateError) throw new InputError('GANTRY-DEPLOY-029', 'task-definition', raw, err.message);
    throw err;
  }
}

/** The live revision (DescribeTaskDefinition with include TAGS) as a template. */
export function templateFromDescribe(
  out: Pick<DescribeTaskDefinitionCommandOutput, 'taskDefinition' | 'tags'>,
  source: string,
): TaskDefinitionTemplate {
  if (!out.taskDefinition) throw new TemplateError(`DescribeTaskDefinition returned no task definition for ${source}`);
  const definition = dropReadOnly(out.taskDefinition as Record<string, unknown>);
  return { definition: definition as unknown as TaskDefinitionInput, tags: tagsToRecord(out.tags), source };
}

/** The register-format view of a live revision (for dry-run diffs). */
export function registerView(out: Pick<DescribeTaskDefinitionCommandOutput, 'taskDefinition' | 'tags'>): TaskDefinitionInput {
  const template = templateFromDescribe(out, 'live');
  return { ...template.definition, tags: recordToTags(template.tags) };
}

function dropReadOnly(body: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(body);
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  // The SDK's own metadata when someone saved an SDK response instead of CLI output.
  delete copy.$metadata;
  return copy;
}

function assertTaskDefinitionShape(definition: Record<string, unknown>): void {
  const what = 'a task definition (register format or describe-task-definition output)';
  if (typeof definition.family !== 'string' || definition.family.trim() === '') {
    throw new TemplateError(`${what} with a "family" string`);
  }
  const containers = definition.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new TemplateError(`${what} with a non-empty "containerDefinitions" array`);
  }
  containers.forEach((container, index) => {
    if (!isObject(container) || typeof container.name !== 'string' || container.name === '') {
      throw new TemplateError(`${what} whose containerDefinitions[${index}] has a "name"`);
    }
  });
}

function parseTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new TemplateError('"tags" as an array of {"key", "value"} objects');
  return tagsToRecord(
    value.map((tag, index): Tag => {
      if (!isObject(tag) || typeof tag.key !== 'string') throw new TemplateError(`tags[${index}] as a {"key", "value"} object`);
      return { key: tag.key, value: typeof tag.value === 'string' ? tag.value : '' };
    }),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
