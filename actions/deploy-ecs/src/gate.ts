/**
 * PAUSE-hook gates of ECS-native deployments. deploy-ecs stops at an AWAITING_ACTION hook at a
 * gate stage and exposes the hook id, service deployment and stage as outputs; the workflow then
 * runs the smoke-test action against the listener the new revision is reachable on, and calls
 * deploy-ecs again with `gate-action` (this file) to CONTINUE — watching on to the next gate or
 * the end — or to ROLLBACK, which shifts traffic back to the previous revision at once.
 *
 * Why stop rather than run checks inside deploy-ecs: the smoke-test action already owns checks,
 * retries, TLS, databases and its own summary; a second copy inside deploy-ecs would drift, and a
 * stop keeps the hook's answer a visible, separate step in the run.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { abortAfter } from '../../../lib/ecs/readback';
import { describeServiceOrFail } from '../../../lib/ecs/release';
import { describeServiceDeployment, answerHook, awaitingHook, waitForServiceDeployment } from '../../../lib/ecs/service-deployment';
import { strategyFor } from '../../../lib/ecs/strategies';
import { pauseHookStages, type LiveRollback, type PauseStage, type StrategyName, type WatchOutcome } from '../../../lib/ecs/strategy';
import { ActionFailure, InputError, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { recordFate, recordOutcome, type DeployDeps, type DeployResult } from './deploy';
import type { Inputs } from './inputs';

/** The gate stages of this deploy: the input, else every stage with a PAUSE hook in the service's configuration. */
export function gateStagesFor(
  strategy: StrategyName,
  service: Service,
  requested: readonly PauseStage[] | undefined,
  log: Logger,
): PauseStage[] {
  if (strategy === 'ROLLING') {
    if (requested?.length)
      log.info(
        `gate-stages is ignored: service ${service.serviceName ?? ''} uses the ROLLING strategy, which has no lifecycle stages to stop at.`,
      );
    return [];
  }
  const configured = pauseHookStages(service);
  const stages = requested ? [...requested] : configured;
  for (const stage of stages) {
    if (!configured.includes(stage))
      log.warning(
        `gate-stages names ${stage}, but service ${service.serviceName ?? ''} has no PAUSE lifecycle hook there: ECS will not stop at ${stage}.`,
      );
  }
  const auto = configured.filter((s) => !stages.includes(s));
  log.info(
    `Gates (stop and expose the hook): ${stages.join(', ') || 'none'}${auto.length ? `; PAUSE hooks answered CONTINUE by deploy-ecs: ${auto.join(', ')}` : ''}.`,
  );
  return stages;
}

/** Which listener reaches the new revision while a hook at `stage` waits. */
export function gateListener(stage: PauseStage): 'test' | 'production' {
  return stage === 'POST_PRODUCTION_TRAFFIC_SHIFT' ? 'production' : 'test';
}

/** What a ContinueServiceDeployment / StopServiceDeployment that ended in an error did, judged from the deployment read back. */
export type AnswerVerdict =
  { changed: true; sd: ServiceDeployment } | { changed: false; sd: ServiceDeployment } | { changed: 'unknown'; error: string };

/** Judge one snapshot (pure): CONTINUE took effect once the hook no longer waits; ROLLBACK once ECS rolls back (or stopped). */
export function judgeAnswer(sd: ServiceDeployment, answer: { action: 'CONTINUE' | 'ROLLBACK'; hookId?: string }): AnswerVerdict {
  if (answer.action === 'CONTINUE') {
    const hook = sd.lifecycleHookDetails?.find((h) => h.hookId === answer.hookId);
    const waiting = hook?.status === 'AWAITING_ACTION' && (sd.status === 'IN_PROGRESS' || sd.status === 'PENDING');
    return { changed: !waiting, sd } as AnswerVerdict;
  }
  const status = sd.status ?? '';
  return { changed: status.startsWith('ROLLBACK') || status.startsWith('STOP'), sd } as AnswerVerdict;
}

/** `The service deployment WAS continued: …` — for the messages after an answer of unknown outcome. */
export function describeAnswer(
  verdict: AnswerVerdict,
  answer: { action: 'CONTINUE' | 'ROLLBACK'; hookId?: string },
  target: string,
): string {
  const verb = answer.action === 'CONTINUE' ? 'continued' : 'rolled back';
  if (verdict.changed === 'unknown')
    return `Whether the service deployment was ${verb} is UNKNOWN: reading it back failed (${verdict.error})${answer.action === 'ROLLBACK' ? `; traffic may still reach ${target}: run the rollback action` : ''}.`;
  const at = `${verdict.sd.status ?? '?'} at ${verdict.sd.lifecycleStage ?? '?'}`;
  const hook = verdict.sd.lifecycleHookDetails?.find((h) => h.hookId === answer.hookId);
  if (answer.action === 'CONTINUE')
    return verdict.changed
      ? `The service deployment WAS continued: hook ${answer.hookId ?? '?'} is ${hook?.status ?? 'gone'}, the deployment ${at}.`
      : `The service deployment was NOT continued: hook ${answer.hookId ?? '?'} is still AWAITING_ACTION, the deployment ${at}.`;
  return verdict.changed
    ? `The service deployment WAS rolled back: it is ${at}.`
    : `The service deployment was NOT rolled back: it is ${at}; traffic may still reach ${target}: run the rollback action.`;
}

/** DescribeServiceDeployments after an answer ended in an error: what ECS really did (one try per `attemptTimeoutMs`). */
export async function readBackAnswer(
  ecs: ECSClient,
  arn: string,
  answer: { action: 'CONTINUE' | 'ROLLBACK'; hookId?: string },
  bounds: { attempts: number; attemptTimeoutMs: number; delayMs: number; clock: DeployDeps['clock'] },
): Promise<AnswerVerdict> {
  let error = 'no attempt made';
  for (let attempt = 1; attempt <= bounds.attempts; attempt += 1) {
    try {
      const out = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
        abortAfter(bounds.attemptTimeoutMs),
      );
      const sd = out.serviceDeployments?.[0];
      if (sd) return judgeAnswer(sd, answer);
      error = `DescribeServiceDeployments returned no service deployment (${out.failures?.[0]?.reason ?? 'no failure reason'})`;
    } catch (err) {
      error = describeError(err);
      if (err instanceof Error && err.name === 'DeadlineExceeded') break;
    }
    if (attempt < bounds.attempts) await bounds.clock.sleep(bounds.delayMs);
  }
  return { changed: 'unknown', error };
}

/** gate-action: answer the paused hook of a service deployment (CONTINUE / ROLLBACK) and watch what follows. */
export async function answerGate(inputs: Inputs, deps: DeployDeps): Promise<DeployResult> {
  const { ecs, clock, log } = deps;
  const recordEcs = deps.recordEcs ?? ecs;
  const started = clock.now();
  const deadline = deps.deadline ?? started + inputs['timeout-seconds'] * 1000;
  const pollMs = inputs['poll-interval-seconds'] * 1000;
  const elapsed = (): number => clock.now() - started;
  const action = inputs['gate-action'] ?? 'continue';
  const arn = inputs['service-deployment-arn'] as string;
  if (deps.progress) deps.progress.serviceDeploymentArn = arn;
  const service = await describeServiceOrFail(ecs, inputs.cluster, inputs.service);
  const strategy = strategyFor(service);
  if (strategy.name === 'ROLLING') {
    throw new ActionFailure(
      'GANTRY-DEPLOY-009',
      `gate-action ${action}: service ${inputs.service} uses the ROLLING strategy, which has no PAUSE hooks to answer (gates are for BLUE_GREEN, LINEAR and CANARY).`,
    );
  }
  const sd = await describeServiceDeployment(ecs, arn);
  if (!sd || (sd.serviceArn && service.serviceArn && sd.serviceArn !== service.serviceArn)) {
    throw new InputError(
      'GANTRY-DEPLOY-010',
      'service-deployment-arn',
      arn,
      `a service deployment of service ${inputs.service} (${sd ? `it belongs to ${sd.serviceArn}` : 'DescribeServiceDeployments does not know it'})`,
    );
  }
  const { target, previous } = await revisionsOf(ecs, sd, service, log);
  const common = {
    cluster: inputs.cluster,
    service: inputs.service,
    registered: false,
    waited: true,
    targets: [],
    strategy: strategy.name,
    taskDefinitionArn: target,
    previousTaskDefinitionArn: previous,
    serviceDeploymentArn: arn,
  };
  // From here this step may change the deployment: every exit path reports (main.ts writes these on SIGTERM too).
  if (deps.progress)
    deps.progress.touched = {
      taskDefinitionArn: target,
      previousTaskDefinitionArn: previous,
      revision: revisionOf(target),
      registered: false,
      strategy: strategy.name,
      serviceDeploymentArn: arn,
      cancelled:
        action === 'continue'
          ? `gate-action continue on ${arn}: the service was told to run ${target}, unverified`
          : `gate-action rollback of ${arn} not confirmed: traffic may still reach ${target}`,
    };
  const record = (status: 'deployed' | 'failed'): Promise<void> =>
    deps.progress?.cancelled ? Promise.resolve() : recordFate(recordEcs, target, status, log);
  // Past the deadline a read-back gets a quarter poll, once, so that the tag still fits in the record client's grace.
  const readBack = (answer: { action: 'CONTINUE' | 'ROLLBACK'; hookId?: string }): Promise<AnswerVerdict> => {
    const left = deadline - clock.now();
    return readBackAnswer(recordEcs, arn, answer, {
      attempts: left < pollMs ? 1 : 3,
      attemptTimeoutMs: Math.min(30_000, Math.max(pollMs / 4, left)),
      delayMs: 1_000,
      clock,
    });
  };
  const watch = () => ({
    ecs: deps.pollEcs ?? ecs,
    cluster: inputs.cluster,
    service: inputs.service,
    started: { serviceDeploymentArn: arn },
    taskDefinitionArn: target,
    intervalMs: pollMs,
    // The wait ends at the action's deadline: the answer's own time counts too.
    timeoutMs: Math.max(0, deadline - clock.now()),
    reportedTimeoutMs: inputs['timeout-seconds'] * 1000,
    clock,
    log,
    knownEventIds: (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined),
  });
  /** A failure of this step is said with what it did to the deployment (a later watch's reason follows it). */
  const failed = (reason: string, rollout?: WatchOutcome): DeployResult => ({
    ...common,
    status: rollout?.status === 'timed-out' ? 'timed-out' : 'failed',
    rollout,
    reason,
    durationMs: elapsed(),
  });

  if (action === 'continue') {
    const wanted = inputs['hook-id'];
    const named = wanted ? sd.lifecycleHookDetails?.find((h) => h.hookId === wanted) : undefined;
    if (named && named.status !== 'AWAITING_ACTION') {
      log.warning(
        `Hook ${wanted} is ${named.status ?? '?'}, no longer AWAITING_ACTION${named.status === 'TIMED_OUT' ? `: ECS took its timeout action (${named.timeoutAction ?? 'ROLLBACK'})` : ''}; watching without answering.`,
      );
    }
    const hook = named ? (named.status === 'AWAITING_ACTION' ? named : undefined) : wanted ? { hookId: wanted } : awaitingHook(sd);
    const answered: string[] = [];
    let answerNote = '';
    if (hook?.hookId) {
      const answer = { action: 'CONTINUE' as const, hookId: hook.hookId };
      try {
        await answerHook(ecs, { serviceDeploymentArn: arn, hookId: hook.hookId }, 'CONTINUE');
        log.info(`ContinueServiceDeployment CONTINUE on hook ${hook.hookId} at ${sd.lifecycleStage ?? '?'}.`);
      } catch (err) {
        // Unknown outcome: ECS may have continued and lost the answer (a retry of it is then refused). Say what the deployment shows.
        const verdict = await readBack(answer);
        answerNote = `ContinueServiceDeployment CONTINUE on hook ${hook.hookId} of ${arn} failed: ${describeError(err)}. ${describeAnswer(verdict, answer, target)}`;
        if (verdict.changed !== true) {
          await record('failed');
          return failed(answerNote);
        }
        log.warning(`${answerNote} Watching it.`);
      }
      answered.push(hook.hookId);
    } else if (!named) {
      log.warning(
        `Service deployment ${arn} has no PAUSE hook AWAITING_ACTION (it is ${sd.status ?? '?'} at ${sd.lifecycleStage ?? '?'}); watching it without answering.`,
      );
    }
    const gateStages = gateStagesFor(strategy.name, service, inputs['gate-stages'], log);
    const rollout = await log.group(`Rollout of ${arn}`, () =>
      waitForServiceDeployment({ ...watch(), gateStages, answeredHookIds: answered }),
    );
    const result = await recordOutcome(common, rollout, record, log, elapsed);
    return answerNote && result.reason !== undefined ? { ...result, reason: `${answerNote} Then: ${result.reason}` } : result;
  }

  const stage = sd.lifecycleStage;
  let live: LiveRollback | undefined;
  let answerNote = '';
  try {
    live = await strategy.rollBackLive?.({ ecs, serviceDeploymentArn: arn, log });
  } catch (err) {
    // ROLLBACK (on the hook, or StopServiceDeployment) of unknown outcome: the deployment read back says what ECS does.
    const answer = { action: 'ROLLBACK' as const };
    const verdict = await readBack(answer);
    answerNote = `Rolling back service deployment ${arn} failed: ${describeError(err)}. ${describeAnswer(verdict, answer, target)}`;
    if (verdict.changed !== true) {
      await record('failed');
      return failed(answerNote);
    }
    log.warning(`${answerNote} Watching the rollback.`);
  }
  if (!live && !answerNote && sd.status === 'SUCCESSFUL') {
    log.warning(
      `Service deployment ${arn} already finished SUCCESSFUL: nothing live to roll back; the rollback action returns the service to its last good release.`,
    );
    return { ...common, status: 'deployed', durationMs: elapsed() };
  }
  const rollout = await log.group(`Rollback of ${arn}`, () => waitForServiceDeployment({ ...watch(), expectRollback: true }));
  await record('failed');
  if (rollout.status !== 'completed') {
    return failed(`${answerNote ? `${answerNote} ` : ''}rollback of ${arn} did not finish: ${rollout.reason}`, rollout);
  }
  const how = live
    ? `${live.method} ROLLBACK at ${live.stage ?? stage ?? '?'}`
    : answerNote
      ? `ROLLBACK at ${stage ?? '?'}, its answer lost`
      : `ECS rollback (${sd.status ?? '?'})`;
  return {
    ...common,
    status: 'failed',
    rollout,
    reason: `rolled back by gate-action rollback (${how}): traffic is back on ${previous ?? 'the previous revision'}; ${rollout.reason}`,
    durationMs: elapsed(),
  };
}

function revisionOf(arn: string): number | undefined {
  const match = /:(\d+)$/.exec(arn);
  return match ? Number(match[1]) : undefined;
}

/** The task definitions of the target (green) and source (blue) revisions of a service deployment. */
async function revisionsOf(
  ecs: ECSClient,
  sd: ServiceDeployment,
  service: Service,
  log: Logger,
): Promise<{ target: string; previous?: string }> {
  const targetArn = sd.targetServiceRevision?.arn;
  const sourceArn = sd.sourceServiceRevisions?.[0]?.arn;
  try {
    const arns = [targetArn, sourceArn].filter((a): a is string => a !== undefined);
    const out = arns.length ? await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns })) : undefined;
    const byArn = new Map((out?.serviceRevisions ?? []).map((r) => [r.serviceRevisionArn, r.taskDefinition]));
    const target = (targetArn && byArn.get(targetArn)) || service.taskDefinition;
    if (!target) throw new Error('no task definition on the target revision');
    return { target, previous: sourceArn ? byArn.get(sourceArn) : undefined };
  } catch (err) {
    log.warning(`Could not read the revisions of ${sd.serviceDeploymentArn} (${describeError(err)}); using the service's task definition.`);
    if (!service.taskDefinition)
      throw new ActionFailure('GANTRY-DEPLOY-012', `Service ${service.serviceName ?? ''} has no task definition.`);
    return { target: service.taskDefinition };
  }
}
