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
import { systemClock } from '../../../lib/util/clock';
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

export async function runServiceList(inputs: Inputs, clients: EcsClients, deadline: number): Promise<void> {
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
  const stopHandling = onTermination({
    graceMs: TERMINATION_GRACE_MS,
    announce: (line) => coreLogger.warning(line),
    record: async (signal) => {
      cancelled = true;
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
      // Nothing switched (cancelled while the targets were resolved): nothing changed, nothing to report, as for one service.
      if (reported || read.every((r) => r.switched === undefined)) return;
      const services = entries.flatMap((entry, i) => {
        const planned = progress.planned.get(entry.index);
        if (!planned) return [];
        if (planned.status === 'noop') return [{ entry, result: planned }];
        const state = cancelledState(read[i], planned.from.arn, planned.to.arn, signal);
        return [
          {
            entry,
            result: {
              ...planned,
              status: 'cancelled' as const,
              liveArn: read[i].liveArn,
              deploymentId: read[i].deploymentId,
              actions: [],
              failure: state.text,
            },
          },
        ];
      });
      const result: MultiRollbackResult = { status: 'cancelled', cluster: inputs.cluster, services, durationMs: 0 };
      await report(result);
      coreLogger.error(describeFailure(cancelledRollbackFailure(result, signal)));
      await Promise.all(
        entries.map((entry, i) => tagCancelledRollback(clients.recordEcs, read[i], prefixedLogger(coreLogger, nameOf(entry.service)))),
      );
    },
  });
  let result: MultiRollbackResult;
  try {
    result = await rollbackServices(inputs, { ...clients, clock: systemClock, log: coreLogger, deadline, progress });
  } catch (err) {
    if (!cancelled) await writeSummary(renderRollbackErrorSummary(inputs, err));
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
