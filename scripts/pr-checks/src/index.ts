/**
 * The steps of pr-checks.yml's `checks` job, as one bundle (scripts/pr-checks/dist/index.js) run from
 * the gantry checkout at the workflow's commit with whatever Node the runner has (≥ 20):
 *
 *   detect    ecosystem, package manager and commands → step outputs (env: ECOSYSTEM, AUDIT_LEVEL,
 *             INSTALL_COMMAND, AUDIT_COMMAND, LINT_COMMAND, TYPECHECK_COMMAND, TEST_COMMAND,
 *             LINT_SCRIPT, TYPECHECK_SCRIPT, TEST_SCRIPT, COVERAGE_FILE, COVERAGE_FORMAT)
 *   run       COMMAND in bash, in the working directory (install, lint, type-check, test)
 *   audit     AUDIT_COMMAND; under yarn 1 (MANAGER=yarn-classic) its severity mask against AUDIT_LEVEL
 *   coverage  COVERAGE_FILE (COVERAGE_FORMAT) against THRESHOLD percent of lines
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { appendSummary, setOutput } from '../../../lib/runner/protocol';
import { COVERAGE_HINT, readCoverage } from './coverage';
import { UNEXPECTED_ERROR, type FailureCode } from '../../../lib/runner/errors';
import { CheckInputError, planChecks, yarnClassicAuditFailed, type AuditLevel, type Plan } from './detect';

/** `::error title=<title>::<code>: <message>`: the code first, as every gantry annotation (the runbook anchors it). */
function errorAnnotation(code: FailureCode, title: string, message: string): string {
  return `::error title=${title}::${code}: ${message}`;
}

type Env = Record<string, string | undefined>;

export interface StepResult {
  exitCode: number;
  lines: string[];
  outputs?: Record<string, string>;
}

/** The step outputs of `detect` (test/workflows/support/contracts.ts checks pr-checks.yml against them). */
export const DETECT_OUTPUTS = [
  'ecosystem',
  'manager',
  'node-cache',
  'lockfile',
  'install',
  'audit',
  'lint',
  'typecheck',
  'test',
  'coverage-file',
  'coverage-format',
] as const;

export function detect(env: Env, cwd: string): StepResult {
  const files = {
    exists: (file: string) => existsSync(path.join(cwd, file)),
    read: (file: string) => readFileSync(path.join(cwd, file), 'utf8'),
  };
  const value = (name: string, fallback = '') => env[name] ?? fallback;
  const plan: Plan = planChecks(
    {
      ecosystem: value('ECOSYSTEM', 'auto') || 'auto',
      auditLevel: value('AUDIT_LEVEL', 'high'),
      commands: {
        install: value('INSTALL_COMMAND'),
        audit: value('AUDIT_COMMAND'),
        lint: value('LINT_COMMAND'),
        typecheck: value('TYPECHECK_COMMAND'),
        test: value('TEST_COMMAND'),
      },
      scripts: {
        lint: value('LINT_SCRIPT') || 'lint',
        typecheck: value('TYPECHECK_SCRIPT') || 'typecheck',
        test: value('TEST_SCRIPT') || 'test',
      },
      coverageFile: value('COVERAGE_FILE'),
      coverageFormat: value('COVERAGE_FORMAT', 'auto'),
    },
    files,
    cwd,
  );
  const outputs: Record<(typeof DETECT_OUTPUTS)[number], string> = {
    ecosystem: plan.ecosystem,
    manager: plan.manager,
    // setup-node's cache takes npm, pnpm or yarn.
    'node-cache': plan.ecosystem === 'node' ? plan.manager.replace(/-.*/, '') : '',
    lockfile: plan.lockfile,
    install: plan.install,
    audit: plan.audit,
    lint: plan.lint,
    typecheck: plan.typecheck,
    test: plan.test,
    'coverage-file': plan.coverageFile,
    'coverage-format': plan.coverageFormat,
  };
  const lines = [`Project: ${plan.ecosystem} (${plan.manager}${plan.lockfile ? `, ${plan.lockfile}` : ''}).`];
  for (const step of ['install', 'audit', 'lint', 'typecheck', 'test'] as const)
    lines.push(`  ${step.padEnd(9)} ${plan[step] || '(none)'}`);
  lines.push(`  coverage  ${plan.coverageFile} (${plan.coverageFormat})`);
  return { exitCode: 0, lines, outputs };
}

function shell(command: string, cwd: string, env: Env): number {
  const child = spawnSync('bash', ['-eo', 'pipefail', '-c', command], { cwd, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
  return child.status ?? 1;
}

export function runStep(env: Env, cwd: string, exec: (command: string) => number = (command) => shell(command, cwd, env)): StepResult {
  const command = (env.COMMAND ?? '').trim();
  if (command === '') return { exitCode: 0, lines: [`Nothing to run for ${env.STEP ?? 'this step'} (no command).`] };
  console.log(`$ ${command}`);
  const exitCode = exec(command);
  return {
    exitCode,
    lines:
      exitCode === 0 ? [] : [errorAnnotation('GANTRY-WF-067', `${env.STEP ?? 'Step'} failed`, `'${command}' exited with ${exitCode}.`)],
  };
}

export function audit(env: Env, cwd: string, exec: (command: string) => number = (command) => shell(command, cwd, env)): StepResult {
  const command = (env.AUDIT_COMMAND ?? '').trim();
  if (command === '') return { exitCode: 0, lines: ['No audit command for this project.'] };
  console.log(`$ ${command}`);
  const exitCode = exec(command);
  if (env.MANAGER === 'yarn-classic') {
    const level = (env.AUDIT_LEVEL ?? 'high') as AuditLevel;
    const failed = yarnClassicAuditFailed(exitCode, level);
    return {
      exitCode: failed ? 1 : 0,
      lines: [
        failed
          ? errorAnnotation(
              'GANTRY-WF-068',
              'Audit failed',
              `yarn audit found vulnerabilities at ${level} or above (exit mask ${exitCode}).`,
            )
          : `yarn audit: nothing at ${level} or above (exit mask ${exitCode}: lower severities only).`,
      ],
    };
  }
  return {
    exitCode,
    lines: exitCode === 0 ? [] : [errorAnnotation('GANTRY-WF-069', 'Audit failed', `'${command}' exited with ${exitCode}.`)],
  };
}

export function coverage(env: Env, cwd: string): StepResult {
  const file = env.COVERAGE_FILE ?? '';
  const threshold = Number(env.THRESHOLD ?? '0');
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100)
    throw new CheckInputError('GANTRY-WF-070', 'Bad input coverage-threshold', `'${env.THRESHOLD}' is not a percentage from 0 to 100.`);
  const absolute = path.resolve(cwd, file);
  if (!existsSync(absolute)) throw new CheckInputError('GANTRY-WF-071', 'No coverage report', `${file} was not written. ${COVERAGE_HINT}.`);
  const result = readCoverage(readFileSync(absolute, 'utf8'), file, env.COVERAGE_FORMAT ?? 'auto');
  const counts = result.total > 0 ? `, ${result.covered} of ${result.total} lines` : '';
  const line = `Line coverage ${result.pct}% (threshold ${threshold}%).`;
  const lines = [`${line.slice(0, -1)}; ${result.format} report ${file}${counts}.`];
  if (result.pct < threshold) return { exitCode: 1, lines: [...lines, errorAnnotation('GANTRY-WF-072', 'Coverage below threshold', line)] };
  return { exitCode: 0, lines };
}

export function main(argv: readonly string[], env: Env = process.env, cwd = process.cwd()): number {
  const command = argv[0];
  try {
    const step =
      command === 'detect'
        ? detect(env, cwd)
        : command === 'run'
          ? runStep(env, cwd)
          : command === 'audit'
            ? audit(env, cwd)
            : command === 'coverage'
              ? coverage(env, cwd)
              : undefined;
    if (!step) {
      console.error('usage: pr-checks detect | run | audit | coverage');
      return 2;
    }
    for (const line of step.lines) console.log(line);
    for (const [name, value] of Object.entries(step.outputs ?? {})) setOutput(name, value);
    if (command === 'coverage' && step.lines[0]) appendSummary(`${step.lines[0]}\n`);
    return step.exitCode;
  } catch (err) {
    if (err instanceof CheckInputError) console.log(errorAnnotation(err.code, err.title, err.message));
    else
      console.log(errorAnnotation(UNEXPECTED_ERROR, 'pr-checks failed', err instanceof Error ? (err.stack ?? err.message) : String(err)));
    return 1;
  }
}

const invokedPath = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
// Run as the bundle (dist/index.js) or with tsx; importing it (the tests) runs nothing.
if (import.meta.url === invokedPath || /pr-checks[\\/]dist[\\/]index\.js$/.test(invokedPath))
  process.exitCode = main(process.argv.slice(2));
