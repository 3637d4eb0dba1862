/**
 * deploy-ecs on ECS-native BLUE_GREEN services (aws-sdk-client-mock + FakeClock, 10 s interval):
 * - verdict latency: simulated time from the service deployment turning SUCCESSFUL, ROLLBACK_IN_PROGRESS
 *   (alarm during bake), STOPPED, alarm TRIGGERED, or a PAUSE hook AWAITING_ACTION at a gate stage to
 *   deploy() returning, for changes at many offsets within poll intervals (budget: one interval);
 * - API calls per poll: DescribeServices and DescribeServiceDeployments in the busiest poll interval
 *   of a 10-minute wait (budget: one each).
 * The rolling-update figures stay in deploy-ecs.bench.ts, unchanged.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { deploy } from '../actions/deploy-ecs/src/deploy';
import type { Inputs } from '../actions/deploy-ecs/src/inputs';
import { FakeClock } from '../lib/util/clock';
import { memoryLogger } from '../lib/runner/logger';
import { runnerContext } from '../lib/ecs/metadata';
import { CLUSTER, NEW_TD, OLD_TD, SERVICE, rollingService, steadyService } from '../test/deploy-ecs/ecs-fixtures';
import type { BenchFigure } from './types';

const INTERVAL_S = 10;
const INTERVAL_MS = INTERVAL_S * 1000;
const OLD_SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/old';
const NEW_SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/new';
const config = {
  strategy: 'BLUE_GREEN' as const,
  bakeTimeInMinutes: 10,
  lifecycleHooks: [{ targetType: 'PAUSE' as const, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const] }],
};
const bg = (service: Service, sd: string): Service => ({ ...service, currentServiceDeployment: sd, deploymentConfiguration: config });
const sd = (overrides: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: NEW_SD,
  status: 'IN_PROGRESS',
  lifecycleStage: 'BAKE_TIME',
  alarms: { status: 'MONITORING' },
  deploymentCircuitBreaker: { status: 'MONITORING' },
  ...overrides,
});

const EVENTS: Record<string, { after: ServiceDeployment; expected: string; gateStages?: Inputs['gate-stages'] }> = {
  'SUCCESSFUL → deployed': { after: sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }), expected: 'deployed', gateStages: [] },
  'ROLLBACK_IN_PROGRESS (alarm during bake) → failed': {
    after: sd({
      status: 'ROLLBACK_IN_PROGRESS',
      alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] },
      rollback: { reason: 'CloudWatch alarm web-5xx triggered.' },
    }),
    expected: 'failed',
    gateStages: [],
  },
  'STOPPED → failed': { after: sd({ status: 'STOPPED' }), expected: 'failed', gateStages: [] },
  'alarm TRIGGERED (no rollback) → failed': {
    after: sd({ alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] } }),
    expected: 'failed',
    gateStages: [],
  },
  'PAUSE hook AWAITING_ACTION at the gate → awaiting-action': {
    after: sd({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [{ hookId: 'h1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
    }),
    expected: 'awaiting-action',
  },
};

interface Run {
  elapsedMs: number;
  status: string;
  describeTimes: number[];
  deploymentTimes: number[];
}

async function simulate(
  after: ServiceDeployment | undefined,
  changeAtMs: number,
  gateStages: Inputs['gate-stages'],
  timeoutS = 900,
): Promise<Run> {
  const ecsMock = mockClient(ECSClient);
  const clock = new FakeClock(0);
  const describeTimes: number[] = [];
  const deploymentTimes: number[] = [];
  let first = true;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    if (first) {
      first = false;
      return { services: [bg(steadyService(), OLD_SD)] };
    }
    describeTimes.push(clock.now());
    return { services: [bg(rollingService({ runningCount: 2, pendingCount: 0 }), NEW_SD)] };
  });
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    deploymentTimes.push(clock.now());
    return { serviceDeployments: [after && clock.now() >= changeAtMs ? after : sd({})] };
  });
  ecsMock
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { taskDefinitionArn: OLD_TD, family: 'web', containerDefinitions: [{ name: 'app', image: 'r/web:1' }] } });
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_TD, revision: 7 } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: bg(rollingService(), NEW_SD) });
  ecsMock.on(TagResourceCommand).resolves({});
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  const inputs: Inputs = {
    cluster: CLUSTER,
    service: SERVICE,
    images: [{ image: 'r/web:2', input: 'image' }],
    'environment-variables': new Map(),
    'git-sha': 'a1b2c3d',
    wait: true,
    'timeout-seconds': timeoutS,
    'poll-interval-seconds': INTERVAL_S,
    'force-new-deployment': false,
    'dry-run': false,
    'gate-stages': gateStages,
  };
  try {
    const result = await deploy(inputs, {
      ecs: new ECSClient({ region: 'us-east-1' }),
      clock,
      log: memoryLogger(),
      context: runnerContext({}),
    });
    return { elapsedMs: clock.now(), status: result.status, describeTimes, deploymentTimes };
  } finally {
    ecsMock.restore();
  }
}

async function worstLatency(after: ServiceDeployment, expected: string, gateStages: Inputs['gate-stages']): Promise<number> {
  let worst = 0;
  for (let i = 0; i <= 40; i += 1) {
    const changeAt = 1 + Math.round((i / 40) * 3 * INTERVAL_MS);
    const run = await simulate(after, changeAt, gateStages);
    if (run.status !== expected) throw new Error(`expected ${expected}, got ${run.status} (change at ${changeAt} ms)`);
    worst = Math.max(worst, run.elapsedMs - changeAt);
  }
  return worst;
}

/** Most calls of each kind in any half-open poll interval of a 10-minute wait. */
async function callsPerPoll(): Promise<{ services: number; deployments: number }> {
  const run = await simulate(undefined, Number.POSITIVE_INFINITY, [], 600);
  if (run.status !== 'timed-out') throw new Error(`expected timed-out, got ${run.status}`);
  const most = (times: number[]): number =>
    Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + INTERVAL_MS).length));
  return { services: most(run.describeTimes), deployments: most(run.deploymentTimes) };
}

export default async function bench(): Promise<BenchFigure[]> {
  const budget = `≤ ${INTERVAL_MS} ms (one poll interval)`;
  const figures: BenchFigure[] = [];
  for (const [name, event] of Object.entries(EVENTS)) {
    const worst = await worstLatency(event.after, event.expected, event.gateStages);
    figures.push({
      name: `blue/green: ${name} (worst, simulated, 10 s interval)`,
      value: worst,
      unit: 'ms',
      budget,
      ok: worst <= INTERVAL_MS,
    });
  }
  const perPoll = await callsPerPoll();
  figures.push(
    {
      name: 'blue/green: DescribeServices calls per poll interval (most, 10-minute wait)',
      value: perPoll.services,
      unit: 'calls',
      budget: '≤ 1',
      ok: perPoll.services <= 1,
    },
    {
      name: 'blue/green: DescribeServiceDeployments calls per poll interval (most)',
      value: perPoll.deployments,
      unit: 'calls',
      budget: '≤ 1',
      ok: perPoll.deployments <= 1,
    },
  );
  return figures;
}
