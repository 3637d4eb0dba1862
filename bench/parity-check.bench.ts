/**
 * parity-check: 10,000 variables and 1,000 toggles per side compared in ≤ 1 s, including the HCL
 * parser's start-up (docs/infra/architecture.md#performance-budgets). The variables are a tfvars-like mix (half strings, the
 * rest numbers, bools, short lists and small maps), in one .tfvars file per side; the toggles a
 * JSON manifest per side; a dozen planted divergences so findings are produced and rendered.
 *
 * The budget applies to the bundle as the runner runs it, on the runtime action.yml declares
 * (Node 24): the action's own "Compared … in N ms" figure, which covers reading both sides,
 * starting the parser and applying the rules (median of 3); node start → exit is printed too.
 * The same variables as .tfvars.json show what the rules cost without the HCL parser; in-process
 * figures on the dev Node (cold, then with the parser warm) are printed for comparison. Also
 * the bundle's cold start to its first AWS request (a `secretsmanager:` manifest; ≤ 150 ms).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { memoryLogger } from '../lib/runner/logger';
import type { Inputs } from '../actions/parity-check/src/inputs';
import { checkParity } from '../actions/parity-check/src/parity';
import { renderSummary } from '../actions/parity-check/src/summary';
import { loadVariableFiles } from '../actions/parity-check/src/var-files';
import { node24Binary, repoRoot, runAction } from '../test/support/harness';
import type { BenchFigure } from './types';

const VARIABLES = 10_000;
const TOGGLES = 1_000;
const BUDGET_MS = 1_000;
const COLD_START_BUDGET_MS = 150;
/** 3 missing + 3 type mismatches + 2 nested keys in the variables; 20 toggles ahead in production. */
const PLANTED_FINDINGS = 28;

function variableLine(i: number, side: 'staging' | 'production'): string {
  const big = side === 'production';
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return `var_${i} = "${side}-value-${i}"`;
    case 5:
      return `var_${i} = ${big ? i * 4 : i}`;
    case 6:
      return `var_${i} = ${big ? 'false' : 'true'}`;
    case 7:
      return `var_${i} = ["${side}-a", "${side}-b"${big ? ', "extra"' : ''}]`;
    case 8:
      return `var_${i} = { name = "${side}-${i}", size = ${big ? 4 : 1}, enabled = true }`;
    default:
      return `var_${i} = 0.${i} # a comment`;
  }
}

function writeSides(dir: string): void {
  for (const side of ['staging', 'production'] as const) {
    const lines = Array.from({ length: VARIABLES }, (_, i) => variableLine(i, side));
    if (side === 'production') {
      // Planted divergences: 3 missing, 3 type mismatches, 2 nested keys.
      lines[10] = '# var_10 removed';
      lines[20] = '# var_20 removed';
      lines[30] = '# var_30 removed';
      lines[15] = 'var_15 = "15"';
      lines[25] = 'var_25 = "25"';
      lines[16] = 'var_16 = "true"';
      lines[18] = 'var_18 = { name = "x", size = 1 }';
      lines[28] = 'var_28 = { name = "x", size = 1, enabled = true, owner = "y" }';
    }
    writeFileSync(path.join(dir, `${side}.tfvars`), `${lines.join('\n')}\n`);
    const toggles: Record<string, unknown> = {};
    for (let i = 0; i < TOGGLES; i += 1) {
      toggles[`toggle-${i}`] =
        i % 2 === 0 ? i % 4 === 0 : { enabled: true, rollout: side === 'staging' ? 50 : i % 50 === 1 ? 80 : 50, owner: `team-${i % 7}` };
    }
    writeFileSync(path.join(dir, `${side}.toggles.json`), JSON.stringify(toggles, null, 2));
  }
}

function inputsFor(dir: string, extension: string): Inputs {
  return {
    'base-name': 'staging',
    'target-name': 'production',
    'base-var-files': [path.join(dir, `staging.${extension}`)],
    'target-var-files': [path.join(dir, `production.${extension}`)],
    'base-toggles': { kind: 'file', path: path.join(dir, 'staging.toggles.json'), reference: 'staging.toggles.json' },
    'target-toggles': { kind: 'file', path: path.join(dir, 'production.toggles.json'), reference: 'production.toggles.json' },
    'values-must-match': ['var_9', 'var_19'],
    ignore: [],
    'rollout-toggles': [],
    'fail-on-divergence': true,
    workspace: dir,
  };
}

async function inProcess(inputs: Inputs): Promise<{ ms: number; findings: number }> {
  const started = performance.now();
  const result = await checkParity(inputs, { log: memoryLogger() });
  renderSummary(result, { base: 'staging', target: 'production' });
  return { ms: performance.now() - started, findings: result.findings.length };
}

/** The same variables as .tfvars.json (JSON.parse instead of the HCL parser). */
async function writeJsonSides(dir: string): Promise<void> {
  for (const side of ['staging', 'production']) {
    const set = await loadVariableFiles('bench', [path.join(dir, `${side}.tfvars`)], dir);
    writeFileSync(path.join(dir, `${side}.tfvars.json`), JSON.stringify(Object.fromEntries(set.values), null, 2));
  }
}

interface BundleRun {
  wallMs: number;
  /** The action's own figure: "Compared … in N ms" (reading, parsing with start-up, rules). */
  comparedMs: number;
  findings: number;
}

async function runBundle(dir: string, extension: string, node: string): Promise<BundleRun> {
  const result = await runAction(
    'parity-check',
    {
      'base-var-files': `staging.${extension}`,
      'target-var-files': `production.${extension}`,
      'base-toggles': 'staging.toggles.json',
      'target-toggles': 'production.toggles.json',
      'values-must-match': 'var_9\nvar_19',
    },
    { workspace: dir, node },
  );
  const compared = /Compared staging and production in (\d+) ms/.exec(result.stdout);
  if (result.exitCode !== 1 || !compared) throw new Error(`bundle exited ${result.exitCode}: ${result.stdout.slice(-2000)}`);
  return { wallMs: result.durationMs, comparedMs: Number(compared[1]), findings: Number(result.outputs.findings) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Process spawn → first request the bundle makes to a local endpoint standing in for AWS. */
async function coldStartToFirstRequest(dir: string, node: string, runs: number): Promise<number[]> {
  let first: number | undefined;
  const server = http.createServer((req, res) => {
    first ??= performance.now();
    req.resume();
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end('{"__type":"ResourceNotFoundException","message":"bench"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      first = undefined;
      const started = performance.now();
      const child = spawn(node, [path.join(repoRoot, 'actions/parity-check/dist/index.js')], {
        cwd: dir,
        stdio: 'ignore',
        env: {
          PATH: process.env.PATH,
          GITHUB_WORKSPACE: dir,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL: endpoint,
          'INPUT_BASE-TOGGLES': 'secretsmanager:bench/toggles',
          'INPUT_TARGET-TOGGLES': 'staging.toggles.json',
        },
      });
      await new Promise((resolve) => child.on('close', resolve));
      if (first === undefined) throw new Error('the bundle made no request');
      times.push(first - started);
    }
  } finally {
    server.close();
  }
  return times;
}

export default async function bench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parity-bench-'));
  try {
    writeSides(dir);
    // First: this process has not started the parser yet, so this run pays its start-up.
    const cold = await inProcess(inputsFor(dir, 'tfvars'));
    const warmRuns: number[] = [];
    for (let run = 1; run <= 3; run += 1) {
      // New content each time: a file already parsed would come from the parse cache.
      for (const side of ['staging', 'production']) appendFileSync(path.join(dir, `${side}.tfvars`), `# run ${run}\n`);
      warmRuns.push((await inProcess(inputsFor(dir, 'tfvars'))).ms);
    }
    const warm = median(warmRuns);
    await writeJsonSides(dir);
    const rulesOnly = await inProcess(inputsFor(dir, 'tfvars.json'));

    // The bundle as the runner runs it, on the runtime action.yml declares (node24).
    const node24 = await node24Binary();
    const hcl: BundleRun[] = [];
    const json: BundleRun[] = [];
    for (let i = 0; i < 3; i += 1) {
      hcl.push(await runBundle(dir, 'tfvars', node24));
      json.push(await runBundle(dir, 'tfvars.json', node24));
    }
    const starts = await coldStartToFirstRequest(dir, node24, 7);
    const label = `${VARIABLES / 1000}k variables + ${TOGGLES / 1000}k toggles per side`;
    const hclCompared = median(hcl.map((r) => r.comparedMs));
    const jsonCompared = median(json.map((r) => r.comparedMs));
    const findingsAgree = [...hcl, ...json].every((r) => r.findings === PLANTED_FINDINGS) && cold.findings === PLANTED_FINDINGS;
    return [
      {
        name: `${label}, .tfvars, bundle on Node 24: compared (parser start-up incl.), median of 3`,
        value: hclCompared,
        unit: 'ms',
        budget: `≤ ${BUDGET_MS} ms`,
        ok: hclCompared <= BUDGET_MS,
      },
      { name: `${label}, .tfvars, bundle on Node 24: node start → exit, median of 3`, value: median(hcl.map((r) => r.wallMs)), unit: 'ms' },
      {
        name: `${label}, .tfvars.json, bundle on Node 24: compared, median of 3`,
        value: jsonCompared,
        unit: 'ms',
        budget: `≤ ${BUDGET_MS} ms`,
        ok: jsonCompared <= BUDGET_MS,
      },
      {
        name: `${label}, .tfvars.json, bundle on Node 24: node start → exit, median of 3`,
        value: median(json.map((r) => r.wallMs)),
        unit: 'ms',
      },
      { name: `${label}, .tfvars, in process (${process.version}), cold`, value: cold.ms, unit: 'ms' },
      { name: `${label}, .tfvars, in process (${process.version}), parser warm, median of 3`, value: warm, unit: 'ms' },
      { name: `${label}, .tfvars.json, in process: reading + rules only`, value: rulesOnly.ms, unit: 'ms' },
      {
        name: `findings, every run (planted: ${PLANTED_FINDINGS})`,
        value: hcl[0].findings,
        unit: 'findings',
        budget: `= ${PLANTED_FINDINGS}`,
        ok: findingsAgree,
      },
      {
        name: 'bundle on Node 24: cold start to first AWS request, median of 7',
        value: median(starts),
        unit: 'ms',
        budget: `≤ ${COLD_START_BUDGET_MS} ms`,
        ok: median(starts) <= COLD_START_BUDGET_MS,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
