/**
 * The deploy's exit paths that have no DeployResult: the job was cancelled (SIGINT/SIGTERM), or an
 * error escaped deploy(). Once UpdateService was sent the outputs are owed — the workflow's
 * rollback step keys on `previous-task-definition-arn` — and the release, never judged, is tagged
 * `failed` so that neither it stays `pending` on a service that runs it unverified nor a later
 * `previous` rollback picks it.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { setReleaseStatus } from '../../../lib/ecs/release';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import type { DeployResult } from './deploy';
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

/** Outputs first (no AWS call needed), then the tag. Returns the result reported, if any. */
export async function recordCancelledDeploy(inputs: Inputs, progress: DeployProgress, deps: CancelDeps): Promise<DeployResult | undefined> {
  progress.cancelled = true;
  const arn = progress.touched?.taskDefinitionArn ?? progress.registeredArn;
  let result: DeployResult | undefined;
  if (progress.touched) {
    const left = progress.touched.cancelled ?? `the service was told to run ${progress.touched.taskDefinitionArn}, unverified`;
    result = touchedResult(inputs, progress, 'cancelled', `${deps.signal} before the rollout's verdict: ${left}`);
    await deps.report(result);
  } else if (progress.serviceDeploymentArn) {
    // A gate step cancelled before it read the deployment: it answered nothing, the deployment waits where it was.
    result = touchedResult(
      inputs,
      progress,
      'cancelled',
      `${deps.signal} before gate-action ${inputs['gate-action'] ?? ''} answered anything: service deployment ${progress.serviceDeploymentArn} is as the step found it`,
    );
    await deps.report(result);
  }
  if (arn) {
    try {
      await setReleaseStatus(deps.ecs, arn, 'failed');
      deps.log.info(`Tagged ${arn} ${TAG.status}=failed: cancelled before its rollout was judged.`);
    } catch (err) {
      deps.log.warning(`Could not tag ${arn} ${TAG.status}=failed: ${describeError(err)}`);
    }
  }
  return result;
}
