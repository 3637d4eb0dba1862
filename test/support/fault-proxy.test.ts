import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

// An upstream that counts what reached it and answers {"ok": true}.
let upstream: http.Server;
let reached = 0;
let proxy: FaultProxy;
beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    reached += 1;
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await proxy.stop();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});
beforeEach(() => {
  proxy.reset();
  reached = 0;
});

async function call(operation: string, body = '{}'): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}` },
      body,
      signal: AbortSignal.timeout(1_000),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

describe('fault proxy', () => {
  it('faults the matching operation after `after` calls, `times` times, and forwards the rest', async () => {
    proxy.addFault({ operation: 'DescribeServices', fault: 'access-denied', after: 1, times: 2 });
    const results = [
      await call('DescribeServices'),
      await call('DescribeServices'),
      await call('UpdateService'),
      await call('DescribeServices'),
      await call('DescribeServices'),
    ];
    expect(results.map((r) => ('status' in r ? r.status : r.error))).toEqual([200, 400, 200, 400, 200]);
    expect((results[1] as { body: string }).body).toContain('AccessDeniedException');
    expect(reached).toBe(3);
    expect(proxy.calls('DescribeServices')).toBe(4);
  });

  it('match: only the requests whose body contains it are faulted (and counted for after/times)', async () => {
    proxy.addFault({ operation: 'UpdateService', fault: 'access-denied', match: '"service":"worker"', after: 1 });
    const statuses = [];
    for (const service of ['api', 'worker', 'api', 'worker', 'worker']) {
      const r = await call('UpdateService', JSON.stringify({ cluster: 'shop', service }));
      statuses.push('status' in r ? r.status : r.error);
    }
    expect(statuses).toEqual([200, 200, 200, 400, 200]);
    expect(reached).toBe(4);
    expect(proxy.log().map((r) => r.fault ?? '-')).toEqual(['-', '-', '-', 'access-denied', '-']);
  });

  it('reset-after-forward: the upstream got the request, the client gets no answer', async () => {
    proxy.addFault({ operation: 'UpdateService', fault: 'reset-after-forward' });
    const result = await call('UpdateService');
    expect('error' in result).toBe(true);
    expect(reached).toBe(1);
    expect(proxy.log()).toEqual([{ operation: 'UpdateService', fault: 'reset-after-forward', forwarded: true }]);
  });

  it('malformed-200 answers a truncated JSON body without forwarding; hang never answers', async () => {
    proxy.addFault({ operation: 'DescribeServices', fault: 'malformed-200' });
    proxy.addFault({ operation: 'ListTasks', fault: 'hang' });
    const malformed = await call('DescribeServices');
    expect(malformed).toMatchObject({ status: 200 });
    expect(() => JSON.parse((malformed as { body: string }).body)).toThrow();
    expect(await call('ListTasks')).toEqual({ error: 'TimeoutError' });
    expect(reached).toBe(0);
  });
});
