/** Wiring of a rollback of several services (multi.ts): outputs, job summary, failure log lines per service. */
import type { EcsClients } from '../../../lib/ecs/clients';
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { prefixedLogger } from '../../../lib/runner/logger';
import { systemClock } from '../../../lib/util/clock';
import type { Inputs } from './inputs';
import { rollbackServices, type MultiRollbackResult } from './multi';
import { renderRollbackErrorSummary, renderRollbackSummary, rollbackFailure, rollbackOutputs } from './multi-summary';

export async function runServiceList(inputs: Inputs, clients: EcsClients, deadline: number): Promise<void> {
  let result: MultiRollbackResult;
  try {
    result = await rollbackServices(inputs, { ...clients, clock: systemClock, log: coreLogger, deadline });
  } catch (err) {
    await writeSummary(renderRollbackErrorSummary(inputs, err));
    throw err;
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
  setOutputs(rollbackOutputs(result));
  await writeSummary(renderRollbackSummary(result));
  if (failed.length) throw rollbackFailure(result);
}
