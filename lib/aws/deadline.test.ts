import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from './config';
import { boundByDeadline, DeadlineHttpHandler } from './deadline';
import { isTransientAwsError } from './retry';

// A server on 127.0.0.1 that never answers: what a hung AWS endpoint looks like to the SDK.
let server: http.Server;
let url: string;
const open = new Set<import('node:net').Socket>();
beforeAll(async () => {
  server = http.createServer(() => undefined);
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of open) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const describe1 = new DescribeServicesCommand({ cluster: 'shop', services: ['web'] });

describe('AWS call timeouts', () => {
  it('every client gets a connection and a request timeout by default (the SDK has none)', () => {
    const handler = awsClientConfig({}, { AWS_REGION: 'us-east-1' }).requestHandler;
    expect(handler).toBeInstanceOf(DeadlineHttpHandler);
    expect(handler).toMatchObject({ connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000, deadline: undefined });
  });

  it('an attempt that never answers fails with a TimeoutError after requestTimeout (retryable)', async () => {
    const ecs = new ECSClient({
      ...awsClientConfig({ endpointUrl: url, maxAttempts: 1, timeouts: { requestTimeoutMs: 200 } }, { AWS_REGION: 'us-east-1' }),
      credentials,
    });
    const started = Date.now();
    const err = await ecs.send(describe1).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(isTransientAwsError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a send with retries gives up at the deadline with DeadlineExceeded (not transient)', async () => {
    const deadline = Date.now() + 400;
    const config = awsClientConfig(
      { endpointUrl: url, maxAttempts: 5, timeouts: { requestTimeoutMs: 10_000, deadline } },
      { AWS_REGION: 'us-east-1' },
    );
    const ecs = boundByDeadline(new ECSClient({ ...config, credentials }), deadline);
    const err = await ecs.send(describe1).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DeadlineExceeded' });
    expect((err as Error).message).toMatch(/^DescribeServices did not answer before the action's deadline \(/);
    expect(isTransientAwsError(err)).toBe(false);
    expect(Date.now()).toBeLessThan(deadline + 500);
    // Past the deadline nothing is even sent.
    const again = await ecs.send(describe1).catch((e: unknown) => e);
    expect(again).toMatchObject({ name: 'DeadlineExceeded' });
  });

  it("when the handler's timer fires first, DeadlineExceeded still names the operation, not the HTTP request", async () => {
    // The handler's deadline comes first here (deterministic); under load it can win the race at the same deadline.
    const deadline = Date.now() + 300;
    const ecs = boundByDeadline(
      new ECSClient({
        ...awsClientConfig(
          { endpointUrl: url, maxAttempts: 1, timeouts: { requestTimeoutMs: 10_000, deadline } },
          { AWS_REGION: 'us-east-1' },
        ),
        credentials,
      }),
      deadline + 5_000,
    );
    const err = await ecs.send(describe1).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DeadlineExceeded' });
    expect((err as Error).message).toMatch(/^DescribeServices did not answer before the action's deadline \(/);
  });

  it('an attempt whose request timeout was cut to the deadline fails with DeadlineExceeded, not a retryable TimeoutError', async () => {
    // Without the deadline middleware only the handler's own timer runs: deterministic. With it, both timers
    // expire at the deadline and either may fire first; the answer must not depend on which one does.
    const deadline = Date.now() + 300;
    const ecs = new ECSClient({
      ...awsClientConfig(
        { endpointUrl: url, maxAttempts: 1, timeouts: { requestTimeoutMs: 10_000, deadline } },
        { AWS_REGION: 'us-east-1' },
      ),
      credentials,
    });
    const err = await ecs.send(describe1).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DeadlineExceeded' });
    expect(isTransientAwsError(err)).toBe(false);
  });

  it('an attempt that times out on its own request timeout, well before the deadline, stays a TimeoutError', async () => {
    const deadline = Date.now() + 60_000;
    const ecs = new ECSClient({
      ...awsClientConfig({ endpointUrl: url, maxAttempts: 1, timeouts: { requestTimeoutMs: 200, deadline } }, { AWS_REGION: 'us-east-1' }),
      credentials,
    });
    expect(await ecs.send(describe1).catch((e: unknown) => e)).toMatchObject({ name: 'TimeoutError' });
  });
});
