/**
 * run-task `check-only: true` end to end: the bundle run by the runner harness against moto_server
 * behind the rollout layer. A good check resolves the container and the command against what the
 * new revision will be made from — the task definition file, else the service's current revision —
 * and a bad one is refused naming the input; either way moto afterwards holds exactly what it held
 * before (ListTaskDefinitions with every revision's tags, ListTasks) and the layer saw only reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, splitFailureCode, type ActionResult } from '../support/harness';
import { CLUSTER, SERVICE, createMigrationService, ecsState, migrationContainer } from './moto-setup';

const aws = useEcsEmulator({
  fresh: true,
  each: async (aws) => {
    // web:1 runs 'app' and a non-essential 'sidecar'.
    await createMigrationService(aws.ecs, aws.layer.url, [
      migrationContainer('app'),
      { ...migrationContainer('sidecar'), essential: false },
    ]);
    aws.layer.settle();
  },
});

const workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-check-only-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
// The file the next revision is registered from: 'app' and a new 'migrator' container, no 'sidecar'.
writeFileSync(
  path.join(workspace, 'task-definition.json'),
  JSON.stringify({
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '1024',
    containerDefinitions: [migrationContainer('app'), { ...migrationContainer('migrator'), essential: false }],
  }),
);

/** Every ECS operation the layer forwarded during `action`, and moto's state before and after it. */
async function observed(action: () => Promise<ActionResult>) {
  const before = await ecsState(aws.ecs);
  const callsBefore = aws.layer.state().calls;
  const result = await action();
  const calls = Object.fromEntries(
    Object.entries(aws.layer.state().calls)
      .map(([operation, n]) => [operation, n - (callsBefore[operation] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return { result, calls, before, after: await ecsState(aws.ecs) };
}

const check = (inputs: Record<string, string>) =>
  observed(() =>
    runAction(
      'run-task',
      { cluster: CLUSTER, service: SERVICE, command: 'npm run migrate', 'check-only': 'true', ...inputs },
      { env: aws.env(), workspace },
    ),
  );

const errorOf = (result: ActionResult) => splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');

describe('run-task check-only (bundle, moto + rollout layer)', () => {
  it("against the service's current revision: checked, container and command resolved, only DescribeServices and DescribeTaskDefinition", async () => {
    const { result, calls, before, after } = await check({ container: 'app', command: '["sh", "-c", "npm run migrate && npm run seed"]' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toEqual({ status: 'checked', container: 'app', command: '["sh","-c","npm run migrate && npm run seed"]' });
    expect(calls).toEqual({ DescribeServices: 1, DescribeTaskDefinition: 1 });
    expect(after).toEqual(before);
    expect(Object.keys(after.taskDefinitions)).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/web:1']);
    expect(after.tasks).toHaveLength(1); // the service's own task, there before the check
    expect(result.summary).toContain('## run-task: ✅ inputs checked (nothing run)');
    expect(result.summary).toContain("| **Checked against** | web:1 (service web's current task definition) |");
    expect(result.summary).toMatch(/\| \*\*Placement\*\* \| FARGATE, subnets subnet-[0-9a-f]+, started by gantry\/run-task\/4242 \|/);
    expect(result.summary).toContain('no task was run, no revision registered, nothing tagged');
  });

  it("without container: the service's revision's only essential container", async () => {
    const { result, calls, before, after } = await check({});
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toEqual({ status: 'checked', container: 'app', command: '["npm","run","migrate"]' });
    expect(calls).toEqual({ DescribeServices: 1, DescribeTaskDefinition: 1 });
    expect(after).toEqual(before);
  });

  it("a container that is not in the service's revision: refused naming it and the revision's containers; moto unchanged", async () => {
    const { result, calls, before, after } = await check({ container: 'migrator' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toEqual({
      code: 'GANTRY-RUNTASK-024',
      text: "Input 'container' has value 'migrator': expected a container of web:1 (service web's current task definition): one of 'app', 'sidecar'.",
    });
    expect(result.outputs).toEqual({});
    expect(calls).toEqual({ DescribeServices: 1, DescribeTaskDefinition: 1 });
    expect(after).toEqual(before);
    expect(result.summary).toContain('## run-task: ❌ check failed (nothing run)');
    expect(result.summary).toContain("| **Checked against** | service web's current task definition |");
  });

  it('against the file: a container only the file has is checked; the service is read for its network only', async () => {
    const { result, calls, before, after } = await check({ 'task-definition': 'task-definition.json', container: 'migrator' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toEqual({ status: 'checked', container: 'migrator', command: '["npm","run","migrate"]' });
    expect(calls).toEqual({ DescribeServices: 1 });
    expect(after).toEqual(before);
    expect(result.summary).toContain('| **Checked against** | task-definition.json |');
  });

  it("against the file: a container the service's revision has but the file has not is refused; moto unchanged", async () => {
    const { result, calls, before, after } = await check({ 'task-definition': 'task-definition.json', container: 'sidecar' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toEqual({
      code: 'GANTRY-RUNTASK-024',
      text: "Input 'container' has value 'sidecar': expected a container of task-definition.json: one of 'app', 'migrator'.",
    });
    expect(result.outputs).toEqual({});
    expect(calls).toEqual({ DescribeServices: 1 });
    expect(after).toEqual(before);
  });

  it('a service with no task definition (EXTERNAL deployment controller) and no file: refused, nothing to check against', async () => {
    await aws.ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'external', desiredCount: 0, deploymentController: { type: 'EXTERNAL' } }),
    );
    const { result, calls, before, after } = await check({ service: 'external' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toEqual({
      code: 'GANTRY-RUNTASK-044',
      text: "Input 'task-definition' is missing: expected a task definition file: service external has no task definition to make the new revision from.",
    });
    expect(calls).toEqual({ DescribeServices: 1 });
    expect(after).toEqual(before);
  });

  it("the role may not read the service's task definition (AccessDenied): the step fails with AWS's error, nothing changed", async () => {
    aws.layer.setScenario({ deny: 'ecs:DescribeTaskDefinition' });
    const { result, before, after } = await check({ container: 'app' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).code).toBe('GANTRY-AWS-001');
    expect(errorOf(result).text).toMatch(/^AccessDeniedException: .*DescribeTaskDefinition/);
    expect(result.outputs).toEqual({});
    expect(result.summary).toContain('## run-task: ❌ check failed (nothing run)');
    expect(after).toEqual(before);
  });

  it('DescribeServices throttled twice: retried, and the check passes', async () => {
    aws.layer.setScenario({ throttle: 2, operation: 'DescribeServices' });
    const { result, after, before } = await check({ container: 'app' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'checked', container: 'app' });
    expect(aws.layer.state().throttled.DescribeServices).toBe(2);
    expect(after).toEqual(before);
  });

  it('a blank command: refused before any AWS call', async () => {
    const { result, calls, before, after } = await check({ command: ' \t ' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).code).toBe('GANTRY-RUNTASK-040');
    expect(errorOf(result).text).toMatch(/^Input 'command' is missing: expected a command: /);
    expect(calls).toEqual({});
    expect(after).toEqual(before);
  });
});
