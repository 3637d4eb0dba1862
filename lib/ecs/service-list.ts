/**
 * The `services` input of deploy-ecs and rollback: a YAML (or JSON) list of mappings, one per
 * service of a release in one cluster, parsed with lib/runner/yaml-documents.ts (size, depth,
 * duplicate keys, NUL) and checked before any AWS call — every key known, `service` a name or
 * ARN of the cluster given, no service twice (by name: an ARN and a name of one service count
 * as one), at most MAX_SERVICES. Each InputError names `services`, the entry and the key.
 */
import { checkServiceInCluster } from '../aws/arns';
import { DocumentError } from '../runner/documents';
import { ActionFailure, InputError } from '../runner/errors';
import { isEcsNameOrArn } from '../runner/inputs';
import { parseYamlDocument } from '../runner/yaml-documents';

/**
 * At most this many services per release: each poll then makes at most 5 DescribeServices
 * (10 services per call). A sanity bound — a list longer than that is a mistake, not a release.
 */
export const MAX_SERVICES = 50;

/** A list input is small: 64 KiB is hundreds of entries. */
const LIST_MAX_BYTES = 64 * 1024;

export interface ServiceListEntry {
  /** 1-based position in the list, for messages. */
  index: number;
  service: string;
  /** The other keys, as strings (the caller checks what they mean). */
  fields: Record<string, string>;
}

/** `arn:aws:ecs:…:service/cluster/api` or `api` → `api`. */
export function serviceName(ref: string): string {
  return ref.split('/').pop() ?? ref;
}

/** Where an entry's problem is: `services[2] (worker)`. */
export function entryLabel(entry: Pick<ServiceListEntry, 'index' | 'service'>): string {
  return `services[${entry.index}] (${serviceName(entry.service)})`;
}

/**
 * Run one entry's single-service work, naming its errors as the entry's: an input error of the
 * entry (a container the task has not, no template…) becomes one of `services` with the entry and
 * the input in its value; a failure gets the entry in front (and `failureSuffix` after, e.g. what
 * was not done). Errors of `services` and `cluster` themselves, and anything else, pass as they are.
 */
export async function asEntryError<T>(
  entry: Pick<ServiceListEntry, 'index' | 'service'>,
  fn: () => Promise<T>,
  failureSuffix = '',
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InputError && err.input !== 'services' && err.input !== 'cluster') {
      const value = err.value === undefined || err.value === '' ? '' : `=${err.value}`;
      throw new InputError(err.code, 'services', `${entryLabel(entry)} ${err.input}${value}`, err.expected);
    }
    if (err instanceof ActionFailure) {
      throw new ActionFailure(err.code, `${entryLabel(entry)}: ${err.message}${failureSuffix}`, err.details);
    }
    throw err;
  }
}

/**
 * Parse and check the list. `keys` are the keys an entry may carry besides `service`; a string
 * entry (`- api`) is the service alone.
 */
export function parseServiceList(raw: string, cluster: string, keys: readonly string[]): ServiceListEntry[] {
  let value: unknown;
  try {
    value = parseYamlDocument(raw, { maxBytes: LIST_MAX_BYTES }).value;
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    const where = err.line === undefined ? '' : ` (line ${err.line})`;
    throw new InputError('GANTRY-ECS-008', 'services', shown(raw), `a YAML list of services: ${err.problem}${where}`);
  }
  const shape = `a YAML list of services, each '- service: <name or ARN>'${keys.length ? ` with optional ${keys.map((k) => `'${k}'`).join(', ')}` : ''}`;
  if (!Array.isArray(value)) throw new InputError('GANTRY-ECS-009', 'services', shown(raw), shape);
  if (value.length === 0) throw new InputError('GANTRY-ECS-010', 'services', shown(raw), `${shape} (the list is empty)`);
  if (value.length > MAX_SERVICES) {
    throw new InputError('GANTRY-ECS-011', 'services', `${value.length} services`, `at most ${MAX_SERVICES} services in one release`);
  }
  const seen = new Map<string, number>();
  return value.map((item, i) => {
    const index = i + 1;
    const record: Record<string, unknown> = typeof item === 'string' ? { service: item } : isObject(item) ? item : {};
    if (typeof item !== 'string' && !isObject(item)) {
      throw new InputError('GANTRY-ECS-012', 'services', `services[${index}]`, `${shape} (entry ${index} is ${describeType(item)})`);
    }
    for (const key of Object.keys(record)) {
      if (key !== 'service' && !keys.includes(key)) {
        throw new InputError(
          'GANTRY-ECS-013',
          'services',
          `services[${index}].${key}`,
          `only the keys 'service'${keys.map((k) => `, '${k}'`).join('')} in an entry`,
        );
      }
    }
    const service = record.service;
    if (typeof service !== 'string' || service.trim() === '') {
      throw new InputError('GANTRY-ECS-014', 'services', `services[${index}]`, `a 'service' (an ECS service name or ARN) in every entry`);
    }
    const trimmed = service.trim();
    if (!isEcsNameOrArn(trimmed)) {
      throw new InputError(
        'GANTRY-ECS-015',
        'services',
        `services[${index}].service=${trimmed}`,
        `an ECS service name (1 to 255 letters, digits, '-' and '_') or ARN`,
      );
    }
    try {
      checkServiceInCluster(cluster, trimmed);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(err.code, 'services', `services[${index}].service=${trimmed}`, err.expected);
      throw err;
    }
    const name = serviceName(trimmed);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new InputError(
        'GANTRY-ECS-016',
        'services',
        `services[${index}].service=${trimmed}`,
        `each service once (service '${name}' is also services[${earlier}])`,
      );
    }
    seen.set(name, index);
    const fields: Record<string, string> = {};
    for (const key of keys) {
      const field = record[key];
      if (field === undefined || field === null) continue;
      if (typeof field !== 'string' && typeof field !== 'number') {
        throw new InputError(
          'GANTRY-ECS-017',
          'services',
          `services[${index}].${key}`,
          `a string for '${key}' (got ${describeType(field)})`,
        );
      }
      const text = String(field).trim();
      if (text !== '') fields[key] = text;
    }
    return { index, service: trimmed, fields };
  });
}

/** The single-service inputs a list replaces: given together with `services`, an InputError naming the first. */
export function refuseWithList(has: (name: string) => boolean, raw: (name: string) => string, names: readonly string[]): void {
  for (const name of names) {
    if (has(name)) {
      throw new InputError(
        'GANTRY-ECS-018',
        name,
        raw(name),
        `nothing when 'services' is given (name each service, and its own settings, in the list)`,
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** The first line of the raw list (the message's value), never the whole document. */
function shown(raw: string): string {
  const first = raw.split('\n')[0];
  return raw.includes('\n') ? `${first} …` : first;
}
