/**
 * Wiring of a `services` release (multi.ts): outputs, job summary, failure log lines per service
 * and the SIGINT/SIGTERM path, as main.ts does for one service.
 */
import type { EcsClients } from '../../../lib/ecs/clients';
import { runnerContext } from '../../../lib/ecs/metadata';
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { explainFailedRollout } from '../../../lib/ecs/task-logs';
import { describeError, describeFailure } from '../../../lib/runner/errors';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/runner/github';
import { prefixedLogger } from '../../../lib/runner/logger';
import { onTermination } from '../../../lib/runner/termination';
import { systemClock, type Clock } from '../../../lib/util/clock';
import type { DeployResult } from './deploy';
import { inputsFor, type Inputs, type ServiceRelease } from './inputs';
import { cancelledResult, tagCancelled, touchedResult } from './interrupted';
import { deployServices, MultiProgress, type MultiDeployResult, type ServiceReleaseResult } from './multi';
import { releaseFailure, releaseOutputs, renderReleaseErrorSummary, renderReleaseSummary } from './multi-summary';
import type { DeployProgress } from './progress';

const TERMINATION_GRACE_MS = 5_000;

/** `clock`: the system's; a test passes its own to stop the release where it wants. */
export async function runServiceList(inputs: Inputs, clients: EcsClients, deadline: number, clock: Clock = systemClock): Promise<void> {
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
      // Every service's outputs first (no AWS call), then every tag: a TagResource that hangs must not cost the outputs.
      const services = entries.map((entry): ServiceReleaseResult => {
        const p = progress.for(entry);
        const result = cancelledResult(inputsFor(inputs, entry), p, signal);
        return result
          ? { entry, result, touched: true }
          : { entry, result: notUpdated(inputs, entry, p, 'cancelled', signal), touched: false };
      });
      if (services.some((s) => s.touched)) {
        const result: MultiDeployResult = { status: 'cancelled', cluster: inputs.cluster, services, durationMs: 0, reason: signal };
        await report(result);
        coreLogger.error(describeFailure(releaseFailure(result)));
      }
      await Promise.all(
        entries.map((entry) => tagCancelled(clients.recordEcs, progress.for(entry), prefixedLogger(coreLogger, nameOf(entry.service)))),
      );
    },
  });
  let result: MultiDeployResult;
  try {
    result = await deployServices(inputs, {
      ...clients,
      clock,
      log: coreLogger,
      context: runnerContext(),
      progress,
      deadline,
    });
  } catch (err) {
    if (!progress.cancelled) {
      // An error deployServices() did not settle (a bug, an answer nobody expected): once a service was
      // told to change, the outputs are owed — the workflow's list rollback keys on rollback-services —
      // and every revision this run registered or sent is tagged failed, never judged.
      const touched = entries.filter((entry) => progress.for(entry).touched);
      if (touched.length > 0) {
        const services = entries.map((entry): ServiceReleaseResult => {
          const p = progress.for(entry);
          return p.touched
            ? { entry, result: touchedResult(inputsFor(inputs, entry), p, 'failed', err), touched: true }
            : { entry, result: notUpdated(inputs, entry, p, 'failed', 'the release ended on an error'), touched: false };
        });
        setOutputs(releaseOutputs({ status: 'failed', cluster: inputs.cluster, services, durationMs: 0, reason: describeError(err) }));
        reported = true;
        await Promise.all(
          entries.map((entry) => tagCancelled(clients.recordEcs, progress.for(entry), prefixedLogger(coreLogger, nameOf(entry.service)))),
        );
      }
      await writeSummary(renderReleaseErrorSummary(inputs, err));
    }
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

/** A service of the list the run never updated (cancelled, or ended on an error, before its turn): it keeps what it ran (its registered revision, if any, is tagged failed). */
function notUpdated(
  inputs: Inputs,
  entry: ServiceRelease,
  progress: DeployProgress,
  status: 'cancelled' | 'failed',
  reason: string,
): DeployResult {
  return {
    status,
    cluster: inputs.cluster,
    service: entry.service,
    taskDefinitionArn: progress.registeredArn,
    targets: [],
    registered: progress.registeredArn !== undefined,
    waited: false,
    reason: `not updated: ${reason} before this service's turn; it keeps what it ran`,
    durationMs: 0,
  };
}
