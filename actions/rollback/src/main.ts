/** Wiring only: inputs → clients → rollback → outputs and job summary, on every exit path. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClients } from '../../../lib/ecs/clients';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { deadlineBoundLogs, explainFailedRollout } from '../../../lib/ecs/task-logs';
import { run as runAction } from '../../../lib/runner/github';
import { onTermination } from '../../../lib/runner/termination';
import { getInputs } from './inputs';
import { runServiceList } from './multi-main';
import { RollbackProgress } from './progress';
import { liveTaskDefinition, recordChain } from './record';
import { rollback, type RollbackResult } from './rollback';
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
  const progress = new RollbackProgress();
  let reported = false;
  const writeOutputs = (outputs: Record<string, string | undefined>): boolean => {
    if (reported) return false;
    reported = true;
    setOutputs(outputs);
    return true;
  };
  const stopHandling = onTermination({
    graceMs: TERMINATION_GRACE_MS,
    announce: (line) => coreLogger.warning(line),
    record: async (signal) => {
      progress.cancelled = true;
      const switched = progress.switched;
      if (!switched || reported) return;
      // What runs decides the outputs and the tags: read it first (bounded by the grace period).
      const liveArn = await liveTaskDefinition(clients.recordEcs, inputs.cluster, inputs.service, coreLogger, 2_000);
      writeOutputs({
        'task-definition-arn': liveArn,
        'from-task-definition-arn': switched.fromArn,
        'deployment-id': progress.deploymentId,
        status: 'cancelled',
      });
      coreLogger.error(
        `Rollback of service ${inputs.service} from ${switched.fromArn} to ${switched.toArn} was cancelled (${signal}) before its rollout was judged; the service runs ${liveArn ?? 'an unknown task definition'}.`,
      );
      await recordChain({
        ecs: clients.recordEcs,
        fromArn: switched.fromArn,
        toArn: switched.toArn,
        outcome: 'cancelled',
        liveArn,
        reason: switched.reason,
        log: coreLogger,
      });
    },
  });
  let result: RollbackResult;
  try {
    result = await rollback(inputs, { ...clients, clock: systemClock, log: coreLogger, progress, deadline });
  } catch (err) {
    if (!progress.cancelled) await writeSummary(renderErrorSummary(inputs, err));
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
  const written = writeOutputs({
    // A dry run reports the revision it would roll back to.
    'task-definition-arn': result.status === 'dry-run' ? result.to.arn : result.liveArn,
    'from-task-definition-arn': result.from.arn,
    'deployment-id': result.deploymentId,
    status: result.status,
  });
  if (written) await writeSummary(renderSummary(result));
  if (result.status === 'failed' || result.status === 'timed-out') throw failureOf(result);
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
