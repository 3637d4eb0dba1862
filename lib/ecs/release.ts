/**
 * Release metadata on task definition revisions (tags named in lib/ecs/metadata.ts), and the
 * service lookup both deploy-ecs and rollback start with. Rollback finds "the last good
 * release" from these tags alone, so reading and writing them lives in one place.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  type ECSClient,
  type Service,
  type Tag,
} from '@aws-sdk/client-ecs';
import { ActionFailure, InputError, describeError } from '../runner/errors';
import type { Logger } from '../runner/logger';
import { TAG, type ReleaseStatus } from './metadata';

/** ECS tag values: at most 256 characters of letters, digits, spaces and `+ - = . _ : / @`. */
export function sanitizeTagValue(value: string): string {
  return value
    .replace(/[^\p{L}\p{N}\s+\-=._:/@]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 256);
}

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key !== undefined) record[tag.key] = tag.value ?? '';
  return record;
}

export function recordToTags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

/** All tags of a task definition revision (DescribeTaskDefinition with include TAGS). */
export async function readReleaseTags(ecs: ECSClient, taskDefinitionArn: string): Promise<Record<string, string>> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] }));
  return tagsToRecord(out.tags);
}

/**
 * Record a release's fate (`gantry:status`) plus optional extra tags, e.g.
 * `{ [TAG.rollbackReason]: '…' }`. Values are sanitised to what ECS accepts; other tags stay.
 */
export async function setReleaseStatus(
  ecs: ECSClient,
  taskDefinitionArn: string,
  status: ReleaseStatus,
  extra: Record<string, string> = {},
): Promise<void> {
  await tagRelease(ecs, taskDefinitionArn, { ...extra, [TAG.status]: status });
}

/** What a status tag call ended as, read back (ListTagsForResource) when TagResource ended in an error. */
export type StatusWrite =
  /** `error`: TagResource failed, but its answer was only lost: the tags read back show the status. */
  | { written: true; error?: string }
  /** TagResource failed and the revision shows another status (`current`, undefined for none). */
  | { written: false; error: string; current: string | undefined }
  /** TagResource failed and the tags could not be read back either. */
  | { written: 'unknown'; error: string; readError: string };

/**
 * setReleaseStatus, and after an error the tags read back: an error after the call reached ECS (a
 * lost answer, an HTTP 500, a timeout) may have written the tag all the same, so only what the
 * revision shows decides whether it is there.
 */
export async function setReleaseStatusChecked(
  ecs: ECSClient,
  taskDefinitionArn: string,
  status: ReleaseStatus,
  extra: Record<string, string> = {},
): Promise<StatusWrite> {
  try {
    await setReleaseStatus(ecs, taskDefinitionArn, status, extra);
    return { written: true };
  } catch (err) {
    const error = describeError(err);
    try {
      const out = await ecs.send(new ListTagsForResourceCommand({ resourceArn: taskDefinitionArn }));
      const current = tagsToRecord(out.tags)[TAG.status];
      return current === status ? { written: true, error } : { written: false, error, current };
    } catch (readErr) {
      return { written: 'unknown', error, readError: describeError(readErr) };
    }
  }
}

/**
 * Logs how a status tag call ended (`label`: how the log names the revision): `tagged` when it went
 * through, an info line when only its answer was lost, else a warning naming the revision, what it
 * still has (or that this is UNKNOWN) and the command that fixes it by hand. Returns whether the tag is there.
 */
export function logStatusWrite(
  log: Logger,
  label: string,
  arn: string,
  status: ReleaseStatus,
  written: StatusWrite,
  tagged: string,
): boolean {
  const tag = `${TAG.status}=${status}`;
  if (written.written === true) {
    log.info(
      written.error === undefined
        ? tagged
        : `TagResource ${tag} on ${label} failed (${written.error}), but reading the tags back shows it written.`,
    );
    return true;
  }
  if (written.written === false) {
    const has = written.current === undefined ? `no ${TAG.status}` : `${TAG.status}=${written.current}`;
    log.warning(
      `Could not tag ${label} ${tag} (${written.error}): it still has ${has}. Tag it by hand: aws ecs tag-resource --resource-arn ${arn} --tags key=${TAG.status},value=${status}`,
    );
  } else {
    log.warning(
      `Could not tag ${label} ${tag} (${written.error}); whether it has it is UNKNOWN: reading its tags back failed (${written.readError}). Check: aws ecs list-tags-for-resource --resource-arn ${arn}`,
    );
  }
  return false;
}

/** Add or replace release tags on a revision (values sanitised to what ECS accepts); other tags stay. */
export async function tagRelease(ecs: ECSClient, taskDefinitionArn: string, tags: Record<string, string>): Promise<void> {
  await ecs.send(new TagResourceCommand({ resourceArn: taskDefinitionArn, tags: recordToTags(mapValues(tags, sanitizeTagValue)) }));
}

/**
 * The service as DescribeServices reports it, or an InputError naming `cluster` / `service`
 * when either does not exist (or the service was deleted).
 */
export async function describeServiceOrFail(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let out;
  try {
    out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (err) {
    if (err instanceof Error && err.name === 'ClusterNotFoundException') {
      throw new InputError('GANTRY-ECS-003', 'cluster', cluster, `an existing ECS cluster (${describeError(err)})`);
    }
    throw err;
  }
  const found = out.services?.[0];
  if (!found) {
    const failure = out.failures?.[0];
    throw new InputError(
      'GANTRY-ECS-004',
      'service',
      service,
      `an existing service in cluster '${cluster}' (DescribeServices reported ${failure?.reason ?? 'no service'})`,
    );
  }
  if (found.status !== undefined && found.status !== 'ACTIVE') {
    throw new InputError('GANTRY-ECS-005', 'service', service, `an ACTIVE service in cluster '${cluster}' (it is ${found.status})`);
  }
  return found;
}

/** CODE_DEPLOY (blue/green through CodeDeploy) and EXTERNAL services are not rolled by UpdateService. */
export function assertEcsDeploymentController(service: Service): void {
  const type = service.deploymentController?.type ?? 'ECS';
  if (type !== 'ECS') {
    throw new ActionFailure(
      'GANTRY-ECS-006',
      `Service ${service.serviceName ?? ''} uses the ${type} deployment controller, which gantry does not support: ` +
        `only the ECS rolling-update controller can be deployed and watched with UpdateService. ` +
        (type === 'CODE_DEPLOY'
          ? 'Deploy it through CodeDeploy (aws-actions/amazon-ecs-deploy-task-definition with codedeploy-appspec).'
          : 'Deploy it with the tool that owns its task sets.'),
    );
  }
}

function mapValues(record: Record<string, string>, fn: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}
