/**
 * HashiCorp's HCL2 parser, as packaged by @cdktf/hcl2json: the Go `hcl/v2` parser plus
 * tmccombs/hcl2json compiled to WebAssembly. `parseHcl(filename, text)` → the file as JSON
 * (attributes become plain values; expressions that are not literals stay as `"${…}"`).
 *
 * Why not the package's own `parse()`: its loader finds `main.wasm.gz` through `__dirname`
 * inside the package, which ncc cannot relocate, so the bundled action would crash when the
 * parser starts. This loader does the same steps (gunzip, instantiate under Go's `wasm_exec`
 * runtime, call the exported `parse`) with paths ncc recognises and copies into `dist/`.
 *
 * Why worker threads: Go compiled to WASM runs single-threaded, ≈ 40 µs per variable, so two
 * 10,000-variable sides parsed one after the other in one instance took most of the 1 s budget.
 * The module is compiled once here and shared with one Go instance per worker (V8 shares the
 * compiled — and later optimised — code between them), so the base and target sides parse at
 * the same time on two cores (measured ≈ 20% faster end to end than one instance).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';

/**
 * Go's GC target. The default (100) collects often while a large file is turned into JSON;
 * the parse is short-lived and its heap small (tens of MB), so trading memory for fewer
 * collections is worth ≈ 20% of parse time (measured: 200–400 best; `off` is slower, as the
 * WASM memory then keeps growing).
 */
const GO_ENV = { GOGC: '300' };

/** lib ES2023 declares no WebAssembly value; the one call used here (a module is an opaque object). */
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } };

/** Two sides are compared; more workers than that would only compete for the same cores. */
const MAX_WORKERS = 2;

/**
 * ncc's asset relocator recognises `readFileSync(path.join(__dirname, '<literal>'))`: it copies the
 * file into dist/ and rewrites the expression to the copy. So `__dirname` is spelled out here (an
 * ESM module has none of its own) and the paths are literals from this file to the package.
 */
const __dirname = path.dirname(fileURLToPath(import.meta.url));

function readCompressedWasm(): Buffer {
  return readFileSync(path.join(__dirname, '../../../node_modules/@cdktf/hcl2json/main.wasm.gz'));
}

/** Go's JS runtime glue, evaluated inside each worker (it defines `globalThis.Go`). */
function readWasmExec(): string {
  return readFileSync(path.join(__dirname, '../../../node_modules/@cdktf/hcl2json/wasm/wasm_exec.js'), 'utf8');
}

/**
 * The worker: Go's runtime glue plus a loop answering `{ id, filename, contents }` with
 * `{ id, error, result }`. Go's main() registers `parse` on BRIDGE_GLOBAL and then blocks on a
 * channel, so run() returns at once and the instance stays alive between parses. Kept as
 * source text (not a second bundle entry) so a worker starts in milliseconds.
 */
const WORKER_MAIN = `
const { parentPort, workerData } = require('node:worker_threads');
const bridge = {};
globalThis.__parse_terraform_config_wasm__ = bridge;
const go = new Go();
go.env = workerData.env;
const ready = WebAssembly.instantiate(workerData.module, go.importObject).then((instance) => {
  void go.run(instance);
  if (typeof bridge.parse !== 'function') throw new Error('hcl2json did not register its parse function');
});
parentPort.on('message', ({ id, filename, contents }) => {
  ready.then(
    () => bridge.parse(filename, contents, (error, result) => parentPort.postMessage({ id, error, result })),
    (error) => parentPort.postMessage({ id, error: String(error && error.message || error), result: null }),
  );
});
`;

interface ParseReply {
  id: number;
  error: string | null;
  result: string | null;
}

interface Pending {
  resolve: (json: string) => void;
  reject: (error: Error) => void;
}

/** One Go instance in one worker; referenced (keeps Node alive) only while a parse is in flight. */
class ParserWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(module: object, wasmExec: string) {
    this.worker = new Worker(`${wasmExec}\n${WORKER_MAIN}`, { eval: true, workerData: { module, env: GO_ENV } });
    this.worker.on('message', (reply: ParseReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the HCL parser worker exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again. An idle worker must
    // not hold the process open (the action would finish, then never exit).
    this.worker.unref();
  }

  get busy(): number {
    return this.pending.size;
  }

  parse(filename: string, contents: string): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, filename, contents });
    });
  }

  private settle({ id, error, result }: ParseReply): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (error) waiting.reject(new Error(error));
    else waiting.resolve(result ?? '{}');
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.worker.unref();
  }
}

async function start(): Promise<ParserWorker[]> {
  const wasmExec = readWasmExec();
  const count = Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism()));
  // Compiled once on this thread; posting a WebAssembly.Module to a worker shares it, not copies it.
  const module = await wasm.compile(gunzipSync(readCompressedWasm()));
  return Array.from({ length: count }, () => new ParserWorker(module, wasmExec));
}

let workers: Promise<ParserWorker[]> | undefined;

// Written without `??=`: ncc's asset relocator cannot parse logical assignment and would then
// silently skip this file, leaving the WASM out of dist/.
function started(): Promise<ParserWorker[]> {
  if (!workers) workers = start();
  return workers;
}

/** Start the parser now (≈100 ms: gunzip and compile 6.5 MB of WASM) so the first parse does not pay for it. */
export function startHclParser(): Promise<void> {
  return started().then(() => undefined);
}

/**
 * Parse HCL text; rejects with hcl2json's diagnostics (`parse config: [file:3,7-4,1: Summary; Detail]`).
 * Concurrent calls run on different workers (the least busy one), so callers should start the
 * parses they need together rather than one after the other.
 */
export async function parseHcl(filename: string, contents: string): Promise<Record<string, unknown>> {
  const pool = await started();
  const worker = pool.reduce((idlest, candidate) => (candidate.busy < idlest.busy ? candidate : idlest));
  const json = await worker.parse(filename, contents);
  return JSON.parse(json) as Record<string, unknown>;
}
