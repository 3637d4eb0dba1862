/**
 * Deadlines: no action runs longer than its own `timeout-seconds` plus one poll interval, whatever
 * AWS does. The deploy-ecs and rollback bundles run as the runner runs them against moto + the
 * rollout layer, behind the fault-injecting proxy, with one AWS call that never answers (before
 * anything changed, during registration, UpdateService applied but never answered, a poll during
 * the wait). Figure: the longest run past `timeout-seconds` (process start to exit), and per case.
 */
import type { FaultRule } from '../test/support/fault-proxy';
import { startEcsEmulator } from '../test/support/ecs-emulator';
import { runAction } from '../test/support/harness';
import { awsTestEnv } from '../test/support/moto';
import { CLUSTER, REGISTRY, SERVICE, createService } from '../test/deploy-ecs/moto-setup';
import type { BenchFigure } from './types';

const TIMEOUT_S = 4;
const POLL_S = 2;

interface HangCase {
  name: string;
  action: 'deploy-ecs' | 'rollback';
  fault: FaultRule;
}

const CASES: HangCase[] = [
  {
    name: 'deploy-ecs: first DescribeServices hangs',
    action: 'deploy-ecs',
    fault: { operation: 'DescribeServices', fault: 'hang', times: Infinity },
  },
  {
    name: 'deploy-ecs: RegisterTaskDefinition hangs',
    action: 'deploy-ecs',
    fault: { operation: 'RegisterTaskDefinition', fault: 'hang', times: Infinity },
  },
  {
    name: 'deploy-ecs: UpdateService applied, never answered',
    action: 'deploy-ecs',
    fault: { operation: 'UpdateService', fault: 'hang-after-forward', times: Infinity },
  },
  {
    name: 'deploy-ecs: a poll hangs during the wait',
    action: 'deploy-ecs',
    fault: { operation: 'DescribeServices', fault: 'hang', after: 2, times: Infinity },
  },
  {
    name: 'rollback: UpdateService applied, never answered',
    action: 'rollback',
    fault: { operation: 'UpdateService', fault: 'hang-after-forward', times: Infinity },
  },
  {
    name: 'rollback: a poll hangs during the wait',
    action: 'rollback',
    fault: { operation: 'DescribeServices', fault: 'hang', after: 2, times: Infinity },
  },
];

export default async function deadlines(): Promise<BenchFigure[]> {
  const aws = await startEcsEmulator({ faultProxy: true });
  const { layer, proxy, ecs } = aws;
  const overruns: { name: string; overMs: number; exitCode: number }[] = [];
  try {
    for (const hang of CASES) {
      await aws.reset();
      await createService(ecs);
      layer.settle();
      if (hang.action === 'rollback') {
        // web:2 deployed and settled; the rollback goes back to web:1 with UpdateService.
        const deployed = await runAction(
          'deploy-ecs',
          { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:b2c3d4e`, wait: 'false' },
          { env: awsTestEnv(layer.url) },
        );
        if (deployed.exitCode !== 0) throw new Error(`set-up deploy failed: ${deployed.stdout}`);
        layer.settle();
      }
      // Hang the rollout too, so the deadline (not a verdict) ends the run.
      layer.setScenario({ kind: 'hang' });
      proxy.addFault(hang.fault);
      const inputs =
        hang.action === 'deploy-ecs'
          ? { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:a1b2c3d` }
          : { cluster: CLUSTER, service: SERVICE, target: 'revision:1', reason: 'bench' };
      const result = await runAction(
        hang.action,
        { ...inputs, 'timeout-seconds': TIMEOUT_S, 'poll-interval-seconds': POLL_S },
        { env: aws.env(), timeoutMs: 120_000 },
      );
      overruns.push({ name: hang.name, overMs: result.durationMs - TIMEOUT_S * 1000, exitCode: result.exitCode });
    }
  } finally {
    await aws.stop();
  }
  const budget = POLL_S * 1000;
  const worst = Math.max(...overruns.map((o) => o.overMs));
  return [
    {
      name: `longest run past timeout-seconds (${TIMEOUT_S}s) in ${CASES.length} hang cases (poll ${POLL_S}s)`,
      value: worst,
      unit: 'ms',
      budget: `≤ ${budget} ms (one poll)`,
      ok: worst <= budget && overruns.every((o) => o.exitCode === 1),
    },
    ...overruns.map((o) => ({ name: `  ${o.name} (exit ${o.exitCode})`, value: o.overMs, unit: 'ms' })),
  ];
}
