/**
 * Wiring of a rollback of several services (multi.ts): outputs, job summary, failure log lines per
 * service, and the SIGINT/SIGTERM path — as main.ts does for one service, with the same recorder
 * (interrupted.ts) per service: every service read back, the outputs and the summary saying which
 * services were switched and which were not, then each switched one's tags from what it runs.
 */
import type { EcsClients } from '../../../lib/ecs/clients';
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
import { describeFailure } from '../../../lib/runner/errors';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { prefixedLogger } from '../../../lib/runner/logger';
import { onTermination } from '../../../lib/runner/termination';
import { systemClock, type Clock } from '../../../lib/util/clock';
import type { Inputs } from './inputs';
import { cancelledState, readCancelledRollback, tagCancelledRollback } from './interrupted';
import { rollbackServices, type MultiRollbackResult } from './multi';
import {
  cancelledRollbackFailure,
  renderRollbackErrorSummary,
  renderRollbackSummary,
  rollbackFailure,
  rollbackOutputs,
} from './multi-summary';
import { MultiRollbackProgress } from './progress';

/** SIGINT → SIGTERM is 7.5 s on the runner: record within 5 s. */
const TERMINATION_GRACE_MS = 5_000;

/** `clock`: the system's; a test passes its own to stop the rollback where it wants. */
export async function runServiceList(inputs: Inputs, clients: EcsClients, deadline: number, clock: Clock = systemClock): Promise<void> {
  const entries = inputs.services ?? [];
  const progress = new MultiRollbackProgress();
  let reported = false;
  let cancelled = false;
  const report = async (result: MultiRollbackResult): Promise<void> => {
    if (reported) return;
    reported = true;
    setOutputs(rollbackOutputs(result));
    await writeSummary(renderRollbackSummary(result));
  };
  /**
   * A rollback that did not finish (the job cancelled, or an error rollbackServices() did not
   * settle): every service is read back, the outputs and the summary say what each runs
   * (switched / not switched / UNKNOWN), then the release status chain is tagged from it. Nothing
   * switched: nothing changed, nothing to report, as for one service.
   */
  const recordUnfinished = async (status: 'cancelled' | 'failed', why: string): Promise<MultiRollbackResult | undefined> => {
    const read = await Promise.all(
      entries.map((entry) =>
        readCancelledRollback({
          ecs: clients.recordEcs,
          cluster: inputs.cluster,
          service: entry.service,
          progress: progress.for(entry.index),
          log: prefixedLogger(coreLogger, nameOf(entry.service)),
        }),
      ),
    );
    if (reported || read.every((r) => r.switched === undefined)) return undefined;
    const services = entries.flatMap((entry, i) => {
      const planned = progress.planned.get(entry.index);
      if (!planned) return [];
      if (planned.status === 'noop') return [{ entry, result: planned }];
      const state = cancelledState(read[i], planned.from.arn, planned.to.arn, why);
      return [
        {
          entry,
          result: { ...planned, status, liveArn: read[i].liveArn, deploymentId: read[i].deploymentId, actions: [], failure: state.text },
        },
      ];
    });
    const result: MultiRollbackResult = { status, cluster: inputs.cluster, services, durationMs: 0 };
    await report(result);
    if (status === 'cancelled') coreLogger.error(describeFailure(cancelledRollbackFailure(result, why)));
    await Promise.all(
      entries.map((entry, i) => tagCancelledRollback(clients.recordEcs, read[i], prefixedLogger(coreLogger, nameOf(entry.service)))),
    );
    return result;
  };
  const stopHandling = onTermination({
    graceMs: TERMINATION_GRACE_MS,
    announce: (line) => coreLogger.warning(line),
    record: async (signal) => {
      cancelled = true;
      await recordUnfinished('cancelled', signal);
    },
  });
  let result: MultiRollbackResult;
  try {
    result = await rollbackServices(inputs, { ...clients, clock, log: coreLogger, deadline, progress });
  } catch (err) {
    if (!cancelled) {
      // Outputs are owed once a switch was sent: what each service runs, read back.
      await recordUnfinished('failed', 'the rollback ended on an error');
      await writeSummary(renderRollbackErrorSummary(inputs, err));
    }
    throw err;
  } finally {
    if (!cancelled) stopHandling();
  }
  const failed = result.services.filter((s) => s.result.status === 'failed' || s.result.status === 'timed-out');
  if (failed.length) {
    for (const { entry, result: one } of failed) {
      await explainFailedRollout(inputs, {
        recordEcs: clients.recordEcs,
        deadline,
        tasks: one.rollout?.stoppedTasks ?? [],
        log: prefixedLogger(coreLogger, nameOf(entry.service)),
      });
    }
  }
  await report(result);
  if (failed.length) throw rollbackFailure(result);
}
