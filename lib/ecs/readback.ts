/**
 * After a call that changes a service (UpdateService, StopServiceDeployment) ends in an error, its
 * outcome is unknown: ECS may have refused it, or applied it and lost the response (a reset
 * connection, a malformed body, a timeout). Nothing is said about the service until it is read
 * back: `readBackChange` asks DescribeServices (a few tries) and judges from the service's real
 * state whether it was switched to the target.
 */
import { DescribeServicesCommand, type Deployment, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../util/clock';
import { findNewDeployment } from './rollout';
import { describeError } from '../runner/errors';

export type ChangeVerdict =
  /** The service runs (or is rolling out) the target: the call took effect. */
  | { changed: true; service: Service; deployment?: Deployment }
  /** The service still runs what it ran before, with no new deployment of the target. */
  | { changed: false; service: Service }
  /** The service could not be read back. */
  | { changed: 'unknown'; error: string };

export interface ReadBackRequest {
  ecs: ECSClient;
  cluster: string;
  service: string;
  /** What the call asked the service to run. */
  targetArn: string;
  /** Deployment ids the service had before the call. */
  previousDeploymentIds: Set<string>;
  /** What the service ran before the call. */
  previousArn: string | undefined;
  clock: Clock;
  /** DescribeServices attempts (default 3), `delayMs` apart (default 1 s). */
  attempts?: number;
  delayMs?: number;
  /** Each attempt is aborted after this long (default: the client's own timeouts). */
  attemptTimeoutMs?: number;
}

/** Judge one snapshot (pure). */
export function judgeChange(
  service: Service,
  targetArn: string,
  previousDeploymentIds: Set<string>,
  previousArn: string | undefined,
): ChangeVerdict {
  const deployment = findNewDeployment(service, targetArn, previousDeploymentIds);
  if (deployment) return { changed: true, service, deployment };
  // Switched and already settled (the new deployment's id may have been seen before, e.g. ECS's own rollback).
  if (service.taskDefinition === targetArn && previousArn !== targetArn) return { changed: true, service };
  return { changed: false, service };
}

export async function readBackChange(req: ReadBackRequest): Promise<ChangeVerdict> {
  const attempts = req.attempts ?? 3;
  let lastError = 'no attempt made';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const out = await req.ecs.send(
        new DescribeServicesCommand({ cluster: req.cluster, services: [req.service] }),
        abortAfter(req.attemptTimeoutMs),
      );
      const service = out.services?.[0];
      if (service) return judgeChange(service, req.targetArn, req.previousDeploymentIds, req.previousArn);
      lastError = `DescribeServices returned no service (${out.failures?.[0]?.reason ?? 'no failure reason'})`;
    } catch (err) {
      lastError = describeError(err);
      if (err instanceof Error && err.name === 'DeadlineExceeded') break;
    }
    if (attempt < attempts) await req.clock.sleep(req.delayMs ?? 1_000);
  }
  return { changed: 'unknown', error: lastError };
}

/** Send options that abort the request after `ms` (none when undefined). */
export function abortAfter(ms: number | undefined): { abortSignal?: AbortSignal } {
  return ms === undefined ? {} : { abortSignal: AbortSignal.timeout(Math.max(1, Math.round(ms))) };
}

/** `the service WAS changed: it runs web:2` — for the error messages after an unknown outcome. */
export function describeVerdict(verdict: ChangeVerdict, targetArn: string, previousArn: string | undefined): string {
  if (verdict.changed === true) return `The service WAS changed: it now runs ${verdict.service.taskDefinition ?? targetArn}.`;
  if (verdict.changed === false)
    return `The service was NOT changed: it still runs ${verdict.service.taskDefinition ?? previousArn ?? 'its previous task definition'}.`;
  return `Whether the service was changed is UNKNOWN: reading it back failed (${verdict.error}); it may run ${targetArn}.`;
}
