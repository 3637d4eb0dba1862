/**
 * Wiring of a `services` release (multi.ts): outputs, job summary, failure log lines per service
 * and the SIGINT/SIGTERM path, as main.ts does for one service.
 */
import type { EcsClients } from '../../../lib/ecs/clients';
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { prefixedLogger } from '../../../lib/runner/logger';
import { runnerContext } from '../../../lib/ecs/metadata';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
import { onTermination } from '../../../lib/runner/termination';
import { systemClock } from '../../../lib/util/clock';
import { inputsFor, type Inputs } from './inputs';
import { recordCancelledDeploy } from './interrupted';
import { deployServices, MultiProgress, type MultiDeployResult } from './multi';
import { releaseFailure, releaseOutputs, renderReleaseErrorSummary, renderReleaseSummary } from './multi-summary';

const TERMINATION_GRACE_MS = 5_000;

export async function runServiceList(inputs: Inputs, clients: EcsClients, deadline: number): Promise<void> {
  const progress = new MultiProgress();
  let reported = false;
  const report = async (result: MultiDeployResult): Promise<void> => {
    if (reported) return;
    reported = true;
    setOutputs(releaseOutputs(result));
    await writeSummary(renderReleaseSummary(inputs, result));
  };
  const entries = inputs.services ?? [];
  const stopHandling = onTermination({
    graceMs: TERMINATION_GRACE_MS,
    announce: (line) => coreLogger.warning(line),
    record: async (signal) => {
      if (reported) return;
      progress.cancelled = true;
      // Every service's outputs first, then every tag, all within the grace period.
      const services = await Promise.all(
        entries.map(async (entry) => {
          const p = progress.for(entry);
          const result = await recordCancelledDeploy(inputsFor(inputs, entry), p, {
            ecs: clients.recordEcs,
            log: prefixedLogger(coreLogger, nameOf(entry.service)),
            signal,
            report: async () => undefined,
          });
          return result ? { entry, result, touched: true } : undefined;
        }),
      );
      const touched = services.filter((s) => s !== undefined);
      if (touched.length === 0) return;
      const result: MultiDeployResult = {
        status: 'cancelled',
        cluster: inputs.cluster,
        services: touched,
        durationMs: 0,
        reason: `${signal}`,
      };
      await report(result);
      coreLogger.error(releaseFailure(result).message);
    },
  });
  let result: MultiDeployResult;
  try {
    result = await deployServices(inputs, {
      ...clients,
      clock: systemClock,
      log: coreLogger,
      context: runnerContext(),
      progress,
      deadline,
    });
  } catch (err) {
    if (!progress.cancelled) await writeSummary(renderReleaseErrorSummary(inputs, err));
    throw err;
  } finally {
    if (!progress.cancelled) stopHandling();
  }
  if (result.status === 'failed' || result.status === 'timed-out') {
    for (const { entry, result: one } of result.services) {
      const tasks = one.rollout?.stoppedTasks ?? [];
      if (tasks.length === 0) continue;
      await explainFailedRollout(inputs, {
        recordEcs: clients.recordEcs,
        deadline,
        tasks,
        log: prefixedLogger(coreLogger, nameOf(entry.service)),
      });
    }
  }
  await report(result);
  if (result.status === 'failed' || result.status === 'timed-out') throw releaseFailure(result);
}
