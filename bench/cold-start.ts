/**
 * Bundle cold start, as docs/infra/architecture.md#performance-budgets budgets it: from process start to the first AWS request,
 * with the bundle run the way the runner runs it (Node 24, inputs as INPUT_* variables).
 * A local HTTP server stands in for the AWS endpoint and answers a 400 so the run ends fast.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { node24Binary } from '../test/support/harness';

/** Sorted times (ms) of `runs` cold starts of `bundle` with `inputs` (env names → values). */
export async function coldStartsToFirstAwsRequest(bundle: string, inputs: Record<string, string>, runs: number): Promise<number[]> {
  const node = await node24Binary();
  let firstRequest: number | undefined;
  const server = http.createServer((req, res) => {
    firstRequest ??= performance.now();
    req.resume();
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ClusterNotFoundException' });
    res.end(JSON.stringify({ __type: 'ClusterNotFoundException', message: 'Cluster not found.' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      firstRequest = undefined;
      const started = performance.now();
      const child = spawn(node, [bundle], {
        stdio: 'ignore',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_ENDPOINT_URL: endpoint,
          AWS_EC2_METADATA_DISABLED: 'true',
          GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
          ...inputs,
        },
      });
      await new Promise((resolve) => child.on('close', resolve));
      if (firstRequest === undefined) throw new Error(`${bundle} made no AWS request`);
      times.push(firstRequest - started);
    }
  } finally {
    server.close();
  }
  return times.sort((a, b) => a - b);
}
