/**
 * A release of several services (deploy-ecs `services`): DescribeServices calls per poll of the
 * shared watch for 1, 10 and 25 services (budget ceil(n/10)), counted by the rollout layer in front
 * of moto_server — the requests it really received during the polls — and the release's verdict
 * (deployed) for each size. deployServices() from source, real HTTP, 1 s polls.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { deployServices, MultiProgress } from '../actions/deploy-ecs/src/multi';
import type { Inputs } from '../actions/deploy-ecs/src/inputs';
import { runnerContext } from '../lib/ecs/metadata';
import { memoryLogger } from '../lib/runner/logger';
import { systemClock } from '../lib/util/clock';
import { awsTestEnv, ecsClientFor, startMoto } from '../test/support/moto';
import { startRolloutLayer } from '../test/support/rollout-layer';
import { CLUSTER, REGISTRY, appContainer, createService } from '../test/deploy-ecs/moto-setup';
import type { BenchFigure } from './types';

const SIZES = [1, 10, 25];

export default async function bench(): Promise<BenchFigure[]> {
  const moto = await startMoto();
  const layer = await startRolloutLayer({ motoUrl: moto.url });
  const figures: BenchFigure[] = [];
  try {
    const env = awsTestEnv(layer.url);
    for (const [key, value] of Object.entries(env)) process.env[key] = value;
    for (const n of SIZES) {
      await layer.reset();
      const setup = ecsClientFor(layer.url);
      const names = Array.from({ length: n }, (_, i) => `svc${i}`);
      for (const name of names) await createService(setup, { service: name, family: name, containers: [appContainer()], desiredCount: 1 });
      layer.settle();
      layer.setScenario({ kind: 'complete', ticks: 3 });
      const inputs: Inputs = {
        cluster: CLUSTER,
        service: '',
        services: names.map((service, i) => ({ index: i + 1, service })),
        images: [{ image: `${REGISTRY}/web:b2c3d4e`, input: 'image' }],
        'environment-variables': new Map(),
        'git-sha': 'b2c3d4e',
        wait: true,
        'timeout-seconds': 120,
        'poll-interval-seconds': 1,
        'force-new-deployment': false,
        'dry-run': false,
      };
      const ecs = new ECSClient({ region: env.AWS_REGION, endpoint: layer.url });
      let before = 0;
      const result = await deployServices(inputs, {
        ecs,
        clock: systemClock,
        log: memoryLogger(),
        context: runnerContext({}),
        progress: new MultiProgress(),
        // Count from the first poll: describe-all and identify calls are not polls.
        pollEcs: countingFrom(ecs, () => {
          if (before === 0) before = layer.state().calls.DescribeServices ?? 0;
        }),
      });
      if (result.status !== 'deployed') throw new Error(`${n} services: expected deployed, got ${result.status}`);
      const seen = (layer.state().calls.DescribeServices ?? 0) - before;
      const polls = result.watch?.polls ?? 0;
      const perPoll = polls ? seen / polls : Number.POSITIVE_INFINITY;
      const budget = Math.ceil(n / 10);
      figures.push({
        name: `deploy-ecs services: DescribeServices per poll, ${n} service${n === 1 ? '' : 's'} (${polls} polls, ${seen} calls seen by the rollout layer)`,
        value: Math.round(perPoll * 100) / 100,
        unit: 'calls',
        budget: `≤ ${budget}`,
        ok: perPoll <= budget,
      });
    }
  } finally {
    await layer.stop();
    await moto.stop();
  }
  return figures;
}

/** The client, with `first` called before its first request (the first poll). */
function countingFrom(ecs: ECSClient, first: () => void): ECSClient {
  let called = false;
  return new Proxy(ecs, {
    get(target, key, receiver) {
      if (key === 'send')
        return (...args: Parameters<ECSClient['send']>) => {
          if (!called) {
            called = true;
            first();
          }
          return target.send(...args);
        };
      return Reflect.get(target, key, receiver);
    },
  });
}
