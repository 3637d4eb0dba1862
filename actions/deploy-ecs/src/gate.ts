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
import { DescribeServiceRevisionsCommand, type ECSClient, type Service, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { describeServiceOrFail } from '../../../lib/ecs/release';
import { describeServiceDeployment, answerHook, awaitingHook, waitForServiceDeployment } from '../../../lib/ecs/service-deployment';
import { strategyFor } from '../../../lib/ecs/strategies';
import { pauseHookStages, type PauseStage, type StrategyName } from '../../../lib/ecs/strategy';
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

/** gate-action: answer the paused hook of a service deployment (CONTINUE / ROLLBACK) and watch what follows. */
export async function answerGate(inputs: Inputs, deps: DeployDeps): Promise<DeployResult> {
  const { ecs, clock, log } = deps;
  const started = clock.now();
  const elapsed = (): number => clock.now() - started;
  const action = inputs['gate-action'] ?? 'continue';
  const arn = inputs['service-deployment-arn'] as string;
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
  const watch = {
    ecs: deps.pollEcs ?? ecs,
    cluster: inputs.cluster,
    service: inputs.service,
    started: { serviceDeploymentArn: arn },
    taskDefinitionArn: target,
    intervalMs: inputs['poll-interval-seconds'] * 1000,
    timeoutMs: inputs['timeout-seconds'] * 1000,
    clock,
    log,
    knownEventIds: (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined),
  };

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
    if (hook?.hookId) {
      await answerHook(ecs, { serviceDeploymentArn: arn, hookId: hook.hookId }, 'CONTINUE');
      answered.push(hook.hookId);
      log.info(`ContinueServiceDeployment CONTINUE on hook ${hook.hookId} at ${sd.lifecycleStage ?? '?'}.`);
    } else if (!named) {
      log.warning(
        `Service deployment ${arn} has no PAUSE hook AWAITING_ACTION (it is ${sd.status ?? '?'} at ${sd.lifecycleStage ?? '?'}); watching it without answering.`,
      );
    }
    const gateStages = gateStagesFor(strategy.name, service, inputs['gate-stages'], log);
    const rollout = await log.group(`Rollout of ${arn}`, () =>
      waitForServiceDeployment({ ...watch, gateStages, answeredHookIds: answered }),
    );
    return recordOutcome(common, rollout, (status) => recordFate(deps.recordEcs ?? ecs, target, status, log), log, elapsed);
  }

  const stage = sd.lifecycleStage;
  let live;
  try {
    live = await strategy.rollBackLive?.({ ecs, serviceDeploymentArn: arn, log });
  } catch (err) {
    throw new ActionFailure(
      'GANTRY-DEPLOY-011',
      `Rolling back service deployment ${arn} failed: ${describeError(err)}. Traffic may still reach ${target}; run the rollback action.`,
    );
  }
  if (!live && sd.status === 'SUCCESSFUL') {
    log.warning(
      `Service deployment ${arn} already finished SUCCESSFUL: nothing live to roll back; the rollback action returns the service to its last good release.`,
    );
    return { ...common, status: 'deployed', durationMs: elapsed() };
  }
  const rollout = await log.group(`Rollback of ${arn}`, () => waitForServiceDeployment({ ...watch, expectRollback: true }));
  if (rollout.status !== 'completed') {
    await recordFate(ecs, target, 'failed', log);
    return {
      ...common,
      status: rollout.status === 'timed-out' ? 'timed-out' : 'failed',
      rollout,
      reason: `rollback of ${arn} did not finish: ${rollout.reason}`,
      durationMs: elapsed(),
    };
  }
  await recordFate(ecs, target, 'failed', log);
  const how = live ? `${live.method} ROLLBACK at ${live.stage ?? stage ?? '?'}` : `ECS rollback (${sd.status ?? '?'})`;
  return {
    ...common,
    status: 'failed',
    rollout,
    reason: `rolled back by gate-action rollback (${how}): traffic is back on ${previous ?? 'the previous revision'}; ${rollout.reason}`,
    durationMs: elapsed(),
  };
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
