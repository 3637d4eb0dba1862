import { DescribeServicesCommand, ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../util/clock';
import { memoryLogger } from '../runner/logger';
import {
  CLUSTER,
  NEW_ID,
  NEW_TD,
  completedService,
  failedService,
  rollingService,
  throttlingError,
} from '../../test/deploy-ecs/ecs-fixtures';
import { RolloutBatch } from './rollout-batch';

const ecsMock = mockClient(ECSClient);
afterEach(() => ecsMock.reset());

const named = (s: Service, name: string): Service => ({
  ...s,
  serviceName: name,
  serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${name}`,
});

/** Answers DescribeServices with `states(name, poll)` for each service asked; records the services of every call. */
function ecsAnswering(states: (name: string, poll: number) => Service | undefined): { calls: string[][] } {
  const calls: string[][] = [];
  const polls = new Map<string, number>();
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
    calls.push(input.services);
    const services: Service[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const name of input.services) {
      const poll = (polls.get(name) ?? 0) + 1;
      polls.set(name, poll);
      const s = states(name, poll);
      if (s) services.push(named(s, name));
      else failures.push({ arn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${name}`, reason: 'MISSING' });
    }
    return { services, failures };
  });
  return { calls };
}

function start(names: string[], clock: FakeClock, timeoutMs = 60_000) {
  const batch = new RolloutBatch({
    ecs: new ECSClient({ region: 'us-east-1' }),
    cluster: CLUSTER,
    intervalMs: 10_000,
    clock,
    expected: names.length,
  });
  const log = memoryLogger();
  const outcomes = names.map((service) =>
    batch.watch({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      service,
      deploymentId: NEW_ID,
      taskDefinitionArn: NEW_TD,
      intervalMs: 10_000,
      timeoutMs,
      clock,
      log,
    }),
  );
  return { batch, outcomes, log };
}

describe('RolloutBatch', () => {
  it('25 services: 3 DescribeServices per poll (10, 10, 5), every one judged on its own', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const { calls } = ecsAnswering((_, poll) => (poll < 3 ? rollingService() : completedService()));
    const clock = new FakeClock();
    const { batch, outcomes } = start(names, clock);
    const results = await Promise.all(outcomes);
    expect(results.map((r) => r.status)).toEqual(names.map(() => 'completed'));
    expect(batch.callsPerPoll).toEqual([3, 3, 3]);
    expect(calls.map((c) => c.length)).toEqual([10, 10, 5, 10, 10, 5, 10, 10, 5]);
    expect(results[0]).toMatchObject({ polls: 3, describeCalls: 3 });
  });

  it('waits for every participant before the first poll; one that leaves counts', async () => {
    const { calls } = ecsAnswering(() => completedService());
    const clock = new FakeClock();
    const batch = new RolloutBatch({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      intervalMs: 10_000,
      clock,
      expected: 3,
    });
    const req = (service: string) => ({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      service,
      deploymentId: NEW_ID,
      taskDefinitionArn: NEW_TD,
      intervalMs: 10_000,
      timeoutMs: 60_000,
      clock,
      log: memoryLogger(),
    });
    const a = batch.watch(req('a'));
    await Promise.resolve();
    expect(calls).toHaveLength(0);
    const b = batch.watch(req('b'));
    await Promise.resolve();
    expect(calls).toHaveLength(0);
    batch.leave();
    await Promise.all([a, b]);
    expect(calls).toEqual([['a', 'b']]);
  });

  describe('firstPollWithinMs: a straggler (its UpdateService hangs) does not leave the others unwatched', () => {
    const batchOf = (clock: FakeClock) =>
      new RolloutBatch({
        ecs: new ECSClient({ region: 'us-east-1' }),
        cluster: CLUSTER,
        intervalMs: 10_000,
        clock,
        expected: 2,
        firstPollWithinMs: 10_000,
      });
    const req = (clock: FakeClock, service: string, timeoutMs = 60_000) => ({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      service,
      deploymentId: NEW_ID,
      taskDefinitionArn: NEW_TD,
      intervalMs: 10_000,
      timeoutMs,
      clock,
      log: memoryLogger(),
    });
    /** The loop's sleep after its first poll waits for `release` (or for an abort). */
    const gatedClock = () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let sleeps = 0;
      const clock = new FakeClock(0, async () => {
        sleeps += 1;
        if (sleeps === 2) await gate;
      });
      return { clock, release };
    };

    it('the one that joined is polled; the straggler joins the loop at its next poll', async () => {
      const { calls } = ecsAnswering((name, poll) => (name === 'a' && poll < 2 ? rollingService() : completedService()));
      const { clock, release } = gatedClock();
      const batch = batchOf(clock);
      const a = batch.watch(req(clock, 'a'));
      await vi.waitFor(() => expect(calls).toEqual([['a']]));
      const b = batch.watch(req(clock, 'b'));
      release();
      expect((await Promise.all([a, b])).map((r) => r.status)).toEqual(['completed', 'completed']);
      expect(calls).toEqual([['a'], ['a', 'b']]);
      expect(batch.callsPerPoll).toEqual([1, 1]);
    });

    it('a straggler that joins at its deadline wakes the loop: it gets its last look at once, then times out', async () => {
      const { calls } = ecsAnswering(() => rollingService());
      const { clock } = gatedClock(); // never released: only the wake ends the loop's sleep
      const batch = batchOf(clock);
      void batch.watch(req(clock, 'a'));
      await vi.waitFor(() => expect(calls).toEqual([['a']]));
      const late = await batch.watch(req(clock, 'b', 0));
      expect(calls).toEqual([['a'], ['a', 'b']]);
      expect(late).toMatchObject({ status: 'timed-out', polls: 1 });
      expect(late.reason).toMatch(/last seen: running/);
    });

    it('a loop that ended (everyone decided) starts again for a participant that joins later', async () => {
      const { calls } = ecsAnswering(() => completedService());
      const clock = new FakeClock();
      const batch = batchOf(clock);
      expect((await batch.watch(req(clock, 'a'))).status).toBe('completed');
      expect((await batch.watch(req(clock, 'b'))).status).toBe('completed');
      expect(calls).toEqual([['a'], ['b']]);
    });
  });

  it('a failed DescribeServices is retried at the next poll for every service of the call, never a verdict', async () => {
    let n = 0;
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
      n += 1;
      if (n === 1) throw throttlingError();
      return { services: input.services.map((s) => named(completedService(), s)) };
    });
    const clock = new FakeClock();
    const { outcomes, log } = start(['a', 'b'], clock);
    const results = await Promise.all(outcomes);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(log.warnings.filter((w) => /poll 1: DescribeServices failed \(ThrottlingException/.test(w))).toHaveLength(2);
    expect(clock.now()).toBe(10_000);
  });

  it('abandon() ends every undecided watch as failed, "not judged"; a service missing from the answer fails alone', async () => {
    ecsAnswering((name) => (name === 'gone' ? undefined : name === 'bad' ? failedService() : rollingService()));
    const clock = new FakeClock();
    const { batch, outcomes } = start(['ok', 'bad', 'gone'], clock);
    const bad = await outcomes[1];
    expect(bad.status).toBe('failed');
    expect((await outcomes[2]).reason).toMatch(/service gone not found in cluster shop \(MISSING\)/);
    batch.abandon('the release failed (service bad failed)');
    const ok = await outcomes[0];
    expect(ok).toMatchObject({ status: 'failed', reason: 'not judged: the release failed (service bad failed)' });
  });

  it('times out every undecided watch at its deadline, naming the last state', async () => {
    ecsAnswering(() => rollingService({ runningCount: 1, pendingCount: 1 }));
    const clock = new FakeClock();
    const { outcomes } = start(['a', 'b'], clock, 25_000);
    const results = await Promise.all(outcomes);
    expect(results.map((r) => r.status)).toEqual(['timed-out', 'timed-out']);
    expect(results[0].reason).toMatch(/rollout did not finish within 25s; last seen: running 1\/2/);
    expect(clock.now()).toBe(25_000);
  });
});
