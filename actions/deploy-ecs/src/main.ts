/** Wiring only: inputs → clients → deploy → outputs and job summary, on every exit path. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClients } from '../../../lib/ecs/clients';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { run as runAction } from '../../../lib/runner/github';
import { runnerContext } from '../../../lib/ecs/metadata';
import { deadlineBoundLogs, explainFailedRollout } from '../../../lib/ecs/task-logs';
import { onTermination } from '../../../lib/runner/termination';
import { deploy, type DeployResult } from './deploy';
import { answerGate, gateListener } from './gate';
import { getInputs } from './inputs';
import { recordCancelledDeploy, touchedResult } from './interrupted';
import { runServiceList } from './multi-main';
import { DeployProgress } from './progress';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

/** SIGINT → SIGTERM is 7.5 s on the runner: record within 5 s. */
const TERMINATION_GRACE_MS = 5_000;

export async function main(): Promise<void> {
  const inputs = getInputs();
  const deadline = systemClock.now() + inputs['timeout-seconds'] * 1000;
  const clients = ecsClients({
    region: inputs['aws-region'],
    endpointUrl: inputs['endpoint-url'],
    deadline,
    pollIntervalMs: inputs['poll-interval-seconds'] * 1000,
  });
  if (inputs.services) return runServiceList(inputs, clients, deadline);
  const progress = new DeployProgress();
  let reported = false;
  const report = async (result: DeployResult): Promise<void> => {
    if (reported) return;
    reported = true;
    setOutputs({
      'task-definition-arn': result.taskDefinitionArn,
      'previous-task-definition-arn': result.previousTaskDefinitionArn,
      revision: result.revision,
      'deployment-id': result.deploymentId,
      status: result.status,
      'service-deployment-arn': result.strategy && result.strategy !== 'ROLLING' ? result.serviceDeploymentArn : undefined,
      'hook-id': result.gate?.hookId,
      'lifecycle-stage': result.gate?.stage ?? result.rollout?.native?.stages.at(-1)?.stage,
      'gate-listener': result.gate ? gateListener(result.gate.stage) : undefined,
    });
    await writeSummary(renderSummary(inputs, result));
  };
  const stopHandling = onTermination({
    graceMs: TERMINATION_GRACE_MS,
    announce: (line) => coreLogger.warning(line),
    record: async (signal) => {
      if (reported) return;
      const result = await recordCancelledDeploy(inputs, progress, { ecs: clients.recordEcs, log: coreLogger, signal, report });
      if (result) coreLogger.error(failureOf(result).message);
    },
  });
  let result: DeployResult;
  try {
    const deps = { ...clients, clock: systemClock, log: coreLogger, context: runnerContext(), progress, deadline };
    result = inputs['gate-action'] ? await answerGate(inputs, deps) : await deploy(inputs, deps);
  } catch (err) {
    // Only reached before UpdateService in practice (deploy() settles what comes after); outputs are still owed once it was sent.
    if (progress.touched && !progress.cancelled) await report(touchedResult(inputs, progress, 'failed', err));
    else if (!progress.cancelled) await writeSummary(renderErrorSummary(inputs, err));
    throw err;
  } finally {
    if (!progress.cancelled) stopHandling();
  }
  if (result.status === 'failed' || result.status === 'timed-out') {
    // The crashing containers' own last lines (diagnostics, within the record clients' extra poll).
    const logs = deadlineBoundLogs({
      region: inputs['aws-region'],
      endpointUrl: inputs['endpoint-url'],
      deadline,
      pollIntervalMs: inputs['poll-interval-seconds'] * 1000,
    });
    await explainFailedRollout({
      recordEcs: clients.recordEcs,
      logs,
      tasks: result.rollout?.stoppedTasks ?? [],
      limit: inputs['log-lines'] ?? 20,
      log: coreLogger,
    });
  }
  await report(result);
  if (result.status === 'failed' || result.status === 'timed-out') throw failureOf(result);
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
