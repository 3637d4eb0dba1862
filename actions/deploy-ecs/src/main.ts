/** Wiring only: inputs → clients → deploy → outputs and job summary, on every exit path. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClientsForRun } from '../../../lib/ecs/clients';
import { coreLogger, reportOutcome, setOutputs, writeSummary } from '../../../lib/runner/github';
import { run as runAction } from '../../../lib/runner/github';
import { runnerContext } from '../../../lib/ecs/metadata';
import { describeFailure } from '../../../lib/runner/errors';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
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
  const { deadline, clients } = ecsClientsForRun(inputs, systemClock.now());
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
      'service-deployment-arn': result.strategy !== 'ROLLING' ? result.serviceDeploymentArn : undefined,
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
      if (result) coreLogger.error(describeFailure(failureOf(result)));
    },
  });
  await reportOutcome(
    async () => {
      try {
        const deps = { ...clients, clock: systemClock, log: coreLogger, context: runnerContext(), progress, deadline };
        return inputs['gate-action'] ? await answerGate(inputs, deps) : await deploy(inputs, deps);
      } finally {
        if (!progress.cancelled) stopHandling();
      }
    },
    {
      reportError: async (err) => {
        // Only reached before UpdateService in practice (deploy() settles what comes after); outputs are still owed once it was sent.
        if (progress.cancelled) return {};
        if (!progress.touched) return { summary: renderErrorSummary(inputs, err) };
        await report(touchedResult(inputs, progress, 'failed', err));
        return {};
      },
      report: async (result) => {
        const failed = result.status === 'failed' || result.status === 'timed-out';
        const tasks = result.rollout?.stoppedTasks ?? [];
        if (failed) await explainFailedRollout(inputs, { recordEcs: clients.recordEcs, deadline, tasks, log: coreLogger });
        await report(result);
        return { failure: failed ? failureOf(result) : undefined };
      },
    },
  );
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
