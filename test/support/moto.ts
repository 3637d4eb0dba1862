/**
 * Test fixture: a real `moto_server` (the moto AWS emulator) on 127.0.0.1.
 *
 * moto speaks the real ECS / Secrets Manager wire protocol, so tests drive it through the
 * real AWS SDK (see `ecsClientFor` / `secretsClientFor`). When python3 or moto is missing the
 * fixture throws — tests that need AWS fail loudly with an install hint, never skip.
 *
 * moto is started through a tiny Python bootstrap equivalent to `python3 -m moto.server -H
 * 127.0.0.1 -p PORT` that also exits when its stdin closes: even if the test process is
 * killed with SIGKILL (no 'exit' handler runs), the emulator goes away with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:43123` — use it as the AWS endpoint. */
  url: string;
  port: number;
  /** Drops every resource in every moto backend (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** SIGTERM, then SIGKILL after 2 s. Idempotent. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Python interpreter to run (default `python3`); tests point it at one without moto. */
  python?: string;
  /** Extra environment for moto, e.g. `{ MOTO_ECS_SERVICE_RUNNING: '1' }`. */
  env?: Record<string, string>;
  /** How long to wait for moto to answer (default 20 s). */
  startTimeoutMs?: number;
  /**
   * Load moto's ECS backend before returning (default true). moto imports it lazily on the first
   * ECS request, which then takes 1–4 s; warming keeps that out of the tests' own timings.
   */
  warmUp?: boolean;
}

export const TEST_REGION = 'us-east-1';
/** moto's default account id; ARNs in moto responses use it. */
export const TEST_ACCOUNT_ID = '123456789012';

const INSTALL_HINT = 'Install it with: pip install "moto[server]"';
const POLL_INTERVAL_MS = 100;
const KILL_GRACE_MS = 2_000;

// Watches stdin in a daemon thread: EOF means the parent is gone, so exit at once. (os.read, not
// sys.stdin: a daemon thread holding the stdin buffer lock stalls interpreter shutdown by ~1 s.)
const BOOTSTRAP = `
import os, sys, threading, runpy
def _watch_parent():
    try:
        while os.read(0, 4096):
            pass
    finally:
        os._exit(0)
threading.Thread(target=_watch_parent, daemon=True).start()
sys.argv = ["moto_server"] + sys.argv[1:]
runpy.run_module("moto.server", run_name="__main__", alter_sys=True)
`;

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/** A port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class PortInUse extends Error {}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  // The port is free when probed but could be taken before moto binds it: retry on that race.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(await freePort(), options);
    } catch (error) {
      if (!(error instanceof PortInUse) || attempt >= 3) throw error;
    }
  }
}

async function startOnce(port: number, options: StartMotoOptions): Promise<MotoServer> {
  const python = options.python ?? 'python3';
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-c', BOOTSTRAP, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  installExitHook();
  liveChildren.add(child);
  // A forgotten stop() must not keep the test process alive; the exit hook and the stdin
  // watch still take moto down with it.
  child.unref();
  child.stdin?.on('error', () => undefined);
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep the tail only: moto logs one line per request.
    stderr = (stderr + chunk).slice(-20_000);
  });
  let spawnError: Error | undefined;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('error', (error) => {
      spawnError = error;
      exited = true;
      resolve();
    });
    child.on('exit', () => {
      exited = true;
      resolve();
    });
  });
  exitedPromise.then(
    () => liveChildren.delete(child),
    () => undefined,
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exitedPromise;
      clearTimeout(timer);
      child.stdin?.destroy();
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (spawnError) {
      throw new Error(`moto_server is not available: cannot run ${python}: ${spawnError.message}. ${INSTALL_HINT}`);
    }
    if (exited) {
      // Let the last stderr chunk arrive before judging it.
      await sleep(50);
      if (/Address already in use/i.test(stderr)) throw new PortInUse(stderr);
      const missing = /No module named '?[\w.]+'?/.exec(stderr);
      if (missing) throw new Error(`moto_server is not available: ${python}: ${missing[0]}. ${INSTALL_HINT}`);
      throw new Error(`moto_server exited during start-up (exit code ${child.exitCode}):\n${stderr.trim()}`);
    }
    if (await answers(`${url}/moto-api/`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${url} within ${options.startTimeoutMs ?? 20_000} ms:\n${stderr.trim()}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }

  if (options.warmUp !== false) await warmUp(url);

  return {
    url,
    port,
    stop,
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
  };
}

async function warmUp(url: string): Promise<void> {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
      // moto routes by the credential scope and does not check the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${TEST_REGION}/ecs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: '{}',
  });
  await response.arrayBuffer();
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Environment for a spawned process (an action bundle) that should talk to `endpoint`. */
export function awsTestEnv(endpoint: string, region = TEST_REGION): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function clientConfig(endpoint: string, maxAttempts: number) {
  return {
    endpoint,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts,
  };
}

/** ECS client for `endpoint`. maxAttempts defaults to 1 so throttling errors surface raw. */
export function ecsClientFor(endpoint: string, maxAttempts = 1): ECSClient {
  return new ECSClient(clientConfig(endpoint, maxAttempts));
}

/** Secrets Manager client for `endpoint`. maxAttempts defaults to 1 (no retries). */
export function secretsClientFor(endpoint: string, maxAttempts = 1): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(endpoint, maxAttempts));
}
