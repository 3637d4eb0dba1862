/**
 * A task definition template checked against the shape RegisterTaskDefinition accepts, read from
 * the SDK's own schema (the one its serializer uses). The serializer drops what the schema does
 * not know without a word: a `valueFrom` inside `environment[]` (a real-world mistake) reached the
 * dry-run's diff but not the registered revision, which ran with empty variables. So every field
 * the schema does not have where it stands, and every value of the wrong type, is an input error
 * naming its path; what passes is exactly what the SDK sends, and so what the dry-run shows.
 */
import { RegisterTaskDefinitionRequest$ } from '@aws-sdk/client-ecs';
import { NormalizedSchema } from '@smithy/core/schema';

/** At most this many problems are listed; the rest are counted. */
const MAX_LISTED = 5;

/** Where a field the schema does not have at its place most likely belongs. */
const MISPLACED: Record<string, Record<string, string>> = {
  KeyValuePair: {
    valueFrom: 'valueFrom belongs in secrets[] ({ "name", "valueFrom" }), not environment[]: ECS would register the entry with no value',
  },
  Secret: {
    value:
      'a plain value belongs in environment[] ({ "name", "value" }); secrets[] takes valueFrom (a Secrets Manager or SSM Parameter Store ARN)',
  },
};

/** The problems of `definition` (register format, read-only fields and tags already removed); empty when it fits. */
export function taskDefinitionShapeProblems(definition: Record<string, unknown>): string[] {
  const problems: string[] = [];
  check(definition, NormalizedSchema.of(RegisterTaskDefinitionRequest$), '', problems);
  if (problems.length <= MAX_LISTED) return problems;
  return [...problems.slice(0, MAX_LISTED), `and ${problems.length - MAX_LISTED} more`];
}

function check(value: unknown, schema: NormalizedSchema, path: string, problems: string[]): void {
  // JSON null is "not set" for the serializer, as for the CLI's --cli-input-json.
  if (value === null || value === undefined) return;
  if (schema.isStructSchema()) {
    if (!isObject(value)) return void problems.push(`${path || 'the task definition'} must be an object (got ${describe(value)})`);
    const members = new Map(schema.structIterator());
    for (const [key, child] of Object.entries(value)) {
      const member = members.get(key);
      const where = path ? `${path}.${key}` : key;
      if (member) check(child, member, where, problems);
      else problems.push(unknownField(where, key, schema, [...members.keys()]));
    }
  } else if (schema.isListSchema()) {
    if (!Array.isArray(value)) return void problems.push(`${path} must be a list (got ${describe(value)})`);
    const item = schema.getValueSchema();
    value.forEach((child, index) => check(child, item, `${path}[${nameOf(child) ?? index}]`, problems));
  } else if (schema.isMapSchema()) {
    if (!isObject(value)) return void problems.push(`${path} must be an object of names to values (got ${describe(value)})`);
    const item = schema.getValueSchema();
    for (const [key, child] of Object.entries(value)) check(child, item, `${path}[${JSON.stringify(key)}]`, problems);
  } else if (schema.isStringSchema()) {
    if (typeof value !== 'string') problems.push(`${path} must be a string (got ${describe(value)})`);
  } else if (schema.isNumericSchema()) {
    if (typeof value !== 'number') problems.push(`${path} must be a number (got ${describe(value)})`);
  } else if (schema.isBooleanSchema()) {
    if (typeof value !== 'boolean') problems.push(`${path} must be true or false (got ${describe(value)})`);
  }
  // Timestamps, blobs and documents: none in RegisterTaskDefinition; the serializer takes them as given.
}

function unknownField(where: string, key: string, schema: NormalizedSchema, members: string[]): string {
  const hint = MISPLACED[schema.getName() ?? '']?.[key];
  if (hint) return `${where}: ${hint}`;
  const sameLetters = members.find((m) => m.toLowerCase() === key.toLowerCase());
  if (sameLetters)
    return `${where} is not a field RegisterTaskDefinition accepts: did you mean "${sameLetters}"? (field names are camelCase, as in the ECS API)`;
  return `${where} is not a field RegisterTaskDefinition accepts here (the SDK would drop it silently); allowed: ${members.join(', ')}`;
}

/** Containers, environment entries and secrets are addressed by name, as the dry-run diff does. */
function nameOf(item: unknown): string | undefined {
  return isObject(item) && typeof item.name === 'string' && item.name !== '' ? item.name : undefined;
}

/** The type only: a value in the wrong place may still be a credential (an environment value). */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
