/**
 * rollback with `services`: each service of the list back to its own target (default `previous`:
 * its own last good release, resolve.ts on its own gantry:previous chain). Every target is resolved
 * first (a dry run per service: a service or target that cannot be found changes nothing); then
 * every service is switched and all rolling rollouts are watched by one RolloutBatch — one
 * DescribeServices per 10 services per poll. ECS has no all-or-nothing across services: each
 * service's result is its own, reported as it ended; the step fails if any did.
 */
import { RolloutBatch, nameOf } from '../../../lib/ecs/rollout-batch';
import { asEntryError, entryLabel } from '../../../lib/ecs/service-list';
import { prefixedLogger } from '../../../lib/runner/logger';
import { inputsFor, type Inputs, type ServiceRollback } from './inputs';
import type { MultiRollbackProgress } from './progress';
import { rollback, type RollbackDeps, type RollbackResult, type RollbackStatus } from './rollback';

export interface MultiRollbackResult {
  status: RollbackStatus;
  cluster: string;
  services: { entry: ServiceRollback; result: RollbackResult }[];
  watch?: { polls: number; describeCalls: number; maxCallsPerPoll: number };
  durationMs: number;
}

const ROLLING_ONLY = {
  input: 'services',
  why: 'a list is watched with one DescribeServices per 10 services; roll BLUE_GREEN, LINEAR and CANARY services back one at a time',
};

export interface MultiRollbackDeps extends Omit<RollbackDeps, 'progress' | 'watch'> {
  /** Each service's progress and plan, for the SIGTERM recorder (multi-main.ts). */
  progress?: MultiRollbackProgress;
}

export async function rollbackServices(inputs: Inputs, deps: MultiRollbackDeps): Promise<MultiRollbackResult> {
  const entries = inputs.services ?? [];
  const { clock, log } = deps;
  const started = clock.now();
  const depsFor = (entry: ServiceRollback): RollbackDeps => ({
    ...deps,
    progress: undefined,
    log: prefixedLogger(log, nameOf(entry.service)),
    rollingOnly: { ...ROLLING_ONLY, value: entryLabel(entry) },
  });
  // Resolve every target before anything changes.
  const planned: RollbackResult[] = [];
  for (const entry of entries) {
    planned.push(
      await asEntryError(
        entry,
        () => rollback({ ...inputsFor(inputs, entry), 'dry-run': true }, depsFor(entry)),
        ' Nothing was rolled back.',
      ),
    );
    deps.progress?.planned.set(entry.index, planned[planned.length - 1]);
  }
  if (inputs['dry-run']) {
    return {
      status: 'dry-run',
      cluster: inputs.cluster,
      services: entries.map((entry, i) => ({ entry, result: planned[i] })),
      durationMs: clock.now() - started,
    };
  }
  const batch = RolloutBatch.forServices({
    ecs: deps.pollEcs ?? deps.ecs,
    cluster: inputs.cluster,
    intervalMs: inputs['poll-interval-seconds'] * 1000,
    clock,
    expected: entries.length,
  });
  const results = await Promise.all(
    entries.map(async (entry) => {
      let watched = false;
      try {
        return await rollback(inputsFor(inputs, entry), {
          ...depsFor(entry),
          progress: deps.progress?.for(entry.index),
          watch: (opts) => {
            watched = true;
            return batch.watch(opts);
          },
        });
      } finally {
        if (!watched) batch.leave();
      }
    }),
  );
  const statuses = results.map((r) => r.status);
  const status: RollbackStatus = statuses.every((s) => s === 'rolled-back' || s === 'noop')
    ? statuses.includes('rolled-back')
      ? 'rolled-back'
      : 'noop'
    : statuses.every((s) => s === 'started' || s === 'noop')
      ? 'started'
      : statuses.includes('cancelled')
        ? 'cancelled'
        : statuses.includes('failed')
          ? 'failed'
          : statuses.includes('timed-out')
            ? 'timed-out'
            : 'failed';
  return {
    status,
    cluster: inputs.cluster,
    services: entries.map((entry, i) => ({ entry, result: results[i] })),
    watch: batch.polls
      ? { polls: batch.polls, describeCalls: batch.describeCalls, maxCallsPerPoll: Math.max(...batch.callsPerPoll) }
      : undefined,
    durationMs: clock.now() - started,
  };
}
