/**
 * One place that decides how gantry talks to AWS: region, optional endpoint (a local
 * emulator in tests and the demo), adaptive retries for throttling, connection and request
 * timeouts (never wait forever for AWS: lib/aws/deadline.ts). Returns a plain
 * config object for any SDK v3 client so each bundle only includes the clients it uses.
 * Credentials come from the SDK's default chain (OIDC role from configure-aws-credentials).
 */
import { DeadlineHttpHandler, type AwsTimeouts } from './deadline';
import { InputError } from '../runner/errors';
import type { Env } from '../runner/inputs';

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  /** Connection and per-attempt request timeouts, cut to the deadline (lib/aws/deadline.ts). */
  requestHandler: DeadlineHttpHandler;
}

export interface AwsOptions {
  region?: string;
  endpointUrl?: string;
  maxAttempts?: number;
  /** Default: 5 s to connect, 30 s per attempt, no deadline. */
  timeouts?: AwsTimeouts;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function awsClientConfig(options: AwsOptions = {}, env: Env = process.env): AwsClientConfig {
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError(
      'GANTRY-AWS-007',
      'aws-region',
      undefined,
      'an AWS region (set the aws-region input, or AWS_REGION as aws-actions/configure-aws-credentials does)',
    );
  }
  if (!REGION.test(region)) throw new InputError('GANTRY-AWS-008', 'aws-region', region, 'an AWS region such as eu-west-1');
  const endpoint = options.endpointUrl || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new InputError('GANTRY-AWS-009', 'endpoint-url', endpoint, 'an http(s) URL such as http://127.0.0.1:5000');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError('GANTRY-AWS-009', 'endpoint-url', endpoint, 'an http(s) URL such as http://127.0.0.1:5000');
    }
  }
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'adaptive',
    requestHandler: new DeadlineHttpHandler(options.timeouts),
  };
}
