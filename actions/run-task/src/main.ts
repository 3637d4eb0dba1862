/** Wiring only: inputs → clients → runTask (or checkTask, check-only) → outputs and job summary. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClients } from '../../../lib/ecs/clients';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { runnerContext } from '../../../lib/ecs/metadata';
import { deadlineBoundLogs } from '../../../lib/ecs/task-logs';
import { checkTask } from './check';
import { getInputs, type Inputs } from './inputs';
import { runTask } from './run';
import { failureOf, renderCheckSummary, renderErrorSummary, renderSummary } from './summary';

/** check-only makes at most two read-only calls: they end within this, whatever AWS does. */
const CHECK_DEADLINE_MS = 60_000;

export async function main(): Promise<void> {
  const inputs = getInputs();
  if (inputs['check-only']) return check(inputs);
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
          container: result.container,
          command: result.command ? JSON.stringify(result.command) : undefined,
        },
        summary: renderSummary(inputs, result),
        failure: result.status !== 'succeeded' ? failureOf(inputs, result) : undefined,
      }),
      reportError: (err) => ({ summary: renderErrorSummary(inputs, err) }),
    },
  );
}

async function check(inputs: Inputs): Promise<void> {
  const { ecs } = ecsClients({
    region: inputs['aws-region'],
    endpointUrl: inputs['endpoint-url'],
    deadline: systemClock.now() + CHECK_DEADLINE_MS,
    pollIntervalMs: inputs['poll-interval-seconds'] * 1000,
  });
  await reportOutcome(() => checkTask(inputs, { ecs, log: coreLogger }), {
    report: (result) => ({
      outputs: { status: 'checked', container: result.container, command: JSON.stringify(result.command) },
      summary: renderCheckSummary(result),
    }),
    reportError: (err) => ({ summary: renderErrorSummary(inputs, err) }),
  });
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
