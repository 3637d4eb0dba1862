/**
 * A release of several services (`services`) driven through faults injected between the deploy-ecs
 * bundle and AWS (test/support/fault-proxy.ts in front of the rollout layer and moto), on the
 * SECOND service's UpdateService, on the release tags' TagResource after the rollout, and with the
 * job cancelled (SIGTERM to the bundle) in the middle of the release. Whatever breaks, the outputs
 * (`status`, `services`, `rollback-services`) say what each service may run, every revision the
 * service was told to run is judged (never left `pending` unless the tag call itself failed, and
 * then a warning names it), and moto's own state (DescribeServices, ListTagsForResource) agrees.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ListTagsForResourceCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployServices, MultiProgress } from '../../actions/deploy-ecs/src/multi';
import { getInputs } from '../../actions/deploy-ecs/src/inputs';
import { runServiceList } from '../../actions/deploy-ecs/src/multi-main';
import { runnerContext } from '../../lib/ecs/metadata';
import { ActionFailure } from '../../lib/runner/errors';
import { inputEnvName } from '../../lib/runner/inputs';
import { memoryLogger, type Logger } from '../../lib/runner/logger';
import { systemClock, type Clock } from '../../lib/util/clock';
import { useEcsEmulator } from '../support/ecs-emulator';
import type { FaultRule } from '../support/fault-proxy';
import { parseCommandFile, runAction, type ActionResult } from '../support/harness';
import { TEST_REGION } from '../support/moto';
import { CLUSTER, REGISTRY, createService } from './moto-setup';

const TD = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
/** timeout-seconds of the cases that run into it; the others get 20 s, far more than they need. */
const TIMEOUT_S = 6;
/** The runner sends SIGTERM 7.5 s after SIGINT (and kills 2.5 s later): the outputs must be written before. */
const RUNNER_GRACE_MS = 7_500;

const container = (name: string): ContainerDefinition => ({
  name,
  image: `${REGISTRY}/app:1.0.0`,
  essential: true,
  cpu: 0,
  environment: [{ name: 'ROLE', value: name }],
  logConfiguration: {
    logDriver: 'awslogs',
    options: { 'awslogs-group': '/ecs/shop', 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': name },
  },
});

/** Services api and worker (families api, worker), settled on revision 1. */
const aws = useEcsEmulator({
  faultProxy: true,
  fresh: true,
  each: async (aws) => {
    for (const name of ['api', 'worker'])
      await createService(aws.ecs, {
        service: name,
        family: name,
        containers: [container(name)],
        circuitBreaker: { enable: true, rollback: false },
      });
    aws.layer.settle();
  },
});

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-multi-faults-'));
  for (const name of ['api', 'worker'])
    writeFileSync(
      path.join(workspace, `${name}.json`),
      JSON.stringify({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [container(name)],
      }),
    );
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const SERVICES = `
- service: api
  task-definition: api.json
  container-name: api
- service: worker
  task-definition: worker.json
  container-name: worker
`;

const RELEASE_INPUTS = {
  cluster: CLUSTER,
  services: SERVICES,
  image: `${REGISTRY}/app:${SHA.slice(0, 7)}`,
  'git-sha': SHA,
  version: '2.0.0',
  environment: 'staging',
  'poll-interval-seconds': 1,
  'timeout-seconds': 20,
};

function releaseThrough(
  faults: FaultRule[],
  inputs: Record<string, string | number> = {},
  options: { signal?: { when: RegExp; signal: NodeJS.Signals } } = {},
): Promise<ActionResult> {
  for (const fault of faults) aws.proxy.addFault(fault);
  return runAction(
    'deploy-ecs',
    { ...RELEASE_INPUTS, ...inputs },
    { env: aws.env(), workspace, signal: options.signal, timeoutMs: 60_000 },
  );
}

/** Faults on one service's calls: its UpdateService, or the TagResource of one revision. */
const updateOf = (service: string, fault: FaultRule['fault']): FaultRule => ({
  operation: 'UpdateService',
  fault,
  match: `"service":"${service}"`,
  times: Infinity,
});
const tagOf = (arn: string, fault: FaultRule['fault']): FaultRule => ({
  operation: 'TagResource',
  fault,
  match: `"${arn}"`,
  times: Infinity,
});

interface ServiceOutput {
  service: string;
  status: string;
  'task-definition-arn': string | null;
  'previous-task-definition-arn': string | null;
  reason: string | null;
}
const servicesOf = (result: ActionResult): Record<string, ServiceOutput> =>
  Object.fromEntries((JSON.parse(result.outputs.services ?? '[]') as ServiceOutput[]).map((s) => [s.service, s]));
const rollbackOf = (result: ActionResult): { service: string; target: string }[] =>
  JSON.parse(result.outputs['rollback-services'] ?? 'null');
const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const warnings = (result: ActionResult): string[] => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

/** moto's own state, read past the proxy. */
async function live(service: string): Promise<string | undefined> {
  return (await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services?.[0]?.taskDefinition;
}
async function statusTag(arn: string): Promise<string | undefined> {
  const out = await aws.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  return out.tags?.find((t) => t.key === 'gantry:status')?.value;
}

const BOTH_ROLLED_BACK = [
  { service: 'api', target: TD('api', 1) },
  { service: 'worker', target: TD('worker', 1) },
];

describe("the second service's UpdateService", () => {
  it.each([
    ['applied, every answer an HTTP 500 (error after forward)', 'error-after-forward'],
    ['applied, every answer lost (connection reset)', 'reset-after-forward'],
  ] as const)('%s: read back, the service WAS changed, watched; the release is deployed', async (_name, fault) => {
    const result = await releaseThrough([updateOf('worker', fault)]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(result.stdout).toMatch(
      /\[worker\] UpdateService of worker to \S+worker:2 failed: .*\. The service WAS changed: it now runs \S+worker:2\. The update was applied: watching its rollout\./,
    );
    const services = servicesOf(result);
    expect(services.api).toMatchObject({ status: 'deployed', 'task-definition-arn': TD('api', 2) });
    expect(services.worker).toMatchObject({
      status: 'deployed',
      'task-definition-arn': TD('worker', 2),
      'previous-task-definition-arn': TD('worker', 1),
    });
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    for (const name of ['api', 'worker']) {
      expect(await live(name)).toBe(TD(name, 2));
      expect(await statusTag(TD(name, 2))).toBe('deployed');
    }
  });

  it('applied, never answered until the deadline: the worker timed out (it WAS changed), the api — watched meanwhile — deployed', async () => {
    aws.layer.setScenario({ kind: 'hang', service: 'worker' });
    const result = await releaseThrough([updateOf('worker', 'hang-after-forward')], { 'timeout-seconds': TIMEOUT_S });
    expect(result.exitCode).toBe(1);
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 2000);
    expect(result.outputs.status).toBe('timed-out');
    expect(result.stdout).toMatch(
      /\[worker\] UpdateService of worker to \S+worker:2 failed: DeadlineExceeded: UpdateService did not answer before the action's deadline .*\. The service WAS changed/,
    );
    const services = servicesOf(result);
    // The api's rollout was watched while the worker's UpdateService hung, not left unpolled until the deadline.
    expect(services.api).toMatchObject({ status: 'deployed', 'task-definition-arn': TD('api', 2) });
    expect(services.worker).toMatchObject({ status: 'timed-out', 'task-definition-arn': TD('worker', 2) });
    expect(errorOf(result)).toMatch(/^GANTRY-DEPLOY-105: Release of 2 services in cluster shop timed out: service worker timed out: /);
    // Both may run their new revision: both are rolled back.
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    expect(await live('api')).toBe(TD('api', 2));
    expect(await live('worker')).toBe(TD('worker', 2));
    expect(await statusTag(TD('api', 2))).toBe('deployed');
    expect(await statusTag(TD('worker', 2))).toBe('failed');
  });

  it('answer lost and the service unreadable: UNKNOWN, said so; the worker is in rollback-services, every revision tagged failed', async () => {
    aws.layer.setScenario({ kind: 'hang', service: 'api' });
    const result = await releaseThrough([
      updateOf('worker', 'reset-after-forward'),
      { operation: 'DescribeServices', fault: 'access-denied', match: '"services":["worker"]', times: Infinity },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    const services = servicesOf(result);
    expect(services.worker.status).toBe('failed');
    expect(services.worker.reason).toMatch(
      /^UpdateService of worker to \S+worker:2 failed: .*\. Whether the service was changed is UNKNOWN: reading it back failed \(AccessDeniedException/,
    );
    expect(services.worker.reason).not.toMatch(/NOT changed/);
    expect(services.api.reason).toMatch(/^not judged: the release failed \(service worker failed: UpdateService of worker/);
    expect(errorOf(result)).toMatch(/^GANTRY-DEPLOY-105: Release of 2 services in cluster shop failed: service worker failed: .*UNKNOWN/);
    // It did change (moto says so): the rollback must include it.
    expect(await live('worker')).toBe(TD('worker', 2));
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    expect(await statusTag(TD('worker', 2))).toBe('failed');
    expect(await statusTag(TD('api', 2))).toBe('failed');
  });
});

describe('TagResource of the release tags after the rollout: the verdict stands, a warning names the revision', () => {
  it("refused for the worker's deployed tag: deployed, the worker's revision still pending and named", async () => {
    const result = await releaseThrough([tagOf(TD('worker', 2), 'access-denied')]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(Object.values(servicesOf(result)).map((s) => s.status)).toEqual(['deployed', 'deployed']);
    expect(warnings(result)).toContainEqual(
      expect.stringMatching(
        /^\[worker\] Could not tag \S+worker:2 gantry:status=deployed \(AccessDeniedException: .*\): it still has gantry:status=pending\./,
      ),
    );
    expect(await statusTag(TD('worker', 2))).toBe('pending');
    expect(await statusTag(TD('api', 2))).toBe('deployed');
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
  });

  it('applied, every answer lost: read back, the tag IS there — no warning claims it is missing', async () => {
    const result = await releaseThrough([tagOf(TD('worker', 2), 'reset-after-forward')]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(await statusTag(TD('worker', 2))).toBe('deployed');
    expect(result.stdout).toMatch(
      /\[worker\] TagResource gantry:status=deployed on \S+worker:2 failed \(.*\), but reading the tags back shows it written\./,
    );
    expect(warnings(result).filter((w) => w.includes('worker:2'))).toEqual([]);
  });

  it('never answered: deployed within the deadline plus one poll, the warning says the tag is NOT confirmed', async () => {
    const result = await releaseThrough([tagOf(TD('worker', 2), 'hang')], { 'timeout-seconds': TIMEOUT_S });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 2000);
    expect(result.outputs.status).toBe('deployed');
    expect(servicesOf(result).worker.status).toBe('deployed');
    expect(warnings(result)).toContainEqual(
      expect.stringMatching(/^\[worker\] Could not tag \S+worker:2 gantry:status=deployed \(.*\); whether it has it is UNKNOWN/),
    );
    expect(await statusTag(TD('worker', 2))).toBe('pending');
    expect(await statusTag(TD('api', 2))).toBe('deployed');
  });

  it("the release fails and the api's failed tag is refused: still failed, the api's revision named as left pending", async () => {
    aws.layer.setScenario({ kind: 'complete', service: 'api', ticks: 6 });
    aws.layer.setScenario({ kind: 'fail', service: 'worker', ticks: 1 });
    const result = await releaseThrough([tagOf(TD('api', 2), 'access-denied')]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(errorOf(result)).toMatch(/^GANTRY-DEPLOY-105: Release of 2 services in cluster shop failed: service worker failed/);
    expect(warnings(result)).toContainEqual(
      expect.stringMatching(
        /^\[api\] Could not tag \S+api:2 gantry:status=failed \(AccessDeniedException: .*\): it still has gantry:status=pending\./,
      ),
    );
    expect(await statusTag(TD('api', 2))).toBe('pending');
    expect(await statusTag(TD('worker', 2))).toBe('failed');
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
  });
});

describe('a cancelled job (SIGTERM to the bundle) in the middle of a release', () => {
  /** Outputs written, code first, within the runner's SIGINT → SIGTERM window. */
  function expectCancelled(result: ActionResult): void {
    expect(result.exitCode).toBe(1);
    expect(result.signalledAfterMs).toBeDefined();
    expect(result.durationMs - (result.signalledAfterMs as number)).toBeLessThan(RUNNER_GRACE_MS);
    expect(result.stdout).toMatch(/Received SIGTERM \(job cancelled or timed out\): recording what is known before exiting\./);
    expect(result.outputs.status).toBe('cancelled');
    expect(errorOf(result)).toMatch(
      /^GANTRY-DEPLOY-120: Release of 2 services in cluster shop was cancelled \(SIGTERM\) before its verdict: /,
    );
    expect(result.summary).toContain('cancelled before the release was judged');
  }

  it('after the first UpdateService, the second one unanswered: both reported, both in rollback-services, both revisions tagged failed', async () => {
    const result = await releaseThrough(
      [updateOf('worker', 'hang')],
      {},
      { signal: { when: /\[api\] Deployment \S+ started/, signal: 'SIGTERM' } },
    );
    expectCancelled(result);
    const services = servicesOf(result);
    expect(services.api).toMatchObject({
      status: 'cancelled',
      'task-definition-arn': TD('api', 2),
      'previous-task-definition-arn': TD('api', 1),
    });
    expect(services.worker).toMatchObject({ status: 'cancelled', 'task-definition-arn': TD('worker', 2) });
    expect(services.worker.reason).toMatch(/^SIGTERM before the rollout's verdict: the service was told to run \S+worker:2, unverified/);
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    expect(await live('api')).toBe(TD('api', 2));
    expect(await live('worker')).toBe(TD('worker', 1));
    expect(await statusTag(TD('api', 2))).toBe('failed');
    expect(await statusTag(TD('worker', 2))).toBe('failed');
  });

  it('after every UpdateService, before the first poll: both cancelled, both tagged failed', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await releaseThrough([], {}, { signal: { when: /\[worker\] Deployment \S+ started/, signal: 'SIGTERM' } });
    expectCancelled(result);
    const services = servicesOf(result);
    expect(services.api).toMatchObject({ status: 'cancelled', 'task-definition-arn': TD('api', 2) });
    expect(services.worker).toMatchObject({ status: 'cancelled', 'task-definition-arn': TD('worker', 2) });
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    for (const name of ['api', 'worker']) {
      expect(await live(name)).toBe(TD(name, 2));
      expect(await statusTag(TD(name, 2))).toBe('failed');
    }
  });

  it('while watching: both cancelled, both tagged failed', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await releaseThrough([], {}, { signal: { when: /\[worker\] \S+ poll 2:/, signal: 'SIGTERM' } });
    expectCancelled(result);
    expect(Object.values(servicesOf(result)).map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    for (const name of ['api', 'worker']) expect(await statusTag(TD(name, 2))).toBe('failed');
  });

  it('while watching, and every TagResource hangs: the outputs are still written in time (they do not wait for the tags)', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await releaseThrough(
      [{ operation: 'TagResource', fault: 'hang', times: Infinity }],
      {},
      {
        signal: { when: /\[worker\] \S+ poll 2:/, signal: 'SIGTERM' },
      },
    );
    expectCancelled(result);
    expect(Object.values(servicesOf(result)).map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(rollbackOf(result)).toEqual(BOTH_ROLLED_BACK);
    // The tags could not be written: the revisions are still pending (the workflow's rollback still runs).
    for (const name of ['api', 'worker']) expect(await statusTag(TD(name, 2))).toBe('pending');
  });
});

describe('a cancel between two services (in-process: the cancel lands while the first service is being updated)', () => {
  it('no UpdateService is sent after the recorder took over: the worker keeps what it runs', async () => {
    const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, GITHUB_SHA: SHA, AWS_REGION: 'us-east-1' };
    for (const [name, value] of Object.entries({ ...RELEASE_INPUTS, 'timeout-seconds': 10 })) env[inputEnvName(name)] = String(value);
    const progress = new MultiProgress();
    const base = memoryLogger();
    // The recorder takes over the moment the api's update went out: main.ts marks the release and every service cancelled.
    const log: Logger = {
      ...base,
      info: (line: string) => {
        base.info(line);
        if (!line.startsWith('[api] Updated service api')) return;
        progress.cancelled = true;
        for (const entry of getInputs(env).services ?? []) progress.for(entry).cancelled = true;
      },
    };
    const result = await deployServices(getInputs(env), { ecs: aws.ecs, clock: systemClock, log, context: runnerContext(env), progress });
    expect(result.status).toBe('cancelled');
    expect(result.services.map((s) => [s.entry.service, s.touched])).toEqual([
      ['api', true],
      ['worker', false],
    ]);
    expect(result.services[1].result.status).toBe('cancelled');
    expect(result.services[1].result.reason).toMatch(/^not updated: the job was cancelled before this service's turn/);
    expect(aws.layer.state().calls.UpdateService).toBe(1);
    expect(await live('worker')).toBe(TD('worker', 1));
  });
});

/** Runs runServiceList in-process with its GitHub files in a temporary directory: what it wrote, and what it threw. */
async function runListInProcess(clock: Clock): Promise<{ thrown: unknown; outputs: Record<string, string>; summary: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-multi-error-'));
  const files = { GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const saved = { GITHUB_OUTPUT: process.env.GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY };
  Object.assign(process.env, files);
  try {
    const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, GITHUB_SHA: SHA, AWS_REGION: 'us-east-1' };
    for (const [name, value] of Object.entries(RELEASE_INPUTS)) env[inputEnvName(name)] = String(value);
    const clients = { ecs: aws.ecs, pollEcs: aws.ecs, registerEcs: aws.ecs, recordEcs: aws.ecs };
    const thrown = await runServiceList(getInputs(env), clients, Date.now() + 20_000, clock).then(
      () => undefined,
      (err: unknown) => err,
    );
    return {
      thrown,
      outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('an error nobody foresaw, after the services were told to change (in-process)', () => {
  const BUG = "Cannot read properties of undefined (reading 'rolloutState')";
  const bothUpdated = () => (aws.layer.state().calls.UpdateService ?? 0) >= 2;

  it('in the shared watch loop: every watch ends with it (none waits forever, no unhandled rejection), outputs and tags owed', async () => {
    aws.layer.setScenario({ kind: 'complete', ticks: 5 });
    // The loop's wait between polls throws once both services have been told to change.
    const clock: Clock = {
      now: () => Date.now(),
      sleep: async (ms, signal) => {
        if (bothUpdated()) throw new TypeError(BUG);
        return systemClock.sleep(ms, signal);
      },
    };
    const { thrown, outputs, summary } = await runListInProcess(clock);
    expect(thrown).toBeInstanceOf(ActionFailure);
    expect((thrown as ActionFailure).code).toBe('GANTRY-DEPLOY-105');
    expect((thrown as Error).message).toContain(BUG);
    expect(outputs.status).toBe('failed');
    expect(JSON.parse(outputs['rollback-services'])).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    expect(summary).toContain(BUG);
    for (const name of ['api', 'worker']) {
      expect(await live(name)).toBe(TD(name, 2));
      expect(await statusTag(TD(name, 2))).toBe('failed');
    }
  });

  it("outside every service's own path (after the watch): the outputs and tags are still written before the error", async () => {
    aws.layer.setScenario({ kind: 'complete', ticks: 2 });
    // The clock breaks once every watch has ended: the release's own code past the services' paths throws.
    let broken = false;
    const clock: Clock = {
      now: () => {
        if (broken) throw new TypeError(BUG);
        return Date.now();
      },
      sleep: (ms, signal) => systemClock.sleep(ms, signal),
    };
    const watchOver = setInterval(() => {
      if (bothUpdated() && (aws.layer.state().calls.TagResource ?? 0) >= 2) broken = true;
    }, 5);
    let result;
    try {
      result = await runListInProcess(clock);
    } finally {
      clearInterval(watchOver);
    }
    const { thrown, outputs, summary } = result;
    expect(thrown, JSON.stringify(outputs)).toBeInstanceOf(TypeError);
    expect(outputs.status).toBe('failed');
    expect(JSON.parse(outputs['rollback-services'])).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    expect(JSON.parse(outputs.services)).toEqual([
      expect.objectContaining({
        service: 'api',
        status: 'failed',
        'task-definition-arn': TD('api', 2),
        reason: expect.stringContaining(BUG),
      }),
      expect.objectContaining({ service: 'worker', status: 'failed', 'task-definition-arn': TD('worker', 2) }),
    ]);
    expect(summary).toContain(BUG);
    for (const name of ['api', 'worker']) expect(await live(name)).toBe(TD(name, 2));
  });
});
