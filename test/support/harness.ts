/**
 * The runner harness: runs a bundled action (`<dir>/dist/index.js`) exactly as the GitHub
 * runner does — inputs as `INPUT_<NAME>` variables, fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * GITHUB_ENV and GITHUB_STATE files, a temporary GITHUB_WORKSPACE — and reads everything
 * back from those files. Used by the end-to-end tests and the demo.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AnnotationRecord {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: Record<string, string>;
}

export interface ActionResult {
  exitCode: number;
  outputs: Record<string, string>;
  env: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  annotations: AnnotationRecord[];
  workspace: string;
  durationMs: number;
  /** With `signal`: ms from the start until the signal was sent (undefined when it never was). */
  signalledAfterMs?: number;
}

export interface RunActionOptions {
  /** Extra environment (AWS_*, GITHUB_* overrides). Only these and PATH/HOME reach the action. */
  env?: Record<string, string | undefined>;
  /** Path to a node binary; default the current one. See `node24Binary()`. */
  node?: string;
  /** Use this directory as GITHUB_WORKSPACE (kept); default a fresh temporary one (removed unless keepWorkspace). */
  workspace?: string;
  keepWorkspace?: boolean;
  timeoutMs?: number;
  /** Action directory relative to the repo root; default `actions/<name>`. */
  actionDir?: string;
  /** Parent directory for the runner's files (default the system temp dir); the demo passes one it removes on Ctrl-C. */
  tempRoot?: string;
  /** Called with each chunk of stdout as it arrives (the demo streams the log). */
  onStdout?: (chunk: string) => void;
  /** Send `signal` (as the runner does on a cancelled job) once stdout matches `when`. */
  signal?: { when: RegExp; signal: NodeJS.Signals };
}

export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parse a GITHUB_OUTPUT / GITHUB_ENV file: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc && !line.includes('=')) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i]);
      if (i >= lines.length) throw new Error(`unterminated ${name}<<${delimiter} in command file`);
      result[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`malformed command file line: ${line}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

const UNESCAPE: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' };
function unescapeCommand(text: string): string {
  return text.replace(/%25|%0D|%0A|%3A|%2C/g, (m) => UNESCAPE[m]);
}

/** A failure as gantry prints it, `GANTRY-<AREA>-<NNN>: <text>`, split into its code and its text. */
export function splitFailureCode(message: string): { code: string | undefined; text: string } {
  const match = /^(GANTRY-[A-Z]+-[0-9]{3}): ([\s\S]*)$/.exec(message);
  return match ? { code: match[1], text: match[2] } : { code: undefined, text: message };
}

/** `::error file=a,line=3::message` lines from stdout. */
export function parseAnnotations(stdout: string): AnnotationRecord[] {
  const found: AnnotationRecord[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
    }
    found.push({ level: m[1] as AnnotationRecord['level'], message: unescapeCommand(m[3]), properties });
  }
  return found;
}

export async function runAction(
  name: string,
  inputs: Record<string, string | number | boolean | undefined>,
  options: RunActionOptions = {},
): Promise<ActionResult> {
  const actionDir = path.join(repoRoot, options.actionDir ?? path.join('actions', name));
  const entry = path.join(actionDir, 'dist', 'index.js');
  const files = mkdtempSync(path.join(options.tempRoot ?? os.tmpdir(), `gantry-runner-${name}-`));
  const workspace = options.workspace ?? mkdtempSync(path.join(os.tmpdir(), `gantry-ws-${name}-`));
  const paths = {
    GITHUB_OUTPUT: path.join(files, 'output'),
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    GITHUB_ENV: path.join(files, 'env'),
    GITHUB_STATE: path.join(files, 'state'),
    GITHUB_PATH: path.join(files, 'path'),
  };
  for (const file of Object.values(paths)) writeFileSync(file, '');

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: files,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REF: 'refs/heads/develop',
    GITHUB_EVENT_NAME: 'push',
    ...paths,
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  for (const [key, value] of Object.entries(inputs)) {
    if (value !== undefined) env[inputVariable(key)] = String(value);
  }

  const started = Date.now();
  const child = spawn(options.node ?? process.execPath, [entry], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  let signalledAfterMs: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk);
    if (options.signal && !signalled && options.signal.when.test(stdout)) {
      signalled = true;
      signalledAfterMs = Date.now() - started;
      child.kill(options.signal.signal);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const exitCode: number = (await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => clearTimeout(timeout))) as number;

  const result: ActionResult = {
    exitCode,
    outputs: parseCommandFile(readFileSync(paths.GITHUB_OUTPUT, 'utf8')),
    env: parseCommandFile(readFileSync(paths.GITHUB_ENV, 'utf8')),
    summary: readFileSync(paths.GITHUB_STEP_SUMMARY, 'utf8'),
    stdout,
    stderr,
    annotations: parseAnnotations(stdout),
    workspace,
    durationMs: Date.now() - started,
    signalledAfterMs,
  };
  rmSync(files, { recursive: true, force: true });
  if (!options.workspace && !options.keepWorkspace) rmSync(workspace, { recursive: true, force: true });
  return result;
}

let node24: Promise<string> | undefined;

/**
 * A Node 24 binary (the runtime the runner uses for `using: node24`), installed once from
 * the npm registry's `node` package into npm's cache. Set GANTRY_NODE24 to use another one.
 */
export function node24Binary(): Promise<string> {
  if (process.env.GANTRY_NODE24) return Promise.resolve(process.env.GANTRY_NODE24);
  node24 ??= promisify(execFile)(
    'npm',
    ['exec', '--yes', '--package=node@24', '--', 'node', '-e', 'process.stdout.write(process.execPath)'],
    { cwd: os.tmpdir(), timeout: 300_000 },
  ).then(({ stdout }) => {
    const binary = stdout.trim();
    if (!binary) throw new Error('could not install Node 24 from the npm registry (npm exec node@24 printed nothing)');
    return binary;
  });
  return node24;
}
