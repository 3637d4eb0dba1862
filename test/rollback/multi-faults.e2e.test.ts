/**
 * The rollback bundle with a list of services (`services`, as deploy-ecs's `rollback-services`
 * passes it) driven through faults injected between it and AWS (test/support/fault-proxy.ts in front
 * of the rollout layer and moto): the SECOND service's UpdateService answered with an error after it
 * was applied, lost, never answered, unreadable afterwards — and the job cancelled (SIGTERM to the
 * bundle) while the services roll back. Whatever breaks, the `services` output and the summary say
 * what each service runs, and the release status chain is written from what moto really runs.
 *
 * History (made by the real deploy-ecs code): api and worker created on api:1 / worker:1 (before
 * gantry), release 1 deployed as api:2 / worker:2, then marked failed (say, by the smoke test).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../actions/deploy-ecs/src/deploy';
import { getInputs as getDeployInputs } from '../../actions/deploy-ecs/src/inputs';
import { getInputs as getRollbackInputs } from '../../actions/rollback/src/inputs';
import { runServiceList as runRollbackList } from '../../actions/rollback/src/multi-main';
import { runnerContext } from '../../lib/ecs/metadata';
import { setReleaseStatus } from '../../lib/ecs/release';
import { inputEnvName } from '../../lib/runner/inputs';
import { memoryLogger } from '../../lib/runner/logger';
import { FakeClock, systemClock, type Clock } from '../../lib/util/clock';
import { createEcsService, useEcsEmulator } from '../support/ecs-emulator';
import type { FaultRule } from '../support/fault-proxy';
import { parseCommandFile, runAction, type ActionResult } from '../support/harness';
import { CLUSTER, REGISTRY, RUNNER_ENV } from './history';

const TD = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const TIMEOUT_S = 6;
const RUNNER_GRACE_MS = 7_500;
const NAMES = ['api', 'worker'];

const aws = useEcsEmulator({
  faultProxy: true,
  fresh: true,
  each: async (aws) => {
    for (const name of NAMES) {
      await createEcsService(aws.ecs, {
        cluster: CLUSTER,
        service: name,
        family: name,
        containers: [{ name, image: `${REGISTRY}/${name}:0.9.0`, essential: true }],
      });
      const env: Record<string, string> = { ...RUNNER_ENV };
      const inputs = { cluster: CLUSTER, service: name, image: `${REGISTRY}/${name}:1.1.0`, 'git-sha': '1'.repeat(40), version: '1.1.0' };
      for (const [key, value] of Object.entries({ ...inputs, 'poll-interval-seconds': '1' })) env[inputEnvName(key)] = value;
      const released = await deploy(getDeployInputs(env), {
        ecs: aws.ecs,
        clock: new FakeClock(Date.parse('2024-05-01T10:00:00Z')),
        log: memoryLogger(),
        context: runnerContext(env),
      });
      if (released.status !== 'deployed') throw new Error(`${name}: release 1 did not deploy (${released.status})`);
      await setReleaseStatus(aws.ecs, TD(name, 2), 'failed');
    }
    aws.layer.settle();
  },
});

/** deploy-ecs's rollback-services output, as deploy.yml passes it. */
const SERVICES = JSON.stringify(NAMES.map((name) => ({ service: name, target: TD(name, 1) })));

function rollbackThrough(
  faults: FaultRule[],
  inputs: Record<string, string> = {},
  options: { signal?: { when: RegExp; signal: NodeJS.Signals } } = {},
): Promise<ActionResult> {
  for (const fault of faults) aws.proxy.addFault(fault);
  return runAction(
    'rollback',
    {
      cluster: CLUSTER,
      services: SERVICES,
      reason: 'release 1.1.0 failed',
      'poll-interval-seconds': '1',
      'timeout-seconds': '20',
      ...inputs,
    },
    { env: { ...aws.env(), ...RUNNER_ENV }, signal: options.signal, timeoutMs: 60_000 },
  );
}

const updateOf = (service: string, fault: FaultRule['fault']): FaultRule => ({
  operation: 'UpdateService',
  fault,
  match: `"service":"${service}"`,
  times: Infinity,
});

interface ServiceOutput {
  service: string;
  status: string;
  'task-definition-arn': string | null;
  'from-task-definition-arn': string;
  failure: string | null;
}
const servicesOf = (result: ActionResult): Record<string, ServiceOutput> =>
  Object.fromEntries((JSON.parse(result.outputs.services ?? '[]') as ServiceOutput[]).map((s) => [s.service, s]));
const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';

async function live(service: string): Promise<string | undefined> {
  return (await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services?.[0]?.taskDefinition;
}
async function tags(arn: string): Promise<Record<string, string>> {
  const out = await aws.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

describe("a list rollback: the second service's UpdateService", () => {
  it.each([
    ['applied, every answer an HTTP 500 (error after forward)', 'error-after-forward'],
    ['applied, every answer lost (connection reset)', 'reset-after-forward'],
  ] as const)('%s: read back, the service WAS changed, watched; both rolled back', async (_name, fault) => {
    const result = await rollbackThrough([updateOf('worker', fault)]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('rolled-back');
    expect(result.stdout).toMatch(
      /\[worker\] starting the rollback failed: .*\. The service WAS changed: it now runs \S+worker:1\. The switch was applied: watching its rollout\./,
    );
    for (const name of NAMES) {
      expect(servicesOf(result)[name]).toMatchObject({
        status: 'rolled-back',
        'task-definition-arn': TD(name, 1),
        'from-task-definition-arn': TD(name, 2),
      });
      expect(await live(name)).toBe(TD(name, 1));
      expect(await tags(TD(name, 2))).toMatchObject({ 'gantry:status': 'rolled-back', 'gantry:rollback-reason': 'release 1.1.0 failed' });
    }
  });

  it('applied, never answered until the deadline: the worker timed out (it runs its target), the api — watched meanwhile — rolled back', async () => {
    aws.layer.setScenario({ kind: 'hang', service: 'worker' });
    const result = await rollbackThrough([updateOf('worker', 'hang-after-forward')], { 'timeout-seconds': String(TIMEOUT_S) });
    expect(result.exitCode).toBe(1);
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 2000);
    expect(result.outputs.status).toBe('timed-out');
    const services = servicesOf(result);
    expect(services.api).toMatchObject({ status: 'rolled-back', 'task-definition-arn': TD('api', 1) });
    expect(services.worker).toMatchObject({
      status: 'timed-out',
      'task-definition-arn': TD('worker', 1),
      'from-task-definition-arn': TD('worker', 2),
    });
    expect(errorOf(result)).toMatch(/^GANTRY-ROLLBACK-101: Rollback of 1 of 2 services in cluster shop did not finish: worker timed-out/);
    expect(await live('api')).toBe(TD('api', 1));
    expect(await live('worker')).toBe(TD('worker', 1));
    // What runs decides the tags: both left their revision 2.
    expect((await tags(TD('api', 2)))['gantry:status']).toBe('rolled-back');
    expect((await tags(TD('worker', 2)))['gantry:status']).toBe('rolled-back');
  });

  it('answer lost and the service unreadable: UNKNOWN, said so, no runs-now claimed, nothing tagged that cannot be seen', async () => {
    const result = await rollbackThrough([
      updateOf('worker', 'reset-after-forward'),
      // The first two describe the worker before anything changes (the dry run that resolves every target, then the rollback).
      { operation: 'DescribeServices', fault: 'access-denied', match: '"services":["worker"]', after: 2, times: Infinity },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    const services = servicesOf(result);
    expect(services.api).toMatchObject({ status: 'rolled-back', 'task-definition-arn': TD('api', 1) });
    expect(services.worker).toMatchObject({ status: 'failed', 'task-definition-arn': null, 'from-task-definition-arn': TD('worker', 2) });
    expect(services.worker.failure).toMatch(/Whether the service was changed is UNKNOWN: reading it back failed \(AccessDeniedException/);
    expect(errorOf(result)).toMatch(
      /^GANTRY-ROLLBACK-101: Rollback of 1 of 2 services in cluster shop did not finish: worker failed \(.*UNKNOWN/,
    );
    // It did change; the action could not see it, so it tagged nothing on the worker's revisions.
    expect(await live('worker')).toBe(TD('worker', 1));
    expect((await tags(TD('worker', 2)))['gantry:status']).toBe('failed');
    expect((await tags(TD('api', 2)))['gantry:status']).toBe('rolled-back');
  });
});

describe('a list rollback cancelled (SIGTERM to the bundle)', () => {
  function expectCancelled(result: ActionResult): void {
    expect(result.exitCode).toBe(1);
    expect(result.signalledAfterMs).toBeDefined();
    expect(result.durationMs - (result.signalledAfterMs as number)).toBeLessThan(RUNNER_GRACE_MS);
    expect(result.stdout).toMatch(/Received SIGTERM \(job cancelled or timed out\): recording what is known before exiting\./);
    expect(result.outputs.status).toBe('cancelled');
    expect(errorOf(result)).toMatch(
      /^GANTRY-ROLLBACK-120: Rollback of 2 services in cluster shop was cancelled \(SIGTERM\) before its verdict: /,
    );
  }

  it('while watching: outputs and summary say both were switched and what each runs; tags from what runs', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await rollbackThrough([], {}, { signal: { when: /\[worker\] \S+ poll 2:/, signal: 'SIGTERM' } });
    expectCancelled(result);
    expect(errorOf(result)).toMatch(/switched: api \(runs api:1\), worker \(runs worker:1\); not switched: none/);
    for (const name of NAMES) {
      expect(servicesOf(result)[name]).toMatchObject({
        status: 'cancelled',
        'task-definition-arn': TD(name, 1),
        'from-task-definition-arn': TD(name, 2),
      });
      expect(result.summary).toMatch(
        new RegExp(`\\| ${name} \\| [^|]+ \\| ${name}:2 → ${name}:1 \\| cancelled \\| ${name}:1 \\| switched: runs ${name}:1`),
      );
      expect(await live(name)).toBe(TD(name, 1));
      expect((await tags(TD(name, 2)))['gantry:status']).toBe('rolled-back');
      expect((await tags(TD(name, 1)))['gantry:status']).toBeUndefined();
    }
    expect(result.summary).toContain('## rollback: 2 services, cancelled');
  });

  it("while the worker's switch is unanswered: the api switched, the worker not — outputs, summary and tags say so", async () => {
    const result = await rollbackThrough(
      [updateOf('worker', 'hang')],
      {},
      {
        signal: { when: /\[api\] UpdateService: service api now asks for api:1/, signal: 'SIGTERM' },
      },
    );
    expectCancelled(result);
    expect(errorOf(result)).toMatch(/switched: api \(runs api:1\); not switched: worker \(runs worker:2\)/);
    const services = servicesOf(result);
    expect(services.api).toMatchObject({ status: 'cancelled', 'task-definition-arn': TD('api', 1) });
    expect(services.worker).toMatchObject({ status: 'cancelled', 'task-definition-arn': TD('worker', 2) });
    expect(result.summary).toMatch(/\| worker \| [^|]+ \| worker:2 → worker:1 \| cancelled \| worker:2 \| not switched: runs worker:2/);
    expect(await live('api')).toBe(TD('api', 1));
    expect(await live('worker')).toBe(TD('worker', 2));
    expect((await tags(TD('api', 2)))['gantry:status']).toBe('rolled-back');
    // The worker still runs worker:2: it keeps its status.
    expect((await tags(TD('worker', 2)))['gantry:status']).toBe('failed');
  });
});

describe('a list rollback: an error nobody foresaw after the switches were sent (in-process)', () => {
  it("still writes each service's state, read back from what it runs, and tags the chain from it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-rollback-error-'));
    const files = { GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const saved = { GITHUB_OUTPUT: process.env.GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY };
    Object.assign(process.env, files);
    const BUG = "Cannot read properties of undefined (reading 'deployments')";
    aws.layer.setScenario({ kind: 'complete', ticks: 30 });
    // The clock breaks once both switches have gone out, while the rollouts are still being watched.
    const updatesBefore = aws.layer.state().calls.UpdateService ?? 0;
    const clock: Clock = {
      now: () => {
        if ((aws.layer.state().calls.UpdateService ?? 0) >= updatesBefore + 2) throw new TypeError(BUG);
        return Date.now();
      },
      sleep: (ms, signal) => systemClock.sleep(ms, signal),
    };
    try {
      const env: Record<string, string> = { ...RUNNER_ENV, ...aws.env() };
      const inputs = { cluster: CLUSTER, services: SERVICES, reason: 'release 1.1.0 failed', 'poll-interval-seconds': '1' };
      for (const [key, value] of Object.entries(inputs)) env[inputEnvName(key)] = value;
      const clients = { ecs: aws.ecs, pollEcs: aws.ecs, registerEcs: aws.ecs, recordEcs: aws.ecs };
      const thrown = await runRollbackList(getRollbackInputs(env), clients, Date.now() + 20_000, clock).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(thrown).toBeInstanceOf(TypeError);
      const outputs = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
      expect(outputs.status).toBe('failed');
      const services = Object.fromEntries((JSON.parse(outputs.services) as ServiceOutput[]).map((s) => [s.service, s]));
      for (const name of NAMES) {
        expect(services[name]).toMatchObject({
          status: 'failed',
          'task-definition-arn': TD(name, 1),
          'from-task-definition-arn': TD(name, 2),
          failure: 'switched: runs ' + name + ":1 (the rollback ended on an error before the rollout's verdict)",
        });
        expect(await live(name)).toBe(TD(name, 1));
        expect((await tags(TD(name, 2)))['gantry:status']).toBe('rolled-back');
      }
      expect(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')).toContain(BUG);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
