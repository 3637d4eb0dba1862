/**
 * The deploy's exit paths that have no DeployResult: the job was cancelled (SIGINT/SIGTERM), or an
 * error escaped deploy(). Once UpdateService was sent the outputs are owed — the workflow's
 * rollback step keys on `previous-task-definition-arn` — and the release, never judged, is tagged
 * `failed` so that neither it stays `pending` on a service that runs it unverified nor a later
 * `previous` rollback picks it.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { recordFate, type DeployResult } from './deploy';
import type { Inputs } from './inputs';
import type { DeployProgress } from './progress';

export function touchedResult(inputs: Inputs, progress: DeployProgress, status: 'failed' | 'cancelled', reason: unknown): DeployResult {
  const touched = progress.touched;
  return {
    status,
    cluster: inputs.cluster,
    service: inputs.service,
    taskDefinitionArn: touched?.taskDefinitionArn,
    previousTaskDefinitionArn: touched?.previousTaskDefinitionArn,
    revision: touched?.revision,
    deploymentId: progress.deploymentId,
    strategy: touched?.strategy,
    serviceDeploymentArn: touched?.serviceDeploymentArn ?? progress.serviceDeploymentArn,
    targets: [],
    registered: touched?.registered ?? false,
    waited: false,
    reason: typeof reason === 'string' ? reason : describeError(reason),
    durationMs: 0,
  };
}

export interface CancelDeps {
  ecs: ECSClient;
  log: Logger;
  signal: NodeJS.Signals;
  /** Writes the outputs and the summary (once). */
  report: (result: DeployResult) => Promise<void>;
}

/**
 * What a cancelled run reports (no AWS call needed), or undefined when the service was never
 * touched. Marks the progress cancelled: deploy() writes no more tags and sends no UpdateService.
 */
export function cancelledResult(inputs: Inputs, progress: DeployProgress, signal: NodeJS.Signals): DeployResult | undefined {
  progress.cancelled = true;
  if (progress.touched) {
    const left = progress.touched.cancelled ?? `the service was told to run ${progress.touched.taskDefinitionArn}, unverified`;
    return touchedResult(inputs, progress, 'cancelled', `${signal} before the rollout's verdict: ${left}`);
  }
  if (progress.serviceDeploymentArn) {
    // A gate step cancelled before it read the deployment: it answered nothing, the deployment waits where it was.
    return touchedResult(
      inputs,
      progress,
      'cancelled',
      `${signal} before gate-action ${inputs['gate-action'] ?? ''} answered anything: service deployment ${progress.serviceDeploymentArn} is as the step found it`,
    );
  }
  return undefined;
}

/** The revision this run registered or told the service to run, never judged: tagged failed (read back after an error). */
export async function tagCancelled(ecs: ECSClient, progress: DeployProgress, log: Logger): Promise<void> {
  const arn = progress.touched?.taskDefinitionArn ?? progress.registeredArn;
  if (arn) await recordFate(ecs, arn, 'failed', log);
}

/** Outputs first, then the tag. Returns the result reported, if any. */
export async function recordCancelledDeploy(inputs: Inputs, progress: DeployProgress, deps: CancelDeps): Promise<DeployResult | undefined> {
  const result = cancelledResult(inputs, progress, deps.signal);
  if (result) await deps.report(result);
  await tagCancelled(deps.ecs, progress, deps.log);
  return result;
}
