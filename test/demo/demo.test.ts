/**
 * End-to-end: `npm run demo` tells the whole story with the real bundles, exits 0 in under two
 * minutes, and leaves nothing behind — no temporary directory, no process. Interrupted (Ctrl-C,
 * SIGTERM) it stops everything it started and exits 130 / 143.
 *
 * Each run gets its own TMPDIR, so every temporary file of the demo and of what it starts lands
 * there; the demo runs in its own process group, and its descendants are recorded from /proc while
 * it runs, so a process that outlives it is found whoever its parent is by then.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/harness';
import { WORKER_CRASH_PASSWORD } from '../../scripts/demo-multi';

/** The "under two minutes". */
const MAX_DEMO_MS = 120_000;

interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  start: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state ppid pgrp … starttime is field 22 overall, 20th here.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]), start: fields[19], command };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

function descendantsOf(root: number, processes: readonly ProcessInfo[]): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (let parents = new Set([root]); parents.size > 0;) {
    const children = processes.filter((p) => parents.has(p.ppid) && !found.includes(p));
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

/** Still running (not a zombie), and the same process — not a new one that reused the PID. */
function stillRunning(p: ProcessInfo): boolean {
  const now = readProcess(p.pid);
  return now !== undefined && now.start === p.start && now.state !== 'Z';
}

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  durationMs: number;
  /** Every process the demo had below it at some point. */
  seen: ProcessInfo[];
  /** What is left once it exited: processes (its descendants or its process group), and `gantry-*` entries of its TMPDIR. */
  leftoverProcesses: string[];
  leftoverFiles: string[];
}

/** Run the demo (`node --import tsx scripts/demo.ts`); `interrupt` sends that signal once the output matches `when`. */
async function runDemo(interrupt?: { signal: NodeJS.Signals; when: RegExp }): Promise<DemoRun> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gantry-demo-test-'));
  const started = Date.now();
  // `node --import tsx`, as `npm run demo` runs it: no tsx CLI in between that relays signals to a
  // child process (under load its relay raced the demo's own handler and the cleanup line was lost).
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TMPDIR: tmp },
    // Its own process group: what it starts is recognisable by the group, and it gets only the
    // signals this test sends (not a terminal's Ctrl-C aimed at the test run).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const root = child.pid as number;
  const seen = new Map<string, ProcessInfo>();
  const record = () => {
    for (const p of descendantsOf(root, allProcesses())) {
      // A process caught while it execs or exits reads an empty command line: keep what it showed before.
      const key = `${p.pid}/${p.start}`;
      if (p.command !== '' || !seen.has(key)) seen.set(key, p);
    }
  };
  const watcher = setInterval(record, 250);
  let stdout = '';
  let sent = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    // Also at every line of output: on a loaded machine timers run late, and each step prints.
    record();
    if (interrupt && !sent && interrupt.when.test(stdout)) {
      sent = true;
      record(); // what runs at this very moment: the step in flight
      child.kill(interrupt.signal);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    const durationMs = Date.now() - started;
    clearInterval(watcher);
    const inGroup = allProcesses().filter((p) => p.pgrp === root && p.state !== 'Z');
    const leftovers = [...new Map([...seen.values(), ...inGroup].filter(stillRunning).map((p) => [p.pid, p])).values()];
    return {
      code,
      signal,
      stdout,
      durationMs,
      seen: [...seen.values()],
      leftoverProcesses: leftovers.map((p) => `${p.pid} ${p.command}`),
      leftoverFiles: readdirSync(tmp).filter((name) => name.startsWith('gantry-')),
    };
  } finally {
    clearInterval(watcher);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-root, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const p of [...seen.values()].filter(stillRunning)) {
      try {
        process.kill(p.pid, 'SIGKILL'); // a failed test must not leave them to the next one
      } catch {
        // gone
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('npm run demo', () => {
  it('needs /proc to see what the demo leaves behind', () => {
    expect(existsSync('/proc/self/stat'), 'these tests read processes from /proc (Linux)').toBe(true);
  });

  it('runs parity, terraform, three releases, a failed then a fixed migration, a caught broken release and its rollback, an api and a worker released and rolled back together — in under two minutes, leaving nothing behind', async () => {
    const run = await runDemo();
    const seconds = (run.durationMs / 1000).toFixed(1);
    console.info(`npm run demo: ${seconds} s wall time, exit ${run.code}`);
    expect(run.code, `demo failed (exit ${run.code}, signal ${run.signal}):\n${run.stdout}`).toBe(0);
    const { stdout } = run;
    expect(stdout).toContain('Demo complete');
    expect(stdout).toMatch(/parity-check: production turns on '.+' before staging/);
    // The migration of 1.1.0's first commit exits 1: its own log lines in the step's output, and the
    // service read back unchanged; the fixed commit's migration passes and exactly its revision is deployed.
    const block = (title: string): string => stdout.split(/^▶ /m).find((b) => b.startsWith(title)) ?? '';
    // Before anything is registered, the migration's inputs are checked (read-only): a misspelt container is refused,
    // and moto's revisions of shop are counted before and after.
    const typo = block("run-task check-only: migration-container 'ap' (a typo)");
    expect(typo, stdout).toMatch(/GANTRY-RUNTASK-024: Input 'container' has value 'ap': expected a container of shop:2/);
    expect(typo).toContain('failed (exit 1) — as expected');
    expect(stdout).toMatch(/nothing registered \(read back from moto\): family shop still has 2 revisions/);
    expect(block('run-task check-only: the migration inputs of 1.1.0 (read-only)')).toMatch(/inputs checked[\s\S]*passed in/);
    const failedMigration = block('run-task: the migration of 1.1.0 (5555555), which exits 1');
    expect(failedMigration, stdout).toMatch(/Exit code\s+1/);
    expect(failedMigration).toContain('app | ERROR: column "discount" of relation "orders" contains null values');
    expect(failedMigration).toMatch(
      /error: GANTRY-RUNTASK-\d{3}: Task [\w-]+ from shop:3 failed: essential container app exited with code 1/,
    );
    expect(failedMigration).toContain('failed (exit 1) — as expected');
    expect(failedMigration).toMatch(
      /service shop untouched by the failed migration \(read back from moto\): still shop:2 — 1\.0\.0, gantry:status deployed, the same release tags and deployments/,
    );
    expect(stdout).not.toContain('CHANGED although its migration failed');
    const fixedMigration = block('run-task: the migration of 1.1.0 (2222222)');
    expect(fixedMigration).toMatch(/Exit code\s+0/);
    expect(fixedMigration).toMatch(/passed in/);
    expect(block('deploy-ecs 1.1.0: exactly shop:4, the revision the migration ran')).toMatch(/Status\s+✔ deployed[\s\S]*passed in/);
    expect(stdout).toMatch(/shop:3\s+1\.1\.0\s+5555555\s+pending/);
    expect(stdout).toMatch(/smoke-test 1\.2\.0[\s\S]*failed \(exit 1\) — as expected/);
    expect(stdout).toMatch(/rollback to the last good release[\s\S]*passed/);
    expect(stdout).toMatch(/shop:\d+ ← live\s+1\.1\.0/);
    expect(stdout).toMatch(/1\.2\.0\s+3333333\s+rolled-back/);
    expect(stdout).toMatch(/smoke-test 1\.3\.0 on the test listener[\s\S]*failed \(exit 1\) — as expected/);
    expect(stdout).toContain('production served 0 requests from release 1.3.0');
    expect(stdout).toMatch(/1\.3\.0\s+4444444\s+failed/);

    // An api and a worker released by one deploy-ecs run (services): both on a new revision of their own
    // family, with the release's tags as read back from moto, watched with one DescribeServices per poll.
    const release = block('deploy-ecs 2.0.0: api and worker in one run (services)');
    expect(release, stdout).toMatch(/api\s+api:1 → api:2\s+api\s+✔ deployed/);
    expect(release).toMatch(/worker\s+worker:1 → worker:2\s+worker\s+✔ deployed/);
    expect(release).toMatch(
      /DescribeServices, counted by the rollout layer: 1 per poll for the 2 services after the first poll, \d+ in the whole run \(\d+ polls\)/,
    );
    expect(release).toMatch(/api\s+api:2\s+2\.0\.0\s+6666666\s+deployed\s+api:1/);
    expect(release).toMatch(/worker\s+worker:2\s+2\.0\.0\s+6666666\s+deployed\s+worker:1/);
    expect(block('deploy-ecs 2.0.1: a fix of the api alone')).toMatch(/Task definition\s+api:2 → api:3[\s\S]*passed in/);
    // Release 2.1.0: the worker crashes; its own last log lines are shown, the password in its URL masked.
    const crash = block('deploy-ecs 2.1.0: api and worker (the worker crashes at start)');
    expect(crash).toMatch(
      /error: GANTRY-DEPLOY-105: Release of 2 services in cluster demo failed: service worker failed: deployment \S+ FAILED/,
    );
    expect(crash).toMatch(/worker\s+worker:2 → worker:3\s+worker\s+✘ failed/);
    expect(crash).toMatch(/api\s+api:3 → api:4\s+api\s+✘ failed\s+\S+\s+\d+\s+not judged: the release failed/);
    expect(crash).toContain('worker | Error: connect ECONNREFUSED 10.0.3.17:6379');
    expect(crash).toContain('worker | connecting to redis://worker:***@cache.internal:6379/0');
    expect(crash).toContain('failed (exit 1) — as expected');
    expect(stdout).not.toContain(WORKER_CRASH_PASSWORD);
    // rollback given rollback-services as it is: each service back on its own previous revision, read back from moto.
    const rollback = block('rollback api and worker: rollback-services as deploy-ecs wrote it');
    expect(rollback).toMatch(/api\s+\S+api:3\s+api:4 → api:3\s+rolled-back\s+api:3/);
    expect(rollback).toMatch(/worker\s+\S+worker:2\s+worker:3 → worker:2\s+rolled-back\s+worker:2/);
    expect(rollback).toContain(
      'after the rollback (read back from moto): api on api:3 (2.0.1, 7777777), worker on worker:2 (2.0.0, 6666666) — each service on its own previous revision',
    );
    expect(rollback).toMatch(/api\s+api:3 ← live\s+2\.0\.1\s+7777777\s+deployed\s+api:2/);
    expect(rollback).toMatch(/api\s+api:4\s+2\.1\.0\s+8888888\s+rolled-back\s+api:3\s+release 2\.1\.0 failed: the worker crashed/);
    expect(rollback).toMatch(/worker\s+worker:2 ← live\s+2\.0\.0\s+6666666\s+deployed\s+worker:1/);
    expect(rollback).toMatch(/worker\s+worker:3\s+2\.1\.0\s+8888888\s+rolled-back\s+worker:2\s+release 2\.1\.0 failed: the worker crashed/);
    expect(stdout).toMatch(/✔\s+the worker's last log lines in the release's summary, its password masked\s+passed/);
    expect(stdout).toMatch(/✔\s+api and worker after the rollback: each on its own previous revision\s+passed/);
    // Each step's error lines come under its summary's header (the line after the step's title), never before it.
    const blocks = stdout
      .split(/^▶ /m)
      .slice(1)
      .filter((block) => block.includes('error:'));
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) expect(block.split('\n')[1], `the first line of:\n${block}`).not.toMatch(/^\s*error:/);

    expect(run.durationMs, `the demo took ${seconds} s`).toBeLessThan(MAX_DEMO_MS);
    const reported = Number(/Demo complete in (\d+)s/.exec(stdout)?.[1]);
    expect(reported * 1000, 'the duration the demo reports').toBeLessThan(MAX_DEMO_MS);

    // It did start moto, the sample service and the bundles — and none of them outlives it.
    expect(run.seen.some((p) => p.command.includes('moto'))).toBe(true);
    expect(run.seen.some((p) => p.command.includes(path.join('examples', 'service', 'server.mjs')))).toBe(true);
    expect(run.leftoverProcesses, 'processes still running after the demo exited').toEqual([]);
    expect(run.leftoverFiles, 'temporary files left in the demo TMPDIR').toEqual([]);
  }, 200_000);

  // Ctrl-C while the smoke test of 1.0.0 runs: moto, the rollout layer, the sample service and the
  // smoke-test bundle are all up. SIGTERM as soon as the first step starts.
  for (const { signal, code, when, running } of [
    { signal: 'SIGINT', code: 130, when: /▶ smoke-test 1\.0\.0/, running: ['moto', path.join('examples', 'service', 'server.mjs')] },
    { signal: 'SIGTERM', code: 143, when: /▶ parity-check/, running: ['moto'] },
  ] as const) {
    it(`stops everything it started and exits ${code} on ${signal} during a step`, async () => {
      const run = await runDemo({ signal, when });
      expect(run.code, run.stdout).toBe(code);
      expect(run.stdout).toContain(`${signal}: cleaning up…`);
      expect(run.stdout).not.toContain('demo failed');
      expect(run.stdout).not.toContain('Demo complete');
      const seen = run.seen.map((p) => `${p.pid} ${p.command.slice(0, 100)}`).join('\n');
      for (const command of running)
        expect(
          run.seen.some((p) => p.command.includes(command)),
          `${command} was running; seen:\n${seen}`,
        ).toBe(true);
      expect(run.leftoverProcesses, 'processes still running after the demo exited').toEqual([]);
      expect(run.leftoverFiles, 'temporary files left in the demo TMPDIR').toEqual([]);
    }, 90_000);
  }
});
