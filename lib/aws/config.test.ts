import { describe, expect, it } from 'vitest';
import { awsClientConfig } from './config';

describe('awsClientConfig', () => {
  it('prefers the input region over AWS_REGION over AWS_DEFAULT_REGION', () => {
    expect(awsClientConfig({ region: 'eu-west-1' }, { AWS_REGION: 'us-east-1' }).region).toBe('eu-west-1');
    expect(awsClientConfig({}, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('us-east-1');
    expect(awsClientConfig({}, { AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-central-1');
  });

  it('fails clearly without a region', () => {
    expect(() => awsClientConfig({}, {})).toThrow(
      /^Input 'aws-region' is missing: expected an AWS region \(set the aws-region input, or AWS_REGION/,
    );
  });

  it('rejects a malformed region', () => {
    expect(() => awsClientConfig({ region: 'Europe' }, {})).toThrow(
      "Input 'aws-region' has value 'Europe': expected an AWS region such as eu-west-1.",
    );
  });

  it('uses the endpoint input over AWS_ENDPOINT_URL, and none by default', () => {
    expect(
      awsClientConfig({ endpointUrl: 'http://127.0.0.1:5000' }, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })
        .endpoint,
    ).toBe('http://127.0.0.1:5000');
    expect(awsClientConfig({}, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).endpoint).toBe('http://127.0.0.1:1');
    const config = awsClientConfig({}, { AWS_REGION: 'us-east-1' });
    expect(config).toMatchObject({ region: 'us-east-1', maxAttempts: 5, retryMode: 'adaptive' });
    expect(config.endpoint).toBeUndefined();
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => awsClientConfig({ endpointUrl: 'localhost:5000' }, { AWS_REGION: 'us-east-1' })).toThrow(
      /^Input 'endpoint-url' has value 'localhost:5000'/,
    );
    expect(() => awsClientConfig({ endpointUrl: 'not a url' }, { AWS_REGION: 'us-east-1' })).toThrow(/^Input 'endpoint-url'/);
  });
});
