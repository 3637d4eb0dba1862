/**
 * End to end: the bundled action (actions/deploy-ecs/dist/index.js) run by the runner harness
 * against moto_server behind the rollout layer, outputs read back from GITHUB_OUTPUT.
 */
import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { node24Binary, runAction, type ActionResult } from '../support/harness';
import {
  CLUSTER,
  REGISTRY,
  SERVICE,
  createService,
  readRevision,
  serviceTaskDefinition,
  taskDefinitionArns,
  type ServiceSetup,
} from './moto-setup';

const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const aws = useEcsEmulator({ fresh: true });

/** A settled service on web:1, then a deploy of `tag` with 1 s polls. */
async function deployImage(
  tag: string,
  inputs: Record<string, string | number> = {},
  options: { setup?: ServiceSetup; node?: string; onStdout?: (chunk: string) => void } = {},
): Promise<ActionResult> {
  await createService(aws.ecs, options.setup);
  aws.layer.settle();
  return runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      image: `${REGISTRY}/web:${tag}`,
      version: '1.4.0',
      environment: 'staging',
      'poll-interval-seconds': 1,
      ...inputs,
    },
    { env: aws.env(), node: options.node, onStdout: options.onStdout },
  );
}

const progressLines = (stdout: string) => stdout.split('\n').filter((l) => /^\[\d+s\] poll \d+:/.test(l));
const errorOf = (result: ActionResult) => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const describeServicesCalls = () => aws.layer.state().calls.DescribeServices ?? 0;

describe('deploy-ecs bundle end to end (moto + rollout layer)', () => {
  it('a completing rollout: exit 0, outputs, release tagged deployed', async () => {
    const result = await deployImage('a1b2c3d');
    expect(result.exitCode, result.stdout).toBe(0);
    const deployment = aws.layer.state().services[0].deployments[0];
    expect(result.outputs).toEqual({
      'task-definition-arn': TD(2),
      'previous-task-definition-arn': TD(1),
      revision: '2',
      'deployment-id': deployment.id,
      status: 'deployed',
    });
    expect(deployment).toMatchObject({ taskDefinition: TD(2), rolloutState: 'COMPLETED' });
    expect(progressLines(result.stdout).at(-1)).toMatch(/poll 2: running 2\/2, pending 0, failed tasks 0 · COMPLETED/);
    const revision = await readRevision(aws.ecs, TD(2));
    expect(revision.tags).toMatchObject({
      'gantry:status': 'deployed',
      'gantry:git-sha': SHA,
      'gantry:version': '1.4.0',
      'gantry:environment': 'staging',
      'gantry:previous': TD(1),
      team: 'shop',
    });
    expect(revision.env).toMatchObject({ DEPLOY_GIT_SHA: SHA, DEPLOY_VERSION: '1.4.0' });
    expect(result.summary).toContain('## deploy-ecs: ✅ deployed');
    expect(result.summary).toContain('web:1 → web:2');
  });

  it('a failing rollout is caught on the first poll that shows FAILED, with the stopped tasks', async () => {
    aws.layer.setScenario({ kind: 'fail', ticks: 3 });
    const result = await deployImage('b2c3d4e', {}, { setup: { circuitBreaker: { enable: true, rollback: false } } });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    const polls = progressLines(result.stdout);
    expect(polls).toHaveLength(3);
    expect(polls[2]).toMatch(/poll 3: .* · FAILED$/);
    // One DescribeServices before the update, then exactly one per poll.
    expect(describeServicesCalls()).toBe(1 + 3);
    expect(result.stdout).toMatch(/stopped task: \w+ \(EssentialContainerExited\): Essential container in task exited/);
    expect(errorOf(result)).toMatch(
      /^GANTRY-DEPLOY-034: Deployment of web:2 to service web failed: deployment ecs-svc\/\d+ FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/,
    );
    expect(errorOf(result)).toMatch(/Stopped tasks: \d+× EssentialContainerExited: Essential container in task exited/);
    expect(result.summary).toContain('### Stopped tasks');
    expect(result.summary).toContain('### Last service events');
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
  });

  it('a circuit-breaker rollback is caught on the first poll where our deployment is replaced', async () => {
    aws.layer.setScenario({ kind: 'rollback-immediate', ticks: 2 });
    const result = await deployImage('c3d4e5f');
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'task-definition-arn': TD(2) });
    expect(progressLines(result.stdout)).toHaveLength(2);
    expect(describeServicesCalls()).toBe(1 + 2);
    expect(errorOf(result)).toMatch(
      /deployment ecs-svc\/\d+ is gone from the service\. PRIMARY is now ecs-svc\/\d+ running .*web:1\. .*circuit breaker rolled back/,
    );
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
  });

  it('throttled polls are retried at the next poll, not fatal', async () => {
    let armed = false;
    const result = await deployImage(
      'd4e5f60',
      {},
      {
        onStdout: (chunk) => {
          // Throttle the rollout polls, not the first DescribeServices (which the SDK retries itself).
          if (!armed && chunk.includes('Registered ')) {
            armed = true;
            aws.layer.setScenario({ throttle: 2, operation: 'DescribeServices' });
          }
        },
      },
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(aws.layer.state().throttled.DescribeServices).toBe(2);
    const warnings = result.annotations.filter((a) => a.level === 'warning' && a.message.includes('ThrottlingException'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0].message).toMatch(
      /poll 1: DescribeServices failed \(ThrottlingException: Rate exceeded.*trying again at the next poll/,
    );
    expect(result.outputs.status).toBe('deployed');
  });

  it('times out at the deadline on a rollout that never finishes', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await deployImage('e5f6071', { 'timeout-seconds': 2 });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    expect(errorOf(result)).toMatch(/timed out: rollout did not finish within 2s; last seen: running 0\/2, pending 2/);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
  });

  it('dry-run changes nothing and exits 0', async () => {
    const result = await deployImage('f607182', { 'dry-run': 'true' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'dry-run', 'previous-task-definition-arn': TD(1) });
    expect(result.stdout).toContain(`~ containerDefinitions[app].image: "${REGISTRY}/web:1.0.0" → "${REGISTRY}/web:f607182"`);
    expect(await taskDefinitionArns(aws.ecs)).toEqual([TD(1)]);
    expect(result.summary).toContain('### Changes against the live task definition');
  });

  it('refuses a CODE_DEPLOY service before registering anything', async () => {
    await createService(aws.ecs);
    await aws.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'cd',
        taskDefinition: TD(1),
        desiredCount: 1,
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
    );
    const result = await runAction('deploy-ecs', { cluster: CLUSTER, service: 'cd', image: `${REGISTRY}/web:1a2b3c4` }, { env: aws.env() });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(/uses the CODE_DEPLOY deployment controller, which gantry does not support/);
    expect(result.summary).toContain('## deploy-ecs: ❌ failed');
    expect(await taskDefinitionArns(aws.ecs)).toEqual([TD(1)]);
  });

  it('runs under Node 24 (the runtime of runs.using: node24)', async () => {
    const node = await node24Binary();
    const result = await deployImage('0a1b2c3', {}, { node });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.status).toBe('deployed');
  }, 300_000);
});
