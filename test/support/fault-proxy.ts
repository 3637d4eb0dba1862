/**
 * Fault-injecting proxy: an HTTP server on 127.0.0.1 in front of the rollout layer (or moto) that
 * breaks chosen AWS calls the way networks and AWS break them, so tests can drive the bundles
 * through the edges of the release path: after UpdateService, during registration, mid-wait.
 *
 * Faults are chosen per operation (the X-Amz-Target's operation name, e.g. `DescribeServices`, or
 * `*` for every call), optionally only for requests whose body contains `match` (one service of a
 * list: `"service":"worker"`), and per call count: `after` matching calls pass untouched, then
 * `times` are faulted (default 1; `Infinity` for every later call). Every other request goes
 * upstream as is.
 *
 *   malformed-200        HTTP 200 with a truncated JSON body (nothing forwarded)
 *   access-denied        HTTP 400 AccessDeniedException (nothing forwarded)
 *   expired-token        HTTP 400 ExpiredTokenException (nothing forwarded)
 *   throttle             HTTP 400 ThrottlingException "Rate exceeded" (nothing forwarded)
 *   server-error         HTTP 500 ServerException (nothing forwarded)
 *   reset-after-forward  the request IS forwarded and applied upstream, then the client's connection
 *                        is reset before any response byte: the outcome is lost
 *   malformed-after-forward  forwarded and applied, then a truncated 200 body comes back
 *   error-after-forward  forwarded and applied, then HTTP 500 ServerException comes back instead of the answer
 *   hang                 never answers (not forwarded), until the proxy stops
 *   hang-after-forward   forwarded and applied, then never answers
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = [
  'malformed-200',
  'access-denied',
  'expired-token',
  'throttle',
  'server-error',
  'reset-after-forward',
  'malformed-after-forward',
  'error-after-forward',
  'hang',
  'hang-after-forward',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  /** Operation name from X-Amz-Target after the last '.', e.g. `UpdateService`; `*` matches every call. */
  operation: string;
  fault: FaultKind;
  /** Only requests whose body contains this text, e.g. `"service":"worker"` or `task-definition/worker:2`. */
  match?: string;
  /** Matching calls let through before the fault applies (default 0). */
  after?: number;
  /** Matching calls faulted (default 1; `Infinity` = all later ones). */
  times?: number;
}

export interface FaultRecord {
  operation: string;
  fault?: FaultKind;
  /** Whether the request reached the upstream. */
  forwarded: boolean;
}

export interface FaultProxy {
  url: string;
  port: number;
  addFault(rule: FaultRule): void;
  /** Forget the rules (counts stay). */
  clearFaults(): void;
  /** Forget rules and counts. */
  reset(): void;
  /** Requests seen per operation (faulted or not). */
  calls(operation: string): number;
  /** Every request in order, with the fault applied to it. */
  log(): FaultRecord[];
  stop(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

const ERRORS: Partial<Record<FaultKind, { status: number; type: string; message: string }>> = {
  'access-denied': {
    status: 400,
    type: 'AccessDeniedException',
    message: 'User: arn:aws:sts::123456789012:assumed-role/gantry-deploy/gantry is not authorized to perform this operation',
  },
  'expired-token': { status: 400, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
  throttle: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
  'server-error': { status: 500, type: 'ServerException', message: 'Service unavailable' },
};

export function operationOf(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? (target[0] ?? '') : (target ?? '');
  return value.includes('.') ? value.slice(value.lastIndexOf('.') + 1) : value;
}

export async function startFaultProxy(options: { upstream: string }): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  let rules: ActiveRule[] = [];
  let counts: Record<string, number> = {};
  let records: FaultRecord[] = [];
  const sockets = new Set<Socket>();

  const pick = (operation: string, body: string): FaultKind | undefined => {
    for (const rule of rules) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.match !== undefined && !body.includes(rule.match)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.after ?? 0)) continue;
      if (rule.applied >= (rule.times ?? 1)) continue;
      rule.applied += 1;
      return rule.fault;
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const operation = operationOf(req.headers['x-amz-target']);
      if (operation) counts[operation] = (counts[operation] ?? 0) + 1;
      const fault = operation ? pick(operation, body.toString('utf8')) : undefined;
      const record: FaultRecord = { operation, fault, forwarded: false };
      records.push(record);
      const error = fault ? ERRORS[fault] : undefined;
      if (error) return sendJson(res, error.status, { __type: error.type, message: error.message }, error.type);
      if (fault === 'malformed-200') return sendMalformed(res);
      if (fault === 'hang') return; // the socket stays open until stop()

      record.forwarded = true;
      const reply = await forward(upstream, req, body);
      if (fault === 'reset-after-forward') {
        req.socket.destroy();
        return;
      }
      if (fault === 'hang-after-forward') return;
      if (fault === 'malformed-after-forward') return sendMalformed(res);
      if (fault === 'error-after-forward') {
        const failure = ERRORS['server-error'] as { status: number; type: string; message: string };
        return sendJson(res, failure.status, { __type: failure.type, message: failure.message }, failure.type);
      }
      const headers = { ...reply.headers };
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'content-length']) delete headers[name];
      res.writeHead(reply.status, { ...headers, 'content-length': reply.body.length });
      res.end(reply.body);
    })().catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(
          res,
          502,
          { __type: 'ServerException', message: `fault proxy: ${err instanceof Error ? err.message : String(err)}` },
          'ServerException',
        );
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    addFault: (rule) => {
      if (!FAULT_KINDS.includes(rule.fault))
        throw new Error(`unknown fault ${JSON.stringify(rule.fault)}; one of ${FAULT_KINDS.join(', ')}`);
      rules.push({ ...rule, seen: 0, applied: 0 });
    },
    clearFaults: () => {
      rules = [];
    },
    reset: () => {
      rules = [];
      counts = {};
      records = [];
    },
    calls: (operation) => counts[operation] ?? 0,
    log: () => records.map((r) => ({ ...r })),
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, json: unknown, errorType?: string): void {
  const body = Buffer.from(JSON.stringify(json));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}

function sendMalformed(res: http.ServerResponse): void {
  const body = Buffer.from('{"services": [{"serviceName": "web", "deployments": [');
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': body.length, 'x-amzn-requestid': randomUUID() });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const headers: http.OutgoingHttpHeaders = { ...req.headers, host: upstream.host, 'content-length': body.length };
  delete headers.connection;
  delete headers['transfer-encoding'];
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false },
      (response) =>
        readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject),
    );
    request.on('error', reject);
    request.end(body);
  });
}
