/**
 * The set-up of every test against emulated ECS: moto_server, the rollout layer in front of it
 * (optionally a fault proxy in front of that), an ECS client to the layer, and a service to deploy
 * to. `useEcsEmulator()` registers the vitest hooks — start before the file's tests, stop after
 * them, and with `fresh`, a clean emulator (and proxy) before each test — and returns the handle
 * the tests use; `startEcsEmulator()` is the same without hooks (bench, scripts).
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type Tag,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { awsTestEnv, startMoto, TEST_REGION, type MotoServer } from './moto';
import { startRolloutLayer, type RolloutLayer } from './rollout-layer';

export interface EcsEmulatorOptions {
  /** The region the layer signs its calls to moto for, and the actions' AWS_REGION (default us-east-1). */
  region?: string;
  /** How long a configured minute of a native (blue/green, linear, canary) deployment lasts. */
  minuteMs?: number;
  /** Start test/support/fault-proxy.ts in front of the layer: the actions then talk to it. */
  faultProxy?: boolean;
}

export interface EcsEmulator {
  readonly moto: MotoServer;
  readonly layer: RolloutLayer;
  /** Only with `faultProxy: true`. */
  readonly proxy: FaultProxy;
  /** To the rollout layer in the emulator's region, never through the fault proxy, no retries: the tests' own set-up and read-back. */
  readonly ecs: ECSClient;
  /** The AWS_* variables for an action: the endpoint is the fault proxy when there is one, else the layer. */
  env(): Record<string, string>;
  /** Forgets faults, scenarios, counts and every resource in moto. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEcsEmulator(options: EcsEmulatorOptions = {}): Promise<EcsEmulator> {
  const moto = await startMoto();
  const layer = await startRolloutLayer({ motoUrl: moto.url, region: options.region, minuteMs: options.minuteMs });
  const proxy = options.faultProxy ? await startFaultProxy({ upstream: layer.url }) : undefined;
  return {
    moto,
    layer,
    get proxy(): FaultProxy {
      if (!proxy) throw new Error('this emulator was started without faultProxy: true');
      return proxy;
    },
    ecs: new ECSClient({
      endpoint: layer.url,
      region: options.region ?? TEST_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    }),
    env: () => awsTestEnv(proxy?.url ?? layer.url, options.region ?? TEST_REGION),
    reset: async () => {
      proxy?.reset();
      await layer.reset();
    },
    stop: async () => {
      await proxy?.stop();
      await layer.stop();
      await moto.stop();
    },
  };
}

/**
 * The emulator for one test file: started in beforeAll, stopped in afterAll; with `fresh`, reset
 * (then `each` run, e.g. to create the service) before every test. Its fields are there once
 * beforeAll has run.
 */
export function useEcsEmulator(
  options: EcsEmulatorOptions & { fresh?: boolean; each?: (aws: EcsEmulator) => Promise<void> } = {},
): EcsEmulator {
  let started: EcsEmulator | undefined;
  const get = (): EcsEmulator => {
    if (!started) throw new Error('the ECS emulator is used before beforeAll started it');
    return started;
  };
  beforeAll(async () => {
    started = await startEcsEmulator(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  if (options.fresh || options.each)
    beforeEach(async () => {
      if (options.fresh) await get().reset();
      await options.each?.(get());
    });
  return {
    get moto() {
      return get().moto;
    },
    get layer() {
      return get().layer;
    },
    get proxy() {
      return get().proxy;
    },
    get ecs() {
      return get().ecs;
    },
    env: () => get().env(),
    reset: () => get().reset(),
    stop: () => get().stop(),
  };
}

export interface ServiceSetup {
  cluster?: string;
  service?: string;
  family?: string;
  containers: ContainerDefinition[];
  /** Tags of the first revision (default `team=shop`; `[]` for none). */
  tags?: Tag[];
  /** Default enabled with rollback, as gantry recommends; null: no deployment configuration. */
  circuitBreaker?: { enable: boolean; rollback: boolean } | null;
  desiredCount?: number;
  /** An awsvpc network configuration for the service (what RunTask borrows). */
  network?: { subnet: string; securityGroup: string };
}

/** Cluster (idempotent), the family's first FARGATE revision and a service on it. Returns the revision's ARN. */
export async function createEcsService(ecs: ECSClient, setup: ServiceSetup): Promise<string> {
  const cluster = setup.cluster ?? 'shop';
  const tags = setup.tags ?? [{ key: 'team', value: 'shop' }];
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: setup.family ?? 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: setup.containers,
      ...(tags.length > 0 ? { tags } : {}),
    }),
  );
  const arn = registered.taskDefinition?.taskDefinitionArn as string;
  const breaker = setup.circuitBreaker === undefined ? { enable: true, rollback: true } : setup.circuitBreaker;
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: setup.service ?? 'web',
      taskDefinition: arn,
      desiredCount: setup.desiredCount ?? 2,
      launchType: 'FARGATE',
      ...(breaker ? { deploymentConfiguration: { deploymentCircuitBreaker: breaker } } : {}),
      ...(setup.network
        ? {
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: [setup.network.subnet],
                securityGroups: [setup.network.securityGroup],
                assignPublicIp: 'DISABLED',
              },
            },
          }
        : {}),
    }),
  );
  return arn;
}
