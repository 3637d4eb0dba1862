import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from './moto';

describe('moto fixture', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('serves ECS on 127.0.0.1 and keeps task definition tags', async () => {
    expect(moto.url).toBe(`http://127.0.0.1:${moto.port}`);
    const ecs = ecsClientFor(moto.url);
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'example/web:1.0.0', essential: true }],
        tags: [{ key: 'gantry:git-sha', value: 'abc123' }],
      }),
    );
    expect(registered.taskDefinition?.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');

    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web', include: ['TAGS'] }));
    expect(described.taskDefinition?.revision).toBe(1);
    expect(described.tags).toEqual([{ key: 'gantry:git-sha', value: 'abc123' }]);
  });

  it('reset() empties every backend', async () => {
    const ecs = ecsClientFor(moto.url);
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [{ name: 'app', image: 'x:1', memory: 128 }] }),
    );
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns?.length).toBeGreaterThan(0);
    await moto.reset();
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([]);
  });

  it('awsTestEnv points a process at the endpoint with dummy credentials', () => {
    expect(awsTestEnv(moto.url)).toEqual({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: moto.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  it('stop() is idempotent', async () => {
    const other = await startMoto({ warmUp: false });
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    await expect(fetch(`${other.url}/moto-api/`)).rejects.toThrow();
  });
});

describe('moto fixture without moto', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'no-moto-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with the install hint when python cannot import moto', async () => {
    // A python whose module search path cannot reach site-packages, so `moto` is not importable.
    const python = path.join(dir, 'python-without-moto');
    await writeFile(python, '#!/bin/sh\nexec python3 -S -I "$@"\n');
    await chmod(python, 0o755);
    await expect(startMoto({ python })).rejects.toThrow(
      /moto_server is not available: .*No module named 'moto'.*Install it with: pip install "moto\[server\]"/,
    );
  });

  it('fails with the install hint when python itself is missing', async () => {
    await expect(startMoto({ python: path.join(dir, 'no-such-python') })).rejects.toThrow(
      /moto_server is not available: .*ENOENT.*Install it with: pip install "moto\[server\]"/,
    );
  });
});
