/**
 * Task definition revisions as the target resolver sees them: ARN, family, revision number,
 * ECS status and tags. `RevisionCatalog` is the resolver's only view of ECS, so the resolver is
 * tested over plain tables and runs against ECS through `ecsRevisionCatalog`.
 */
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { tagsToRecord } from '../../../lib/ecs/release';

export interface RevisionRecord {
  arn: string;
  family: string;
  revision: number;
  /** ECS status: ACTIVE, INACTIVE (deregistered) or DELETE_IN_PROGRESS. */
  status: string;
  tags: Record<string, string>;
  registeredAt?: Date;
}

export type ListStatus = 'ACTIVE' | 'INACTIVE';

export interface RevisionCatalog {
  /** One revision by ARN (or `family:revision`); undefined when ECS does not know it. */
  get(ref: string): Promise<RevisionRecord | undefined>;
  /** ARNs of the family's revisions in `status`, newest first, at most `limit`. */
  list(family: string, status: ListStatus, limit: number): Promise<string[]>;
}

const ARN_TAIL = /task-definition\/([^:/]+):(\d+)$/;

/** `…:task-definition/web:12` → { family: 'web', revision: 12 }; also accepts `web:12`. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision: number } | undefined {
  const match = ARN_TAIL.exec(ref) ?? /^([^:/]+):(\d+)$/.exec(ref);
  return match ? { family: match[1], revision: Number(match[2]) } : undefined;
}

/** `arn:…:task-definition/web:12` → `web:12`, for messages. */
export function shortName(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '—';
}

/** DescribeTaskDefinition answers ClientException "Unable to describe task definition." for unknown revisions. */
function isUnknownRevision(err: unknown): boolean {
  return err instanceof Error && err.name === 'ClientException' && /unable to describe|revision is missing|not found/i.test(err.message);
}

/** At most this many ListTaskDefinitions pages: `familyPrefix` also matches longer family names. */
const MAX_LIST_PAGES = 10;

/**
 * The catalog over ECS: DescribeTaskDefinition (with tags, cached per ARN) and
 * ListTaskDefinitions sorted DESC, paginated, filtered to the exact family and bounded.
 */
export function ecsRevisionCatalog(ecs: ECSClient): RevisionCatalog {
  const cache = new Map<string, Promise<RevisionRecord | undefined>>();

  const fetchRevision = async (ref: string): Promise<RevisionRecord | undefined> => {
    try {
      const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
      const td = out.taskDefinition;
      const arn = td?.taskDefinitionArn;
      const parsed = arn ? parseTaskDefinitionRef(arn) : undefined;
      if (!td || !arn || !parsed) return undefined;
      return {
        arn,
        family: td.family ?? parsed.family,
        revision: td.revision ?? parsed.revision,
        status: td.status ?? 'ACTIVE',
        tags: tagsToRecord(out.tags),
        registeredAt: td.registeredAt,
      };
    } catch (err) {
      if (isUnknownRevision(err)) return undefined;
      throw err;
    }
  };

  return {
    get(ref) {
      let found = cache.get(ref);
      if (!found) {
        found = fetchRevision(ref);
        cache.set(ref, found);
      }
      return found;
    },
    async list(family, status, limit) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES && arns.length < limit; page += 1) {
        const out = await ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: 'DESC', maxResults: 100, nextToken }),
        );
        for (const arn of out.taskDefinitionArns ?? []) if (parseTaskDefinitionRef(arn)?.family === family) arns.push(arn);
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      // ECS already sorts DESC; sorting again keeps the order right for emulators that do not.
      return arns.sort((a, b) => revisionNumber(b) - revisionNumber(a)).slice(0, limit);
    },
  };
}

function revisionNumber(arn: string): number {
  return parseTaskDefinitionRef(arn)?.revision ?? 0;
}
