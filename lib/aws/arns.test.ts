import { describe, expect, it } from 'vitest';
import { checkArnScope, checkServiceInCluster, parseArn, readAccountId } from './arns';

describe('ARN scope', () => {
  it('reads the partition, region and account of an ARN, and nothing of a name', () => {
    expect(parseArn('arn:aws-cn:ecs:cn-north-1:123456789012:cluster/shop')).toEqual({
      partition: 'aws-cn',
      service: 'ecs',
      region: 'cn-north-1',
      account: '123456789012',
      resource: 'cluster/shop',
    });
    expect(parseArn('shop')).toBeUndefined();
  });

  it('accepts names, and ARNs of the client region and one account', () => {
    const arns = [
      { input: 'cluster', value: 'shop' },
      { input: 'service', value: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web' },
      { input: 'task-definition-arn', value: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3' },
      { input: 'target', value: undefined },
    ];
    expect(() => checkArnScope(arns, { region: 'eu-west-1', account: readAccountId('aws-account-id', '123456789012') })).not.toThrow();
    expect(() =>
      checkServiceInCluster('arn:aws:ecs:eu-west-1:123456789012:cluster/shop', 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web'),
    ).not.toThrow();
    // The short service ARN form names no cluster.
    expect(() => checkServiceInCluster('payments', 'arn:aws:ecs:eu-west-1:123456789012:service/web')).not.toThrow();
  });

  it('names the input, the ARN region and the client region', () => {
    expect(() =>
      checkArnScope([{ input: 'service', value: 'arn:aws:ecs:us-east-1:123456789012:service/shop/web' }], { region: 'eu-west-1' }),
    ).toThrow(
      "Input 'service' has value 'arn:aws:ecs:us-east-1:123456789012:service/shop/web': expected an ARN in the region the action calls, eu-west-1 (this ARN is in us-east-1): set aws-region (or AWS_REGION) to us-east-1, or use the ARN of eu-west-1.",
    );
  });
});
