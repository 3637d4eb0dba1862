/**
 * RegisterTaskDefinition without duplicates. The call is not idempotent: when its response is
 * lost (a reset connection, a malformed body, a timeout) the revision may exist anyway, and the
 * SDK's own retries would register it again — one orphan `pending` revision per retry. So the
 * client used here makes one attempt per `send`, the revision carries this run's
 * `gantry:run-token`, and before any new attempt after an unknown outcome the family's newest
 * revisions are searched for that token. A refusal (HTTP 4xx other than throttling) is known to
 * have registered nothing and is thrown as it is.
 */
import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { tagsToRecord } from '../../../lib/ecs/release';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import { backoffDelay } from '../../../lib/aws/retry';
import type { TaskDefinitionInput } from '../../../lib/ecs/task-definition-template';

export interface RegisterRequest {
  /** A client without SDK retries (maxAttempts 1). */
  ecs: ECSClient;
  /** The rendered revision; registered with `gantry:run-token` added to its tags. */
  input: TaskDefinitionInput;
  runToken: string;
  clock: Clock;
  log: Logger;
  /** Register attempts and look-ups together (default 6). */
  attempts?: number;
  /**
   * Clock time (epoch ms) of the action's deadline: no back-off reaches past it, and an attempt or look-up
   * cut off by it ends the registration (the client refuses every later call anyway).
   */
  deadline?: number;
  random?: () => number;
}

/** Newest revisions of the family searched for the token (the lost one is the newest or close to it). */
const LOOKUP_REVISIONS = 5;

type Outcome = 'refused' | 'throttled' | 'unknown';

function isDeadline(err: unknown): boolean {
  return err instanceof Error && err.name === 'DeadlineExceeded';
}

function outcomeOf(err: unknown): Outcome {
  if (!(err instanceof Error)) return 'unknown';
  if (err.name === 'DeadlineExceeded') return 'unknown';
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(err.name)) return 'throttled';
  // ECS answered 4xx: the request was validated and refused, nothing was registered.
  if (status !== undefined && status >= 400 && status < 500) return 'refused';
  return 'unknown';
}

export async function registerTaskDefinitionOnce(req: RegisterRequest): Promise<TaskDefinition> {
  const attempts = req.attempts ?? 6;
  const family = req.input.family;
  const input: TaskDefinitionInput = {
    ...req.input,
    tags: [...(req.input.tags ?? []).filter((t) => t.key !== TAG.runToken), { key: TAG.runToken, value: req.runToken }],
  };
  let unknown: string | undefined;
  let made = 0;
  let expired = false;
  /** Sleeps the back-off before attempt `attempt + 1`; false when that would reach the deadline (stop trying). */
  const backOff = async (attempt: number): Promise<boolean> => {
    const delay = backoffDelay(attempt, 500, 5_000, req.random);
    if (req.deadline !== undefined && req.clock.now() + delay >= req.deadline) {
      expired = true;
      return false;
    }
    await req.clock.sleep(delay);
    return true;
  };
  for (let attempt = 1; attempt <= attempts && !expired; attempt += 1) {
    made = attempt;
    if (unknown !== undefined && family) {
      const found = await findByRunToken(req.ecs, family, req.runToken).catch((err: unknown) => {
        if (isDeadline(err)) {
          expired = true;
          return 'lookup-failed' as const;
        }
        req.log.warning(`Could not look for this run's revision of ${family} (${describeError(err)}); looking again before registering.`);
        return 'lookup-failed' as const;
      });
      if (found === 'lookup-failed') {
        if (expired || !(await backOff(attempt))) break;
        continue;
      }
      if (found) {
        req.log.info(`RegisterTaskDefinition had registered ${found.taskDefinitionArn} (found by ${TAG.runToken}); not registering again.`);
        return found;
      }
    }
    try {
      const out = await req.ecs.send(new RegisterTaskDefinitionCommand(input));
      if (!out.taskDefinition?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
      return out.taskDefinition;
    } catch (err) {
      const outcome = outcomeOf(err);
      if (outcome === 'refused') throw err;
      if (outcome === 'unknown') unknown = describeError(err);
      if (attempt === attempts || isDeadline(err)) break;
      req.log.warning(
        `RegisterTaskDefinition attempt ${attempt} failed (${describeError(err)}); ` +
          (outcome === 'unknown' ? `its outcome is unknown: looking for this run's ${TAG.runToken} before trying again.` : 'trying again.'),
      );
      if (!(await backOff(attempt))) break;
    }
  }
  let lookup = '';
  if (unknown !== undefined && family) {
    const found = await findByRunToken(req.ecs, family, req.runToken).catch((err: unknown) => {
      lookup = describeError(err);
      return undefined;
    });
    if (found) return found;
  }
  throw new ActionFailure(
    'GANTRY-DEPLOY-030',
    `RegisterTaskDefinition of family ${family ?? '?'} failed after ${made} attempt${made === 1 ? '' : 's'}` +
      (unknown !== undefined
        ? lookup
          ? ` and whether a revision carries this run's ${TAG.runToken} ${req.runToken} is unknown (the look-up failed: ${lookup}; last unknown outcome: ${unknown})`
          : ` and no revision carries this run's ${TAG.runToken} ${req.runToken} (last unknown outcome: ${unknown})`
        : '') +
      '. The service was NOT changed.',
  );
}

/** This run's revision of `family`, if one was registered: newest revisions first. */
export async function findByRunToken(ecs: ECSClient, family: string, runToken: string): Promise<TaskDefinition | undefined> {
  const listed = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: LOOKUP_REVISIONS, status: 'ACTIVE' }),
  );
  const arns = (listed.taskDefinitionArns ?? []).filter((arn) => arn.split('/').pop()?.replace(/:\d+$/, '') === family);
  for (const arn of arns) {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    if (tagsToRecord(out.tags)[TAG.runToken] === runToken && out.taskDefinition) return out.taskDefinition;
  }
  return undefined;
}
