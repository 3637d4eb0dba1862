#!/usr/bin/env node
// The sample service gantry deploys in the demo and the examples: a tiny HTTP app that
// reports which release it runs. `DEPLOY_GIT_SHA` and `DEPLOY_VERSION` come from the task
// definition (deploy-ecs sets them), so a smoke test can prove the new release is live.
//
// Routes: GET /health (JSON: status, version, gitSha), GET / (a page), GET /api/orders (JSON).
// SIMULATE_FAILURE=health makes /health answer 503 — the demo's "broken release".
// GET /_served: the requests this release served per load-balancer listener (the x-gantry-listener
// header the demo's blue/green listeners add: production, test; none = direct).
import http from 'node:http';

const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
const release = {
  version: process.env.DEPLOY_VERSION || 'unknown',
  gitSha: process.env.DEPLOY_GIT_SHA || 'unknown',
};
const broken = process.env.SIMULATE_FAILURE === 'health';

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
    'x-release-version': release.version,
    ...headers,
  });
  res.end(text);
}

const served = { production: 0, test: 0, direct: 0 };

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/_served') return send(res, 200, { ...served, ...release });
  const listener = req.headers['x-gantry-listener'];
  served[listener === 'production' || listener === 'test' ? listener : 'direct'] += 1;
  if (url.pathname === '/health') {
    if (broken) return send(res, 503, { status: 'unhealthy', reason: 'dependency check failed', ...release });
    return send(res, 200, { status: 'ok', ...release });
  }
  if (url.pathname === '/') return send(res, 200, `<!doctype html><title>shop</title><h1>shop ${release.version}</h1>`);
  if (url.pathname === '/api/orders') return send(res, 200, { orders: [{ id: 1, total: 42 }], release: release.version });
  return send(res, 404, { error: 'not found' });
});

server.listen(port, host, () => {
  console.log(`shop ${release.version} (${release.gitSha.slice(0, 7)}) listening on http://${host}:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
