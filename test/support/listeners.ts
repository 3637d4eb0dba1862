/**
 * A load balancer's two listeners in front of an ECS-native blue/green service, for tests and the
 * demo: real node:http servers on 127.0.0.1 — production and test — that send each request to the
 * task definition the rollout layer's traffic weights pick (`layer.traffic(service)`), and count
 * what every revision served on each listener. The answer itself comes from `respond`, standing in
 * for the application of that revision.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ListenerName = 'production' | 'test';
export type Weights = Record<string, number>;

export interface ListenerReply {
  status: number;
  body: unknown;
}

export interface Listeners {
  productionUrl: string;
  testUrl: string;
  /** Requests served per listener and task definition ARN. */
  served: Record<ListenerName, Record<string, number>>;
  stop(): Promise<void>;
}

export interface ListenerOptions {
  /** The weights (task definition → %) of a listener now. */
  route(listener: ListenerName): Weights;
  respond(taskDefinitionArn: string, path: string, listener: ListenerName): ListenerReply | Promise<ListenerReply>;
}

/** Deterministic weighted pick: request n of a listener goes to the bucket holding (n × 37) mod 100. */
export function pick(weights: Weights, n: number): string | undefined {
  const entries = Object.entries(weights)
    .filter(([, w]) => w > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (total === 0) return undefined;
  let slot = ((n * 37) % 100) * (total / 100);
  for (const [arn, w] of entries) {
    if (slot < w) return arn;
    slot -= w;
  }
  return entries.at(-1)?.[0];
}

export async function startListeners(options: ListenerOptions): Promise<Listeners> {
  const served: Listeners['served'] = { production: {}, test: {} };
  const counters: Record<ListenerName, number> = { production: 0, test: 0 };
  const servers: http.Server[] = [];
  const urls: string[] = [];
  for (const listener of ['production', 'test'] as const) {
    const server = http.createServer((req, res) => {
      void (async () => {
        const arn = pick(options.route(listener), counters[listener]++);
        if (!arn) {
          res.writeHead(503, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ message: 'no healthy targets' }));
        }
        served[listener][arn] = (served[listener][arn] ?? 0) + 1;
        const reply = await options.respond(arn, req.url ?? '/', listener);
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    productionUrl: urls[0],
    testUrl: urls[1],
    served,
    stop: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
