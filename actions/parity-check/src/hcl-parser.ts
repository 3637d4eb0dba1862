/**
 * HashiCorp's HCL2 parser, as packaged by @cdktf/hcl2json: the Go `hcl/v2` parser plus
 * tmccombs/hcl2json compiled to WebAssembly. `parseHcl(filename, text)` → the file as JSON
 * (attributes become plain values; expressions that are not literals stay as `"${…}"`).
 *
 * Why not the package's own `parse()`: its loader finds `main.wasm.gz` through `__dirname`
 * inside the package, which ncc cannot relocate, so the bundled action would crash when the
 * parser starts. This loader does the same steps (gunzip, instantiate under Go's `wasm_exec`
 * runtime, call the exported `parse`) with a path ncc recognises and copies into `dist/`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import '@cdktf/hcl2json/wasm/wasm_exec.js';

type GoCallback = (error: string | null, result: string | null) => void;

/** The few WebAssembly and Go runtime members used here (lib ES2023 has no WebAssembly types). */
type WasmInstance = object;
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
}

type GoImport = (sp: number) => void;

export interface GoRuntime {
  importObject: { go: Record<string, GoImport> };
  run(instance: WasmInstance): Promise<void>;
  /** wasm_exec.js's timers for the Go scheduler, by id (a private field of the pinned runtime). */
  _scheduledTimeouts?: Map<number, { unref(): unknown }>;
}

interface BridgeRoot {
  parse?: (filename: string, contents: string, callback: GoCallback) => unknown;
}

/** The global name hcl2json's Go `main()` registers its functions on. */
const BRIDGE_GLOBAL = '__parse_terraform_config_wasm__';

/**
 * ncc's asset relocator recognises `readFileSync(path.join(__dirname, '<literal>'))`: it copies the
 * file into dist/ and rewrites the expression to the copy. So `__dirname` is spelled out here (an
 * ESM module has none of its own) and the path is a literal from this file to the package.
 */
const __dirname = path.dirname(fileURLToPath(import.meta.url));

function readCompressedWasm(): Buffer {
  return readFileSync(path.join(__dirname, '../../../node_modules/@cdktf/hcl2json/main.wasm.gz'));
}

/**
 * Go's runtime sleeps in the background (its memory scavenger) through JS timeouts, and a pending
 * timeout keeps Node alive: the action would finish, then linger for seconds before exiting.
 * Nothing waits on those sleeps — each parse completes inside its call — so they must not hold
 * the process open.
 */
export function unrefGoTimers(go: GoRuntime): void {
  const schedule = go.importObject.go['runtime.scheduleTimeoutEvent'];
  if (!schedule || !go._scheduledTimeouts) return;
  go.importObject.go['runtime.scheduleTimeoutEvent'] = (sp) => {
    schedule(sp);
    for (const timer of go._scheduledTimeouts?.values() ?? []) timer.unref();
  };
}

async function start(): Promise<Required<BridgeRoot>> {
  const bytes = gunzipSync(readCompressedWasm());
  const { Go, WebAssembly: wasm } = globalThis as unknown as { Go: new () => GoRuntime; WebAssembly: WasmApi };
  const go = new Go();
  unrefGoTimers(go);
  const { instance } = await wasm.instantiate(bytes, go.importObject);
  const root: BridgeRoot = {};
  (globalThis as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] = root;
  // Go's main() registers `parse` and then blocks forever on a channel; run() returns at once.
  void go.run(instance);
  if (typeof root.parse !== 'function') throw new Error('hcl2json did not register its parse function');
  return root as Required<BridgeRoot>;
}

let runtime: Promise<Required<BridgeRoot>> | undefined;

// Written without `??=`: ncc's asset relocator cannot parse logical assignment and would then
// silently skip this file, leaving the WASM out of dist/.
function started(): Promise<Required<BridgeRoot>> {
  if (!runtime) runtime = start();
  return runtime;
}

/** Start the parser now (≈100 ms: gunzip and compile 6.5 MB of WASM) so the first parse does not pay for it. */
export function startHclParser(): Promise<void> {
  return started().then(() => undefined);
}

/** Parse HCL text; rejects with hcl2json's diagnostics (`parse config: [file:3,7-4,1: Summary; Detail]`). */
export async function parseHcl(filename: string, contents: string): Promise<Record<string, unknown>> {
  const bridge = await started();
  const json = await new Promise<string>((resolve, reject) => {
    bridge.parse(filename, contents, (error, result) => (error ? reject(new Error(error)) : resolve(result ?? '{}')));
  });
  return JSON.parse(json) as Record<string, unknown>;
}
