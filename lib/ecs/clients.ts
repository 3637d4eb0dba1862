/**
 * The ECS clients of an action that changes a service (deploy-ecs, rollback), all bounded by the
 * action's deadline (`timeout-seconds` from the start) so that it never runs longer than that
 * plus one poll interval, whatever AWS or the network does:
 * - `ecs`: SDK retries (adaptive), ends at the deadline;
 * - `pollEcs`: one request per poll, ends a quarter poll after the deadline (the last look);
 * - `registerEcs`: one attempt per send — RegisterTaskDefinition is retried by gantry itself,
 *   looking for the revision first (actions/deploy-ecs/src/register.ts);
 * - `recordEcs`: for writing the truth at the end (tags, reading the service back), ends one poll
 *   after the deadline.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../aws/config';
import { boundByDeadline } from '../aws/deadline';

export interface EcsClients {
  ecs: ECSClient;
  pollEcs: ECSClient;
  registerEcs: ECSClient;
  recordEcs: ECSClient;
}

export interface EcsClientOptions {
  region?: string;
  endpointUrl?: string;
  /** Epoch ms: the action's own deadline (start + timeout-seconds). */
  deadline: number;
  pollIntervalMs: number;
}

/** One attempt waits at most this long: twice the poll interval, within 5 to 30 s. */
export function requestTimeoutFor(pollIntervalMs: number): number {
  return Math.min(30_000, Math.max(5_000, 2 * pollIntervalMs));
}

export function ecsClients(options: EcsClientOptions): EcsClients {
  const requestTimeoutMs = requestTimeoutFor(options.pollIntervalMs);
  const make = (deadline: number, maxAttempts?: number): ECSClient => {
    const config = awsClientConfig({
      region: options.region,
      endpointUrl: options.endpointUrl,
      maxAttempts,
      timeouts: { requestTimeoutMs, deadline },
    });
    return boundByDeadline(new ECSClient(config), deadline);
  };
  return {
    ecs: make(options.deadline),
    pollEcs: make(options.deadline + options.pollIntervalMs / 4, 1),
    registerEcs: make(options.deadline, 1),
    recordEcs: make(options.deadline + options.pollIntervalMs, 3),
  };
}

/** What a watching action's inputs say about its clients (deploy-ecs, rollback). */
export interface RunClientInputs {
  'timeout-seconds': number;
  'poll-interval-seconds': number;
  'aws-region'?: string;
  'endpoint-url'?: string;
}

/** The action's deadline (`timeout-seconds` from `now`) and its clients bound to it. */
export function ecsClientsForRun(inputs: RunClientInputs, now: number): { deadline: number; clients: EcsClients } {
  const deadline = now + inputs['timeout-seconds'] * 1000;
  const clients = ecsClients({
    region: inputs['aws-region'],
    endpointUrl: inputs['endpoint-url'],
    deadline,
    pollIntervalMs: inputs['poll-interval-seconds'] * 1000,
  });
  return { deadline, clients };
}
