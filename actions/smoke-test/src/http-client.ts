/**
 * HTTP for the checks: undici agents with keep-alive (one per trust setting, so a check's
 * private CA does not leak into the others), a timeout on the whole request, redirects
 * never followed (a check sees what the server answered), and bodies read up to a cap.
 */
import { rootCertificates } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
// @ts-expect-error -- undici's own files have no declarations; typed from the package's below.
import AgentClass from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error -- as above.
import requestOn from 'undici/lib/api/api-request.js';
import type { Clock } from '../../../lib/util/clock';
import type { HttpMethod, TrustOptions } from './definitions';

export interface HttpRequest {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  trust: TrustOptions;
  /** Read at most this many bytes of the body (the rest is discarded); default 1 MiB. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
}

const USER_AGENT = 'gantry-smoke-test';

export class HttpClient {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly clock: Clock) {}

  async send(req: HttpRequest): Promise<HttpResponse> {
    const started = this.clock.now();
    const response = await send(this.agentFor(req.trust), {
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: { 'user-agent': USER_AGENT, ...req.headers },
      body: req.body,
      // One signal bounds connect, headers and body together; undici's own timeouts are coarse.
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const body = await readCapped(response.body, req.maxBodyBytes ?? 1024 * 1024);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body, latencyMs: this.clock.now() - started };
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }

  private agentFor(trust: TrustOptions): Agent {
    const key = trust.insecure ? 'insecure' : (trust.ca ?? '');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new UndiciAgent({
        keepAliveTimeout: 10_000,
        connect: trust.insecure ? { rejectUnauthorized: false } : trust.ca ? { ca: [...rootCertificates, trust.ca] } : {},
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

/**
 * undici's Agent and its request API, loaded from their own files instead of the package's index,
 * which also loads fetch, WebSocket, the cache and the mocks: half of undici's start-up, and the
 * smoke test's first request waits for it (the cold-start budget, 150 ms from process start: docs/infra/architecture.md#performance-budgets).
 */
const UndiciAgent = AgentClass as typeof Agent;
const send = (dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> =>
  (requestOn as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(dispatcher, options);

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** A network error as a short reason with its code: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`. */
export function describeRequestError(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const causeCode = (err.cause as { code?: unknown } | undefined)?.code;
  if (err.name === 'TimeoutError' || (typeof code === 'string' && /TIMEOUT/.test(code))) {
    return `timed out after ${timeoutMs} ms${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  const label = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : err.name;
  // Connecting to a name with several addresses fails with an AggregateError and no message.
  const firstInner = (err as { errors?: unknown[] }).errors?.[0];
  const message = (err.message || (firstInner instanceof Error ? firstInner.message : '') || label).split('\n')[0];
  return message.startsWith(label) || message.includes(`${label} `) ? message : `${label}: ${message}`;
}
