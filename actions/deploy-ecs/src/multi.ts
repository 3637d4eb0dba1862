/**
 * A release of several services of one cluster (`services`): the same image, git SHA and
 * version, each service with its own task definition file, container and history.
 *
 * describe all (one DescribeServices per 10) → plan each (nothing changed; a dry run ends here)
 * → register each (no service touched yet) → launch one after the other (UpdateService,
 * identify), each watch joining one RolloutBatch: one DescribeServices per 10 services per poll.
 * The release is deployed only when every service is; the first service that fails ends every
 * other watch at once (tagged failed, never left pending), and no service after it is updated.
 * Rolling back is the rollback action's job, given `rollback-services` (deploy.yml does that):
 * each service back to what it ran before this release.
 */
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { RolloutBatch, DESCRIBE_SERVICES_MAX, nameOf } from '../../../lib/ecs/rollout-batch';
import { asEntryError, entryLabel } from '../../../lib/ecs/service-list';
import { rollingWaitOptions } from '../../../lib/ecs/strategies/rolling';
import { InputError, describeError } from '../../../lib/runner/errors';
import { prefixedLogger, type Logger } from '../../../lib/runner/logger';
import {
  launchDeploy,
  planDeploy,
  recordFate,
  registerPlanned,
  type DeployDeps,
  type DeployResult,
  type PlannedDeploy,
  type RegisteredDeploy,
} from './deploy';
import { inputsFor, type Inputs, type ServiceRelease } from './inputs';
import { registeredOnly } from './multi-register';
import { DeployProgress } from './progress';

export type ReleaseStatus = 'deployed' | 'failed' | 'timed-out' | 'dry-run' | 'cancelled' | 'registered';

export interface ServiceReleaseResult {
  entry: ServiceRelease;
  /** Undefined for a service the release never got to (planned only, or not updated: see `reason`). */
  result: DeployResult;
  /** UpdateService was sent: the workflow's rollback returns this service to `previousTaskDefinitionArn`. */
  touched: boolean;
}

export interface MultiDeployResult {
  status: ReleaseStatus;
  cluster: string;
  services: ServiceReleaseResult[];
  /** The shared watch: polls and DescribeServices calls for all services together. */
  watch?: { polls: number; describeCalls: number; maxCallsPerPoll: number };
  reason?: string;
  durationMs: number;
}

export interface MultiDeployDeps extends Omit<DeployDeps, 'progress' | 'watch'> {
  /** One DeployProgress per entry (main.ts records them on SIGTERM). */
  progress?: MultiProgress;
}

/** Each service's progress, for the exit paths without a result (main.ts). */
export class MultiProgress {
  readonly services = new Map<number, DeployProgress>();
  cancelled = false;
  for(entry: ServiceRelease): DeployProgress {
    let p = this.services.get(entry.index);
    if (!p) {
      p = new DeployProgress();
      this.services.set(entry.index, p);
    }
    return p;
  }
}

export async function deployServices(inputs: Inputs, deps: MultiDeployDeps): Promise<MultiDeployResult> {
  const entries = inputs.services ?? [];
  const { clock, log } = deps;
  const started = clock.now();
  const deadline = deps.deadline ?? started + inputs['timeout-seconds'] * 1000;
  const logFor = (entry: ServiceRelease): Logger => prefixedLogger(log, nameOf(entry.service));
  const depsFor = (entry: ServiceRelease): DeployDeps => ({
    ...deps,
    deadline,
    log: logFor(entry),
    progress: deps.progress?.for(entry),
  });
  log.info(`Release of ${entries.length} services in cluster ${inputs.cluster}: ${entries.map((e) => nameOf(e.service)).join(', ')}.`);

  const described = await describeAll(deps, inputs.cluster, entries);
  const plans: PlannedDeploy[] = [];
  const dryRuns: DeployResult[] = [];
  for (const entry of entries) {
    const plan = await asEntryError(entry, () =>
      planDeploy(inputsFor(inputs, entry), depsFor(entry), {
        described: described[entry.index - 1],
        rollingOnly: {
          input: 'services',
          value: entryLabel(entry),
          why: 'a release of several services is watched with one DescribeServices per 10 services; deploy BLUE_GREEN, LINEAR and CANARY services one at a time',
        },
      }),
    );
    if (plan.kind === 'dry-run') dryRuns.push(plan.result);
    else plans.push(plan);
  }
  if (inputs['dry-run']) {
    return {
      status: 'dry-run',
      cluster: inputs.cluster,
      services: entries.map((entry, i) => ({ entry, result: dryRuns[i], touched: false })),
      durationMs: clock.now() - started,
    };
  }

  const registered: RegisteredDeploy[] = [];
  for (const [i, entry] of entries.entries()) registered.push(await registerPlanned(depsFor(entry), plans[i]));
  if (inputs['register-only']) return registeredOnly(inputs.cluster, entries, registered, clock.now() - started);

  const batch = RolloutBatch.forServices({
    ecs: deps.pollEcs ?? deps.ecs,
    cluster: inputs.cluster,
    intervalMs: inputs['poll-interval-seconds'] * 1000,
    clock,
    expected: entries.length,
  });
  let failedFirst: string | undefined;
  const fail = (entry: ServiceRelease, what: string): void => {
    if (failedFirst !== undefined) return;
    failedFirst = `service ${nameOf(entry.service)} ${what}`;
    log.warning(
      `The release failed: ${failedFirst.replace(/\.$/, '')}. Every other service's watch ends now (its revision is tagged failed).`,
    );
    batch.abandon(`the release failed (${failedFirst})`);
  };
  const launches: Promise<DeployResult>[] = [];
  const notUpdated = new Set<number>();
  for (const [i, entry] of entries.entries()) {
    if (deps.progress?.cancelled) {
      // The job was cancelled (main.ts's recorder took over, and tags this revision failed): no service is updated after that.
      notUpdated.add(i);
      batch.leave();
      const why = "the job was cancelled before this service's turn";
      launches.push(Promise.resolve(notUpdatedResult(registered[i], 'cancelled', why, clock.now() - started)));
      continue;
    }
    if (failedFirst !== undefined) {
      // Never told to run: the service keeps what it runs; the revision is not a release anyone may pick.
      notUpdated.add(i);
      batch.leave();
      if (!deps.progress?.for(entry).cancelled)
        await recordFate(deps.recordEcs ?? deps.ecs, registered[i].taskDefinitionArn, 'failed', logFor(entry));
      const why = `the release failed before this service's turn (${failedFirst})`;
      launches.push(Promise.resolve(notUpdatedResult(registered[i], 'failed', why, clock.now() - started)));
      continue;
    }
    let watching!: () => void;
    const reachedWatch = new Promise<void>((resolve) => (watching = resolve));
    let watched = false;
    const launch = launchDeploy(
      inputsFor(inputs, entry),
      {
        ...depsFor(entry),
        watch: (req) => {
          watched = true;
          watching();
          return batch.watch(rollingWaitOptions(req));
        },
      },
      registered[i],
    )
      .catch((err: unknown): never => {
        fail(entry, `failed: ${describeError(err)}`);
        throw err;
      })
      .then((result) => {
        if (result.status === 'failed' || result.status === 'timed-out' || result.status === 'cancelled') {
          fail(entry, `${result.status === 'timed-out' ? 'timed out' : 'failed'}: ${result.reason}`);
        }
        return result;
      })
      .finally(() => {
        if (!watched) batch.leave();
      });
    launches.push(launch);
    // The next service is updated only once this one is (or its path ended): a refused UpdateService stops the release there.
    await Promise.race([reachedWatch, launch.then(noop, noop)]);
  }
  const settled = await Promise.allSettled(launches);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<DeployResult>).value);
  const services = entries.map((entry, i) => ({
    entry,
    result: results[i],
    touched: !notUpdated.has(i) && deps.progress?.for(entry).touched !== undefined,
  }));
  const statuses = results.map((r) => r.status);
  const status: ReleaseStatus = statuses.every((s) => s === 'deployed')
    ? 'deployed'
    : statuses.includes('cancelled')
      ? 'cancelled'
      : statuses.includes('timed-out') && !results.some((r) => r.status === 'failed' && !r.reason?.startsWith('not judged'))
        ? 'timed-out'
        : 'failed';
  return {
    status,
    cluster: inputs.cluster,
    services,
    watch: batch.polls
      ? { polls: batch.polls, describeCalls: batch.describeCalls, maxCallsPerPoll: Math.max(...batch.callsPerPoll) }
      : undefined,
    reason: failedFirst,
    durationMs: clock.now() - started,
  };
}

function noop(): void {}

/** The services of the list, described DESCRIBE_SERVICES_MAX at a time; a missing or inactive one is an input error. */
async function describeAll(deps: MultiDeployDeps, cluster: string, entries: readonly ServiceRelease[]): Promise<Service[]> {
  const found: Service[] = [];
  for (let i = 0; i < entries.length; i += DESCRIBE_SERVICES_MAX) {
    const chunk = entries.slice(i, i + DESCRIBE_SERVICES_MAX);
    let out;
    try {
      out = await deps.ecs.send(new DescribeServicesCommand({ cluster, services: chunk.map((e) => e.service) }));
    } catch (err) {
      if (err instanceof Error && err.name === 'ClusterNotFoundException') {
        throw new InputError('GANTRY-DEPLOY-106', 'cluster', cluster, `an existing ECS cluster (${describeError(err)})`);
      }
      throw err;
    }
    for (const entry of chunk) {
      const name = nameOf(entry.service);
      const service = (out.services ?? []).find((s) => s.serviceArn === entry.service || s.serviceName === name);
      if (!service) {
        const failure = (out.failures ?? []).find((f) => f.arn !== undefined && nameOf(f.arn) === name);
        throw new InputError(
          'GANTRY-DEPLOY-107',
          'services',
          entryLabel(entry),
          `an existing service in cluster '${cluster}' (DescribeServices reported ${failure?.reason ?? 'no service'})`,
        );
      }
      if (service.status !== undefined && service.status !== 'ACTIVE') {
        throw new InputError(
          'GANTRY-DEPLOY-108',
          'services',
          entryLabel(entry),
          `an ACTIVE service in cluster '${cluster}' (it is ${service.status})`,
        );
      }
      found.push(service);
    }
  }
  return found;
}

function notUpdatedResult(reg: RegisteredDeploy, status: 'failed' | 'cancelled', why: string, durationMs: number): DeployResult {
  return {
    ...reg.base,
    status,
    registered: reg.registered,
    taskDefinitionArn: reg.taskDefinitionArn,
    revision: reg.revision,
    targets: reg.targets,
    tags: reg.target.rendered?.tags,
    reason: `not updated: ${why}; it still runs ${reg.previous ?? 'what it ran'}`,
    durationMs,
  };
}
