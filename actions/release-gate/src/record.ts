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

/** A list's record: one annotation (a step's annotations are capped) naming every revision; the gate reads `image=` and `sha=`. */
export function releaseListAnnotation(image: string, sha: string, taskDefinitionArns: readonly string[]): string {
  return `image=${image} sha=${sha} task-definitions=${taskDefinitionArns.join(',')}`;
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
  if (inputs.list) return recordReleaseList(clients, inputs, tags, listed, log);
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

/**
 * A list's record (`task-definition-arns`): the same tags on every revision, one after the other, each
 * TagResource that ends in an error read back like one service's. `recorded` is `true` only when every
 * revision carries the record; `false` when one is known not to (and none is unknown), else `unknown`.
 */
async function recordReleaseList(
  clients: RecordClients,
  inputs: RecordInputs,
  tags: Record<string, string>,
  listed: string,
  log: Logger,
): Promise<RecordOutcome> {
  const states: { arn: string; state: string; recorded: Recorded }[] = [];
  for (const arn of inputs.taskDefinitionArns) {
    try {
      await tagRelease(clients.ecs, arn, tags);
      log.info(`Recorded ${listed} on ${arn}.`);
      states.push({ arn, state: 'recorded', recorded: 'true' });
    } catch (err) {
      const verdict = await readBackRecord(clients.readEcs ?? clients.ecs, arn, tags);
      const what = describeError(err);
      if (verdict.recorded === 'true') {
        log.warning(
          `Could not record the release on ${arn}: ${what}. The record WAS written (read back: ${listed}): TagResource's answer was lost.`,
        );
        states.push({ arn, state: 'recorded (answer lost, read back)', recorded: 'true' });
      } else if (verdict.recorded === 'false') {
        states.push({ arn, state: `NOT recorded (${what}; it carries ${verdict.found})`, recorded: 'false' });
      } else {
        states.push({ arn, state: `UNKNOWN (${what}; reading the tags back failed: ${verdict.error})`, recorded: 'unknown' });
      }
    }
  }
  const annotation = releaseListAnnotation(inputs.image, inputs.sha, inputs.taskDefinitionArns);
  const missing = states.filter((s) => s.recorded !== 'true');
  if (missing.length > 0) {
    const recorded: Exclude<Recorded, 'true'> = missing.some((s) => s.recorded === 'unknown') ? 'unknown' : 'false';
    throw new RecordListFailure(
      recorded,
      `The release record is missing on ${missing.length} of ${states.length} revisions: ${missing.map((s) => `${s.arn} ${s.state}`).join('; ')}. The deploy role needs ecs:TagResource (and ecs:ListTagsForResource) on every task definition family of the release; without the record on every revision, the next environment's gate has no complete record to promote.`,
    );
  }
  const override = inputs.reason !== undefined ? ` Override reason: ${inputs.reason}.` : '';
  return {
    recorded: 'true',
    tags,
    annotation,
    summary: [
      `Release recorded on ${states.length} revisions: \`${inputs.image}\`, promotion ${inputs.promotion}.${override}`,
      '',
      '| task definition | record |',
      '| --- | --- |',
      ...states.map((s) => `| \`${s.arn}\` | ${s.state} |`),
    ].join('\n'),
  };
}

/** A list's record failure: which revisions lack the record, and `recorded` for the output. */
export class RecordListFailure extends ActionFailure {
  constructor(
    readonly recorded: Exclude<Recorded, 'true'>,
    message: string,
  ) {
    super('GANTRY-GATE-044', message);
  }
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
