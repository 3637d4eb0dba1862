/**
 * The release status chain after a rollback, written from what the service RUNS at the end, not
 * from what was asked: a rollback that failed while ECS's circuit breaker put the service back on
 * the revision rolled back from must not tag that healthy, live release `rolled-back` (a later
 * `previous` would then skip it, and `version:`/`sha:` would not find it).
 *
 * | outcome                          | from (rolled back from)                 | to (target)     |
 * | rolled-back / started (no wait)  | rolled-back + reason                    | unchanged       |
 * | failed                           | rolled-back, unless the service runs it | failed          |
 * | timed-out, cancelled             | rolled-back, unless the service runs it | unchanged       |
 * | what runs is unknown             | unchanged (warning)                     | as above        |
 */
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { abortAfter } from '../../../lib/ecs/readback';
import { logStatusWrite, sanitizeTagValue, setReleaseStatusChecked } from '../../../lib/ecs/release';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import { shortName } from './revisions';

export type ChainOutcome = 'rolled-back' | 'started' | 'failed' | 'timed-out' | 'cancelled';

export interface ChainRequest {
  ecs: ECSClient;
  fromArn: string;
  toArn: string;
  outcome: ChainOutcome;
  /** The service's task definition at the end; undefined when it could not be read. */
  liveArn: string | undefined;
  reason: string;
  log: Logger;
}

/** Whether the revision rolled back from was tagged rolled-back. */
export async function recordChain(req: ChainRequest): Promise<boolean> {
  const { log } = req;
  if (req.outcome === 'failed') await recordTargetFailed(req.ecs, req.toArn, log);
  const settled = req.outcome === 'rolled-back' || req.outcome === 'started';
  if (!settled) {
    if (req.liveArn === undefined) {
      log.warning(
        `What the service runs is unknown, so ${shortName(req.fromArn)} keeps its ${TAG.status}: check it and tag it by hand if it no longer runs.`,
      );
      return false;
    }
    if (req.liveArn === req.fromArn) {
      log.info(`The service runs ${shortName(req.fromArn)} again (the rollback did not take), so it keeps its ${TAG.status}.`);
      return false;
    }
  }
  return recordRolledBack(req.ecs, req.fromArn, req.reason, log);
}

/** The service's task definition now, or undefined (logged) when it cannot be read. */
export async function liveTaskDefinition(
  ecs: ECSClient,
  cluster: string,
  service: string,
  log: Logger,
  timeoutMs?: number,
): Promise<string | undefined> {
  try {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), abortAfter(timeoutMs));
    return out.services?.[0]?.taskDefinition;
  } catch (err) {
    log.warning(`Could not read the service's task definition after the rollout: ${describeError(err)}`);
    return undefined;
  }
}

async function recordTargetFailed(ecs: ECSClient, arn: string, log: Logger): Promise<void> {
  const written = await setReleaseStatusChecked(ecs, arn, 'failed');
  logStatusWrite(
    log,
    shortName(arn),
    arn,
    'failed',
    written,
    `Tagged ${shortName(arn)} ${TAG.status}=failed: the rollback to it failed, so a later 'previous' rollback goes past it.`,
  );
}

/** The rollback itself stands either way; without the tag a later `previous` still goes back, never to this revision. */
async function recordRolledBack(ecs: ECSClient, arn: string, reason: string, log: Logger): Promise<boolean> {
  const written = await setReleaseStatusChecked(ecs, arn, 'rolled-back', { [TAG.rollbackReason]: reason });
  return logStatusWrite(
    log,
    shortName(arn),
    arn,
    'rolled-back',
    written,
    `Tagged ${shortName(arn)} ${TAG.status}=rolled-back (${TAG.rollbackReason}: ${sanitizeTagValue(reason)}).`,
  );
}
