/**
 * The names a workflow call with a `services` list runs under (deploy.yml's resolve job, rollback.yml's
 * check job), computed before any role is assumed and before the environment's approval:
 *
 * - `call-id`: the plan artifact's name (and the plan job's concurrency group) of this call — the
 *   cluster's name and the services' names, sorted, joined with `.` (a character no ECS name holds, so
 *   two different lists never give one id), every other character an artifact name refuses as `-`, at
 *   most CALL_ID_MAX characters: a longer id keeps its beginning and ends in a hash of the whole.
 * - `lock`: the deploy job's (and rollback.yml's job's) concurrency group suffix, `services@<cluster>`:
 *   one group for every list call of one cluster and environment, whatever services it names, so a
 *   deploy of [api, worker] and a rollback of [api] never run at once (a group per list would let
 *   them: GitHub's concurrency groups are names, not sets). docs/infra/multi-service.md says what that
 *   costs.
 *
 * The list itself is checked by lib/ecs/service-list.ts, the parser deploy-ecs and rollback use.
 */
import { createHash } from 'node:crypto';
import { serviceName } from '../../../lib/ecs/service-list';

export const CALL_ID_MAX = 64;
/** The hash that ends a call-id too long to hold every name. */
const HASH_LENGTH = 12;

/** A name as an artifact name (and a concurrency group) takes it: no `/`, `:`, `"`, `<`, `>`, `|`, `*`, `?`, `\`, spaces. */
export function artifactSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

export function callId(cluster: string, services: readonly string[]): string {
  const names = [...new Set(services.map(serviceName))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const id = [serviceName(cluster), ...names].map(artifactSafe).join('.');
  if (id.length <= CALL_ID_MAX) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, HASH_LENGTH);
  return `${id.slice(0, CALL_ID_MAX - HASH_LENGTH - 1)}-${hash}`;
}

/** `services@<cluster name>`: `@` is in no ECS name or ARN, so no single service's group (`<service>`) is ever this one. */
export function lockName(cluster: string): string {
  return `services@${artifactSafe(serviceName(cluster))}`;
}

export interface CallNames {
  callId: string;
  lock: string;
  names: string[];
  /** The entry a migration runs from (migration-service, default the first): its name and 0-based position. */
  migrationService: string;
  migrationIndex: number;
  /** That entry's task-definition file ('' when the revision is made from the service's current one): what deploy.yml checks the migration inputs against. */
  migrationTaskDefinition: string;
  summary: string;
}

export function callNames(
  cluster: string,
  services: readonly string[],
  migrationService?: string,
  taskDefinitions: readonly (string | undefined)[] = [],
): CallNames {
  const names = services.map(serviceName);
  const id = callId(cluster, services);
  const lock = lockName(cluster);
  const migrationIndex = migrationService === undefined ? 0 : Math.max(0, names.indexOf(serviceName(migrationService)));
  return {
    callId: id,
    lock,
    names,
    migrationService: names[migrationIndex] ?? '',
    migrationIndex,
    migrationTaskDefinition: taskDefinitions[migrationIndex] ?? '',
    summary: `Release of ${names.length} service${names.length === 1 ? '' : 's'} of cluster \`${serviceName(cluster)}\`: ${names.map((n) => `\`${n}\``).join(', ')} — call \`${id}\`, concurrency group suffix \`${lock}\`.`,
  };
}
