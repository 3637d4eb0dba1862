/**
 * The record a deploy leaves for the next environment's gate, once deploy-ecs deployed and the smoke
 * test passed: the digest and the promotion verdict as tags on the task definition (gantry's release
 * metadata, next to gantry:git-sha), and a `gantry release` annotation on this job, which the gate of the
 * environment promoted into reads through the Checks API (it cannot read this account's ECS).
 */
import { ListTagsForResourceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sanitizeTagValue, tagRelease, tagsToRecord } from '../../../lib/ecs/release';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import type { RecordInputs } from './inputs';

export function releaseAnnotation(image: string, sha: string, taskDefinitionArn: string): string {
  return `image=${image} sha=${sha} task-definition=${taskDefinitionArn}`;
}

/** Whether the record is on the task definition: `true`, `false`, or `unknown` when the tags could not be read back. */
export type Recorded = 'true' | 'false' | 'unknown';

export interface RecordOutcome {
  recorded: Recorded;
  summary: string;
  tags: Record<string, string>;
  annotation: string;
}

export interface RecordClients {
  /** TagResource: SDK retries, ends at the deadline. */
  ecs: ECSClient;
  /** ListTagsForResource after a TagResource error: alive a little past the deadline, to say what is there. */
  readEcs?: ECSClient;
}

/**
 * Tags the release. A TagResource that ends in an error may have been applied (a lost answer, a timeout), so
 * the tags are read back (ListTagsForResource) before anything is said: written (the answer was lost; the
 * record stands), NOT written, or UNKNOWN. Anything but written fails the step, with `recorded` set.
 */
export async function recordRelease(ecs: ECSClient | RecordClients, inputs: RecordInputs, log: Logger): Promise<RecordOutcome> {
  const clients: RecordClients = 'send' in ecs ? { ecs } : ecs;
  const digest = inputs.image.slice(inputs.image.indexOf('@') + 1);
  const tags: Record<string, string> = { [TAG.imageDigest]: digest, [TAG.promotion]: inputs.promotion };
  if (inputs.reason !== undefined) tags[TAG.overrideReason] = inputs.reason;
  const listed = Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const annotation = releaseAnnotation(inputs.image, inputs.sha, inputs.taskDefinitionArn);
  const override = inputs.reason !== undefined ? ` Override reason: ${inputs.reason}.` : '';
  const written = `Release recorded on \`${inputs.taskDefinitionArn}\`: \`${inputs.image}\`, promotion ${inputs.promotion}.${override}`;
  try {
    await tagRelease(clients.ecs, inputs.taskDefinitionArn, tags);
  } catch (err) {
    const verdict = await readBackRecord(clients.readEcs ?? clients.ecs, inputs.taskDefinitionArn, tags);
    const what = `Could not record the release on ${inputs.taskDefinitionArn}: ${describeError(err)}.`;
    if (verdict.recorded === 'true') {
      log.warning(`${what} The record WAS written (read back: ${listed}): TagResource's answer was lost.`);
      return { recorded: 'true', tags, annotation, summary: `${written} (TagResource's answer was lost; the tags were read back.)` };
    }
    const said =
      verdict.recorded === 'false'
        ? `The record was NOT written: the task definition carries ${verdict.found}.`
        : `Whether the record was written is UNKNOWN: reading the tags back failed (${verdict.error}).`;
    throw new RecordFailure(
      verdict.recorded,
      `${what} ${said} The deploy role needs ecs:TagResource (and ecs:ListTagsForResource) on the task definition family; without the record, the next environment's gate has no digest to promote.`,
    );
  }
  log.info(`Recorded ${listed} on ${inputs.taskDefinitionArn}.`);
  return { recorded: 'true', tags, annotation, summary: written };
}

/** The record's step failure, with what is known of it for the `recorded` output. */
export class RecordFailure extends ActionFailure {
  constructor(
    readonly recorded: Exclude<Recorded, 'true'>,
    message: string,
  ) {
    super('GANTRY-GATE-030', message);
  }
}

/** Are exactly these tags (values as ECS stores them) on the task definition? */
export async function readBackRecord(
  ecs: ECSClient,
  arn: string,
  tags: Record<string, string>,
): Promise<{ recorded: 'true' } | { recorded: 'false'; found: string } | { recorded: 'unknown'; error: string }> {
  let present: Record<string, string>;
  try {
    present = tagsToRecord((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags);
  } catch (err) {
    return { recorded: 'unknown', error: describeError(err) };
  }
  const differing = Object.entries(tags).filter(([key, value]) => present[key] !== sanitizeTagValue(value));
  if (differing.length === 0) return { recorded: 'true' };
  return {
    recorded: 'false',
    found: differing.map(([key]) => (key in present ? `${key}=${present[key]}` : `no ${key}`)).join(', '),
  };
}
