/**
 * Pieces of the demo that are not the story itself: process and temp-dir bookkeeping with
 * cleanup on exit and Ctrl-C, the Fargate stand-in, reading the service back, and printing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { freePort } from '../test/support/moto';
import { repoRoot } from '../test/support/harness';

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort: one failed cleanup must not keep the others from running
      }
    }
  })();
  return cleaning;
}

/**
 * Every process below this one, parents before their children, from `ps` (Linux and macOS).
 * The action bundles the harness runs (and the terraform they start) are not registered
 * anywhere: on Ctrl-C this is how the one in flight is found.
 */
function descendants(): number[] {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of listing.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  for (let queue = [process.pid]; queue.length > 0;) {
    const next = children.get(queue.shift() as number) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Stop every process this one started (and theirs): SIGTERM, then SIGKILL after `graceMs`; wait until they are gone. */
export async function stopDescendants(graceMs = 2_000): Promise<void> {
  const pids = descendants();
  if (pids.length === 0) return;
  signal(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  signal(pids.filter(alive), 'SIGKILL');
  for (let i = 0; i < 20 && pids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RunningService {
  url: string;
  taskDefinitionArn: string;
  env: Record<string, string>;
}

/**
 * moto runs no containers. The demo's stand-in for Fargate: read the task definition the
 * service points to and run examples/service/server.mjs with that container's environment,
 * replacing the previous process — what ECS would do with the container image.
 */
export class FargateStandIn {
  private child: ChildProcess | undefined;
  private port = 0;
  current: RunningService | undefined;

  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly service: string,
  ) {
    onCleanup(() => this.stop());
  }

  async sync(): Promise<RunningService> {
    const described = await this.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }));
    const arn = described.services?.[0]?.taskDefinition;
    if (!arn) throw new Error(`service ${this.service} has no task definition`);
    if (this.current?.taskDefinitionArn === arn) return this.current;
    const td = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    const container = td.taskDefinition?.containerDefinitions?.find((c) => c.essential !== false);
    const env: Record<string, string> = {};
    for (const { name, value } of container?.environment ?? []) if (name) env[name] = value ?? '';
    await this.stop();
    this.port ||= await freePort();
    const child = spawn(process.execPath, [path.join(repoRoot, 'examples', 'service', 'server.mjs')], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sample service exited with code ${code}`)));
      child.stdout?.once('data', () => resolve());
    });
    this.current = { url: `http://127.0.0.1:${this.port}`, taskDefinitionArn: arn, env };
    return this.current;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.current = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    });
  }
}

/** What a deploy could change about a service: the revision it runs, that revision's tags, its deployments. */
export interface ServiceSnapshot {
  taskDefinitionArn: string;
  /** The gantry:* (and other) tags of the revision the service runs. */
  tags: Record<string, string>;
  /** `id status taskDefinition` of each deployment. */
  deployments: string[];
}

/** The service as ECS (moto, through the rollout layer) holds it now — read back, not remembered. */
export async function serviceSnapshot(ecs: ECSClient, cluster: string, service: string): Promise<ServiceSnapshot> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const svc = described.services?.[0];
  if (!svc?.taskDefinition) throw new Error(`service ${service} has no task definition`);
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition, include: ['TAGS'] }));
  return {
    taskDefinitionArn: svc.taskDefinition,
    tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
    deployments: (svc.deployments ?? []).map((d) => `${d.id} ${d.status} ${d.taskDefinition}`),
  };
}

/** Every difference between two snapshots of one service, as sentences; empty when it is untouched. */
export function serviceChanges(before: ServiceSnapshot, after: ServiceSnapshot): string[] {
  const changes: string[] = [];
  if (before.taskDefinitionArn !== after.taskDefinitionArn)
    changes.push(`it runs ${shortArn(after.taskDefinitionArn)} instead of ${shortArn(before.taskDefinitionArn)}`);
  for (const key of [...new Set([...Object.keys(before.tags), ...Object.keys(after.tags)])].sort()) {
    if (before.tags[key] !== after.tags[key])
      changes.push(`tag ${key} is ${after.tags[key] ?? '(gone)'} instead of ${before.tags[key] ?? '(none)'}`);
  }
  const added = after.deployments.filter((d) => !before.deployments.includes(d));
  const gone = before.deployments.filter((d) => !after.deployments.includes(d));
  if (added.length > 0 || gone.length > 0) changes.push(`its deployments changed (${[...gone, ...added].join('; ')})`);
  return changes;
}

export function shortArn(arn: string | undefined): string {
  return arn ? arn.replace(/^.*task-definition\//, '') : '—';
}

/**
 * An action's log as GitHub shows it: `::add-mask::<value>` lines are the runner's, never shown,
 * and every masked value is replaced by *** wherever else it appears (for --verbose).
 */
export function runnerView(stdout: string): string {
  const masks: string[] = [];
  const lines = stdout.split('\n').filter((line) => {
    const mask = /^::add-mask::(.*)$/.exec(line.replace(/\r$/, ''));
    if (mask?.[1]) masks.push(mask[1].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
    return !mask;
  });
  let text = lines.join('\n');
  // Longest first, so a value that contains another is masked whole.
  for (const value of [...new Set(masks)].sort((a, b) => b.length - a.length)) text = text.split(value).join('***');
  return text;
}

/** A markdown table (for renderMarkdown); an empty cell stays a cell, a `|` in a value is escaped. */
export function toTable(headers: string[], rows: string[][]): string {
  const esc = (v: string) => (v === '' ? ' ' : v.replace(/\|/g, '\\|'));
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
