/**
 * The demo's stand-in for Fargate behind an ALB with a blue/green test listener: one sample-service
 * process (examples/service) per task definition the rollout layer sends traffic to, and two
 * listeners on 127.0.0.1 — production and test — that forward each request to the revision the
 * layer's weights pick (test/support/listeners.ts `pick`), tagging it with x-gantry-listener so the
 * sample service itself counts what each listener brought it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { repoRoot } from '../test/support/harness';
import { pick, type ListenerName } from '../test/support/listeners';
import { freePort } from '../test/support/moto';
import type { RolloutLayer } from '../test/support/rollout-layer';
import { onCleanup } from './demo-support';

interface Revision {
  url: string;
  child: ChildProcess;
}

export class BlueGreenStandIn {
  productionUrl = '';
  testUrl = '';
  private readonly revisions = new Map<string, Promise<Revision>>();
  private readonly servers: http.Server[] = [];
  private readonly counters: Record<ListenerName, number> = { production: 0, test: 0 };

  constructor(
    private readonly ecs: ECSClient,
    private readonly layer: RolloutLayer,
    private readonly service: string,
  ) {
    onCleanup(() => this.stop());
  }

  async start(): Promise<void> {
    for (const listener of ['production', 'test'] as const) {
      const server = http.createServer((req, res) => void this.forward(listener, req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      this.servers.push(server);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (listener === 'production') this.productionUrl = url;
      else this.testUrl = url;
    }
  }

  /** What the release of `taskDefinitionArn` says it served, counted by the sample service itself. */
  async served(taskDefinitionArn: string): Promise<{ production: number; test: number; version: string }> {
    const revision = await this.revision(taskDefinitionArn);
    return (await (await fetch(`${revision.url}/_served`)).json()) as { production: number; test: number; version: string };
  }

  private async forward(listener: ListenerName, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const arn = pick(this.layer.traffic(this.service)[listener], this.counters[listener]++);
      if (!arn) {
        res.writeHead(503).end();
        return;
      }
      const revision = await this.revision(arn);
      const answer = await fetch(`${revision.url}${req.url ?? '/'}`, { headers: { 'x-gantry-listener': listener } });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  }

  private revision(arn: string): Promise<Revision> {
    let running = this.revisions.get(arn);
    if (!running) {
      running = this.launch(arn);
      this.revisions.set(arn, running);
    }
    return running;
  }

  private async launch(arn: string): Promise<Revision> {
    const td = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    const container = td.taskDefinition?.containerDefinitions?.find((c) => c.essential !== false);
    const env: Record<string, string> = {};
    for (const { name, value } of container?.environment ?? []) if (name) env[name] = value ?? '';
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(repoRoot, 'examples', 'service', 'server.mjs')], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sample service exited with code ${code}`)));
      child.stdout?.once('data', () => resolve());
    });
    return { url: `http://127.0.0.1:${port}`, child };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    const all = await Promise.allSettled([...this.revisions.values()]);
    this.revisions.clear();
    await Promise.all(
      all.map(async (r) => {
        if (r.status !== 'fulfilled' || r.value.child.exitCode !== null) return;
        const child = r.value.child;
        child.removeAllListeners('exit');
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
        });
      }),
    );
  }
}
