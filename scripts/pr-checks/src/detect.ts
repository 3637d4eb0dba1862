/**
 * What pr-checks.yml runs for a project: the ecosystem (Node, Python, Go — from the files, or as the
 * caller says), for Node the package manager from the lockfile, and the install, audit, lint,
 * type-check and test commands and coverage report — each the caller's command when given, else the
 * ecosystem's default. Pure: it reads the project through `exists`/`read`.
 */
import type { FailureCode } from '../../../lib/runner/errors';

export type Ecosystem = 'node' | 'python' | 'go';
export const ECOSYSTEMS: readonly Ecosystem[] = ['node', 'python', 'go'];
export type Manager = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'pip' | 'go';
export const AUDIT_LEVELS = ['low', 'moderate', 'high', 'critical'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** A check that cannot run as asked: printed as `::error title=<title>::<code>: <message>` (the runbook's row is the code's anchor). */
export class CheckInputError extends Error {
  constructor(
    readonly code: FailureCode,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DetectRequest {
  /** `auto` or an ecosystem. */
  ecosystem: string;
  auditLevel: string;
  /** Caller's commands; empty means the default. */
  commands: { install: string; audit: string; lint: string; typecheck: string; test: string };
  /** Node only: package.json scripts used when no command is given (the inputs lint-script, …). */
  scripts: { lint: string; typecheck: string; test: string };
  coverageFile: string;
  coverageFormat: string;
}

export interface Plan {
  ecosystem: Ecosystem;
  manager: Manager;
  /** The lockfile setup-node caches on (Node), or '' */
  lockfile: string;
  install: string;
  audit: string;
  lint: string;
  typecheck: string;
  test: string;
  coverageFile: string;
  coverageFormat: string;
}

export interface ProjectFiles {
  exists(file: string): boolean;
  read(file: string): string;
}

const PYTHON_MARKERS = ['pyproject.toml', 'requirements.txt', 'setup.py', 'setup.cfg', 'Pipfile'];
const NODE_LOCKFILES = 'package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock';

export function detectEcosystem(requested: string, files: ProjectFiles, where: string): Ecosystem {
  if (requested !== 'auto') {
    if (!(ECOSYSTEMS as readonly string[]).includes(requested))
      throw new CheckInputError('GANTRY-WF-063', 'Bad input ecosystem', `'${requested}' is not one of auto, ${ECOSYSTEMS.join(', ')}.`);
    return requested as Ecosystem;
  }
  if (files.exists('package.json')) return 'node';
  if (files.exists('go.mod')) return 'go';
  if (PYTHON_MARKERS.some((marker) => files.exists(marker))) return 'python';
  throw new CheckInputError(
    'GANTRY-WF-064',
    'No project found',
    `${where} has no package.json, go.mod or ${PYTHON_MARKERS.join(', ')}: set working-directory to the project, or ecosystem (node, python, go) and the commands.`,
  );
}

function yarnIsBerry(files: ProjectFiles): boolean {
  if (files.exists('.yarnrc.yml')) return true;
  try {
    const manifest = JSON.parse(files.read('package.json')) as { packageManager?: unknown };
    const match = typeof manifest.packageManager === 'string' ? /^yarn@(\d+)/.exec(manifest.packageManager) : null;
    return match !== null && Number(match[1]) >= 2;
  } catch {
    return false;
  }
}

function nodeDefaults(
  files: ProjectFiles,
  level: AuditLevel,
  scripts: DetectRequest['scripts'],
  where: string,
): Omit<Plan, 'ecosystem' | 'coverageFile' | 'coverageFormat'> {
  const run = (pm: string) => ({
    lint: `${pm} run ${scripts.lint}`,
    typecheck: `${pm} run ${scripts.typecheck}`,
    test: `${pm} run ${scripts.test}`,
  });
  if (files.exists('pnpm-lock.yaml')) {
    return {
      manager: 'pnpm',
      lockfile: 'pnpm-lock.yaml',
      install: 'pnpm install --frozen-lockfile',
      audit: `pnpm audit --audit-level ${level}`,
      ...run('pnpm'),
    };
  }
  if (files.exists('yarn.lock')) {
    return yarnIsBerry(files)
      ? {
          manager: 'yarn-berry',
          lockfile: 'yarn.lock',
          install: 'yarn install --immutable',
          audit: `yarn npm audit --recursive --severity ${level}`,
          ...run('yarn'),
        }
      : // yarn 1's exit code is a bit mask of every severity found, whatever --level says: the audit
        // step reads the mask (yarnClassicAuditFailed), so only `level` and above fail.
        {
          manager: 'yarn-classic',
          lockfile: 'yarn.lock',
          install: 'yarn install --frozen-lockfile',
          audit: `yarn audit --level ${level}`,
          ...run('yarn'),
        };
  }
  for (const lockfile of ['package-lock.json', 'npm-shrinkwrap.json']) {
    if (files.exists(lockfile))
      return { manager: 'npm', lockfile, install: 'npm ci', audit: `npm audit --audit-level=${level}`, ...run('npm') };
  }
  throw new CheckInputError('GANTRY-WF-065', 'No lockfile', `${where} has no ${NODE_LOCKFILES}; commit one so installs are reproducible.`);
}

function pythonDefaults(files: ProjectFiles): Omit<Plan, 'ecosystem' | 'coverageFile' | 'coverageFormat'> {
  const requirements = files.exists('requirements.txt') ? 'requirements.txt' : '';
  const devRequirements = ['requirements-dev.txt', 'dev-requirements.txt'].find((file) => files.exists(file));
  const install = [
    requirements
      ? `python -m pip install -r ${requirements}`
      : files.exists('pyproject.toml') || files.exists('setup.py')
        ? 'python -m pip install .'
        : '',
    devRequirements ? `python -m pip install -r ${devRequirements}` : '',
  ]
    .filter(Boolean)
    .join(' && ');
  return {
    manager: 'pip',
    lockfile: requirements,
    install,
    // pip-audit has no severity filter: any known vulnerability fails (audit-level does not apply).
    audit: requirements ? `pipx run pip-audit -r ${requirements}` : 'pipx run pip-audit',
    lint: 'pipx run ruff check .',
    typecheck: '',
    test: 'python -m pytest --cov --cov-report=xml:coverage.xml',
  };
}

function goDefaults(): Omit<Plan, 'ecosystem' | 'coverageFile' | 'coverageFormat'> {
  return {
    manager: 'go',
    lockfile: 'go.sum',
    install: 'go mod download',
    // govulncheck reports only vulnerabilities in code that is called; it has no severity filter.
    audit: 'go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...',
    lint: 'go vet ./...',
    typecheck: 'go build ./...',
    test: 'go test -coverprofile=coverage.out ./...',
  };
}

const DEFAULT_COVERAGE: Record<Ecosystem, { file: string; format: string }> = {
  node: { file: 'coverage/coverage-summary.json', format: 'istanbul' },
  python: { file: 'coverage.xml', format: 'cobertura' },
  go: { file: 'coverage.out', format: 'go' },
};

export function planChecks(request: DetectRequest, files: ProjectFiles, where: string): Plan {
  if (!(AUDIT_LEVELS as readonly string[]).includes(request.auditLevel)) {
    throw new CheckInputError(
      'GANTRY-WF-066',
      'Bad input audit-level',
      `'${request.auditLevel}' is not one of ${AUDIT_LEVELS.join(', ')}.`,
    );
  }
  const level = request.auditLevel as AuditLevel;
  const ecosystem = detectEcosystem(request.ecosystem, files, where);
  const defaults =
    ecosystem === 'node'
      ? nodeDefaults(files, level, request.scripts, where)
      : ecosystem === 'python'
        ? pythonDefaults(files)
        : goDefaults();
  const pick = (given: string, fallback: string) => (given.trim() !== '' ? given.trim() : fallback);
  return {
    ecosystem,
    ...defaults,
    install: pick(request.commands.install, defaults.install),
    audit: pick(request.commands.audit, defaults.audit),
    lint: pick(request.commands.lint, defaults.lint),
    typecheck: pick(request.commands.typecheck, defaults.typecheck),
    test: pick(request.commands.test, defaults.test),
    coverageFile: pick(request.coverageFile, DEFAULT_COVERAGE[ecosystem].file),
    coverageFormat: pick(
      request.coverageFormat === 'auto' ? '' : request.coverageFormat,
      request.coverageFile.trim() !== '' ? 'auto' : DEFAULT_COVERAGE[ecosystem].format,
    ),
  };
}

/**
 * yarn 1's `yarn audit` exits with a bit mask of the severities it found (1 info, 2 low,
 * 4 moderate, 8 high, 16 critical), ignoring --level: fail only for `level` and above.
 */
export function yarnClassicAuditFailed(exitCode: number, level: AuditLevel): boolean {
  const bits: Record<AuditLevel, number> = { low: 2, moderate: 4, high: 8, critical: 16 };
  const failing = Object.entries(bits)
    .filter(([severity]) => AUDIT_LEVELS.indexOf(severity as AuditLevel) >= AUDIT_LEVELS.indexOf(level))
    .reduce((mask, [, bit]) => mask | bit, 0);
  // Anything above 31 is not a severity mask (yarn itself failed, e.g. no network): fail.
  return exitCode > 31 || (exitCode & failing) !== 0;
}
