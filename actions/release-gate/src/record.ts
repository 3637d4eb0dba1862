/**
 * The record a deploy leaves for the next environment's gate, once deploy-ecs deployed and the smoke
 * test passed: the digest and the promotion verdict as tags on the task definition (gantry's release
 * metadata, next to gantry:git-sha), and a `gantry release` annotation on this job, which the gate of the
 * environment promoted into reads through the Checks API (it cannot read this account's ECS).
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { tagRelease } from '../../../lib/ecs/release';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import type { RecordInputs } from './inputs';

export function releaseAnnotation(image: string, sha: string, taskDefinitionArn: string): string {
  return `image=${image} sha=${sha} task-definition=${taskDefinitionArn}`;
}

export async function recordRelease(
  ecs: ECSClient,
  inputs: RecordInputs,
  log: Logger,
): Promise<{ summary: string; tags: Record<string, string>; annotation: string }> {
  const digest = inputs.image.slice(inputs.image.indexOf('@') + 1);
  const tags: Record<string, string> = { [TAG.imageDigest]: digest, [TAG.promotion]: inputs.promotion };
  if (inputs.reason !== undefined) tags[TAG.overrideReason] = inputs.reason;
  try {
    await tagRelease(ecs, inputs.taskDefinitionArn, tags);
  } catch (err) {
    throw new ActionFailure(
      'GANTRY-GATE-030',
      `Could not record the release on ${inputs.taskDefinitionArn}: ${describeError(err)}. The deploy role needs ecs:TagResource on the task definition family; without the record, the next environment's gate has no digest to promote.`,
    );
  }
  log.info(
    `Recorded ${Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} on ${inputs.taskDefinitionArn}.`,
  );
  const override = inputs.reason !== undefined ? ` Override reason: ${inputs.reason}.` : '';
  return {
    tags,
    annotation: releaseAnnotation(inputs.image, inputs.sha, inputs.taskDefinitionArn),
    summary: `Release recorded on \`${inputs.taskDefinitionArn}\`: \`${inputs.image}\`, promotion ${inputs.promotion}.${override}`,
  };
}
