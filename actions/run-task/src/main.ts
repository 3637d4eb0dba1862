/** Wiring only: inputs → clients → runTask → outputs and job summary. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClients } from '../../../lib/ecs/clients';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { runnerContext } from '../../../lib/ecs/metadata';
import { deadlineBoundLogs } from '../../../lib/ecs/task-logs';
import { getInputs } from './inputs';
import { runTask } from './run';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

export async function main(): Promise<void> {
  const inputs = getInputs();
  // Every call bounded by the deadline (timeout-seconds): polls one request each, StopTask and the
  // last log read within one poll after it (lib/ecs/clients.ts).
  const deadline = systemClock.now() + inputs['timeout-seconds'] * 1000;
  const pollIntervalMs = inputs['poll-interval-seconds'] * 1000;
  const { ecs, pollEcs, recordEcs } = ecsClients({
    region: inputs['aws-region'],
    endpointUrl: inputs['endpoint-url'],
    deadline,
    pollIntervalMs,
  });
  const logs = deadlineBoundLogs({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'], deadline, pollIntervalMs });
  await reportOutcome(
    () => runTask(inputs, { ecs, pollEcs, recordEcs, logs, clock: systemClock, log: coreLogger, context: runnerContext() }),
    {
      report: (result) => ({
        outputs: {
          'task-arn': result.taskArn || undefined,
          status: result.status,
          'exit-code': result.exitCode,
          'stop-code': result.stopCode,
          'stopped-by-gantry': result.stoppedByGantry,
        },
        summary: renderSummary(inputs, result),
        failure: result.status !== 'succeeded' ? failureOf(inputs, result) : undefined,
      }),
      reportError: (err) => ({ summary: renderErrorSummary(inputs, err) }),
    },
  );
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
