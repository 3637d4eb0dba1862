import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { NEW_TD, steadyService } from '../../test/deploy-ecs/ecs-fixtures';
import {
  assertEcsDeploymentController,
  describeServiceOrFail,
  readReleaseTags,
  recordToTags,
  sanitizeTagValue,
  setReleaseStatus,
  tagsToRecord,
} from './release';
import { ActionFailure, InputError } from '../runner/errors';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });
beforeEach(() => ecsMock.reset());

describe('release tags', () => {
  it('reads all tags of a revision with include TAGS', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: NEW_TD },
      tags: [
        { key: 'gantry:git-sha', value: 'abc1234' },
        { key: 'team', value: 'shop' },
      ],
    });
    expect(await readReleaseTags(ecs, NEW_TD)).toEqual({ 'gantry:git-sha': 'abc1234', team: 'shop' });
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input).toEqual({ taskDefinition: NEW_TD, include: ['TAGS'] });
  });

  it('sets gantry:status and sanitised extra tags with one TagResource', async () => {
    ecsMock.on(TagResourceCommand).resolves({});
    await setReleaseStatus(ecs, NEW_TD, 'rolled-back', { 'gantry:rollback-reason': 'smoke test "health" failed, 3/5 checks' });
    expect(ecsMock.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({
      resourceArn: NEW_TD,
      tags: [
        { key: 'gantry:rollback-reason', value: 'smoke test health failed 3/5 checks' },
        { key: 'gantry:status', value: 'rolled-back' },
      ],
    });
  });

  it('converts between tag lists and records, and keeps tag values within what ECS accepts', () => {
    expect(tagsToRecord(recordToTags({ a: '1', b: '' }))).toEqual({ a: '1', b: '' });
    expect(sanitizeTagValue('https://github.com/acme/shop/actions/runs/42')).toBe('https://github.com/acme/shop/actions/runs/42');
    expect(sanitizeTagValue('x'.repeat(300))).toHaveLength(256);
  });
});

describe('describeServiceOrFail', () => {
  it('returns the service', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [steadyService()], failures: [] });
    expect((await describeServiceOrFail(ecs, 'shop', 'web')).serviceName).toBe('web');
  });

  it('names the service input when the service does not exist', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'web', reason: 'MISSING' }] });
    const error = await describeServiceOrFail(ecs, 'shop', 'web').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^Input 'service' has value 'web': expected an existing service in cluster 'shop' \(DescribeServices reported MISSING\)/,
    );
  });

  it('names the cluster input when the cluster does not exist', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    await expect(describeServiceOrFail(ecs, 'nope', 'web')).rejects.toThrow(
      /^Input 'cluster' has value 'nope': expected an existing ECS cluster/,
    );
  });

  it('refuses a deleted (INACTIVE) service', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [steadyService({ status: 'INACTIVE' })] });
    await expect(describeServiceOrFail(ecs, 'shop', 'web')).rejects.toThrow(/ACTIVE service .*INACTIVE/);
  });
});

describe('assertEcsDeploymentController', () => {
  it.each(['CODE_DEPLOY', 'EXTERNAL'] as const)('%s is not supported, clearly', (type) => {
    expect(() => assertEcsDeploymentController(steadyService({ deploymentController: { type } }))).toThrow(ActionFailure);
    expect(() => assertEcsDeploymentController(steadyService({ deploymentController: { type } }))).toThrow(
      new RegExp(`${type} deployment controller, which gantry does not support`),
    );
  });
  it('accepts ECS and a missing controller (ECS is the default)', () => {
    expect(() => assertEcsDeploymentController(steadyService())).not.toThrow();
    expect(() => assertEcsDeploymentController(steadyService({ deploymentController: undefined }))).not.toThrow();
  });
});
