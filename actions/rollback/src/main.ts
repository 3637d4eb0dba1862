/** Wiring only: inputs → clients → rollback → outputs and job summary, on every exit path. */
import { systemClock } from '../../../lib/util/clock';
import { ecsClientsForRun } from '../../../lib/ecs/clients';
import { coreLogger, reportOutcome, setOutputs } from '../../../lib/runner/github';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
import { run as runAction } from '../../../lib/runner/github';
import { onTermination } from '../../../lib/runner/termination';
import { ActionFailure, describeFailure } from '../../../lib/runner/errors';
import { getInputs } from './inputs';
import { runServiceList } from './multi-main';
import { RollbackProgress } from './progress';
import { readCancelledRollback, tagCancelledRollback } from './interrupted';
import { rollback, type RollbackResult } from './rollback';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

/** SIGINT → SIGTERM is 7.5 s on the runner: record within 5 s. */
const TERMINATION_GRACE_MS = 5_000;

export async function main(): Promise<void> {
  const inputs = getInputs();
  const { deadline, clients } = ecsClientsForRun(inputs, systemClock.now());
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
      const cancelled = await readCancelledRollback({
        ecs: clients.recordEcs,
        cluster: inputs.cluster,
        service: inputs.service,
        progress,
        log: coreLogger,
      });
      writeOutputs({
        'task-definition-arn': cancelled.liveArn,
        'from-task-definition-arn': switched.fromArn,
        'deployment-id': cancelled.deploymentId,
        status: 'cancelled',
      });
      coreLogger.error(
        describeFailure(
          new ActionFailure(
            'GANTRY-ROLLBACK-121',
            `Rollback of service ${inputs.service} from ${switched.fromArn} to ${switched.toArn} was cancelled (${signal}) before its rollout was judged; the service runs ${cancelled.liveArn ?? 'an unknown task definition'}.`,
          ),
        ),
      );
      await tagCancelledRollback(clients.recordEcs, cancelled, coreLogger);
    },
  });
  await reportOutcome(
    async () => {
      try {
        return await rollback(inputs, { ...clients, clock: systemClock, log: coreLogger, progress, deadline });
      } finally {
        if (!progress.cancelled) stopHandling();
      }
    },
    {
      reportError: (err) => (progress.cancelled ? {} : { summary: renderErrorSummary(inputs, err) }),
      report: async (result: RollbackResult) => {
        const failed = result.status === 'failed' || result.status === 'timed-out';
        const tasks = result.rollout?.stoppedTasks ?? [];
        if (failed) await explainFailedRollout(inputs, { recordEcs: clients.recordEcs, deadline, tasks, log: coreLogger });
        const written = writeOutputs({
          // A dry run reports the revision it would roll back to.
          'task-definition-arn': result.status === 'dry-run' ? result.to.arn : result.liveArn,
          'from-task-definition-arn': result.from.arn,
          'deployment-id': result.deploymentId,
          status: result.status,
        });
        return { summary: written ? renderSummary(result) : undefined, failure: failed ? failureOf(result) : undefined };
      },
    },
  );
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
