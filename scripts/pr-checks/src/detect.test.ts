import { describe, expect, it } from 'vitest';
import { planChecks, yarnClassicAuditFailed, type DetectRequest, type ProjectFiles } from './detect';
import { audit, main } from './index';

const project = (files: Record<string, string>): ProjectFiles => ({ exists: (file) => file in files, read: (file) => files[file] ?? '' });
const request = (overrides: Partial<DetectRequest> = {}): DetectRequest => ({
  ecosystem: 'auto',
  auditLevel: 'high',
  commands: { install: '', audit: '', lint: '', typecheck: '', test: '' },
  scripts: { lint: 'lint', typecheck: 'typecheck', test: 'test' },
  coverageFile: '',
  coverageFormat: 'auto',
  ...overrides,
});

describe('planChecks: the ecosystem and its defaults', () => {
  it.each([
    [
      'npm',
      { 'package.json': '{}', 'package-lock.json': '' },
      { manager: 'npm', install: 'npm ci', audit: 'npm audit --audit-level=high', lint: 'npm run lint', lockfile: 'package-lock.json' },
    ],
    ['npm-shrinkwrap', { 'package.json': '{}', 'npm-shrinkwrap.json': '' }, { manager: 'npm', lockfile: 'npm-shrinkwrap.json' }],
    [
      'pnpm',
      { 'package.json': '{}', 'pnpm-lock.yaml': '' },
      { manager: 'pnpm', install: 'pnpm install --frozen-lockfile', audit: 'pnpm audit --audit-level high', test: 'pnpm run test' },
    ],
    [
      'yarn 1',
      { 'package.json': '{}', 'yarn.lock': '' },
      { manager: 'yarn-classic', install: 'yarn install --frozen-lockfile', audit: 'yarn audit --level high' },
    ],
    [
      'yarn berry (.yarnrc.yml)',
      { 'package.json': '{}', 'yarn.lock': '', '.yarnrc.yml': '' },
      { manager: 'yarn-berry', install: 'yarn install --immutable', audit: 'yarn npm audit --recursive --severity high' },
    ],
    ['yarn berry (packageManager)', { 'package.json': '{"packageManager":"yarn@4.5.0"}', 'yarn.lock': '' }, { manager: 'yarn-berry' }],
    [
      'python (requirements)',
      { 'requirements.txt': '', 'requirements-dev.txt': '' },
      {
        ecosystem: 'python',
        install: 'python -m pip install -r requirements.txt && python -m pip install -r requirements-dev.txt',
        audit: 'pipx run pip-audit -r requirements.txt',
        lint: 'pipx run ruff check .',
        typecheck: '',
        test: 'python -m pytest --cov --cov-report=xml:coverage.xml',
        coverageFile: 'coverage.xml',
        coverageFormat: 'cobertura',
      },
    ],
    [
      'python (pyproject)',
      { 'pyproject.toml': '' },
      { ecosystem: 'python', install: 'python -m pip install .', audit: 'pipx run pip-audit' },
    ],
    [
      'go',
      { 'go.mod': '' },
      {
        ecosystem: 'go',
        install: 'go mod download',
        lint: 'go vet ./...',
        typecheck: 'go build ./...',
        test: 'go test -coverprofile=coverage.out ./...',
        coverageFile: 'coverage.out',
        coverageFormat: 'go',
      },
    ],
  ])('%s', (_name, files, expected) => {
    expect(planChecks(request(), project(files), '/app')).toMatchObject(expected);
  });

  it('the caller’s commands, scripts, coverage file and format win over the defaults', () => {
    const plan = planChecks(
      request({
        commands: { install: 'make deps', audit: '', lint: 'make lint', typecheck: '', test: 'make test' },
        scripts: { lint: 'l', typecheck: 'tc', test: 't' },
        coverageFile: 'out/lcov.info',
      }),
      project({ 'package.json': '{}', 'package-lock.json': '' }),
      '/app',
    );
    expect(plan).toMatchObject({
      install: 'make deps',
      lint: 'make lint',
      typecheck: 'npm run tc',
      test: 'make test',
      coverageFile: 'out/lcov.info',
      coverageFormat: 'auto',
    });
    expect(planChecks(request({ ecosystem: 'go' }), project({}), '/app').ecosystem).toBe('go');
  });

  it.each([
    [request({ ecosystem: 'rust' }), {}, "Bad input ecosystem: 'rust' is not one of auto, node, python, go."],
    [
      request({ auditLevel: 'severe' }),
      { 'package.json': '{}' },
      "Bad input audit-level: 'severe' is not one of low, moderate, high, critical.",
    ],
    [
      request(),
      { 'package.json': '{}' },
      'No lockfile: /app has no package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock; commit one so installs are reproducible.',
    ],
    [
      request(),
      {},
      'No project found: /app has no package.json, go.mod or pyproject.toml, requirements.txt, setup.py, setup.cfg, Pipfile: set working-directory to the project, or ecosystem (node, python, go) and the commands.',
    ],
  ])('refuses %j', (req, files, message) => {
    let caught: { title?: string; message?: string } = {};
    try {
      planChecks(req, project(files), '/app');
    } catch (err) {
      caught = err as { title: string; message: string };
    }
    expect(`${caught.title}: ${caught.message}`).toBe(message);
  });
});

describe('yarn 1 audit: the exit mask against audit-level', () => {
  it.each([
    [0, 'high', false],
    [2 | 4, 'high', false], // low + moderate only: the bug was that this failed
    [8, 'high', true],
    [16 | 2, 'high', true],
    [4, 'moderate', true],
    [2, 'moderate', false],
    [2, 'low', true],
    [1, 'low', false], // info only
    [8, 'critical', false],
    [16, 'critical', true],
    [32, 'low', true], // not a mask: yarn itself failed
  ] as const)('exit %i at %s → fails %s', (code, level, fails) => {
    expect(yarnClassicAuditFailed(code, level)).toBe(fails);
  });

  it('the audit step runs the command and applies the mask only under yarn 1', () => {
    const env = { AUDIT_COMMAND: 'yarn audit --level high', MANAGER: 'yarn-classic', AUDIT_LEVEL: 'high' };
    expect(audit(env, '/', () => 6)).toEqual({
      exitCode: 0,
      lines: ['yarn audit: nothing at high or above (exit mask 6: lower severities only).'],
    });
    expect(audit(env, '/', () => 12)).toEqual({
      exitCode: 1,
      lines: ['::error title=Audit failed::GANTRY-WF-068: yarn audit found vulnerabilities at high or above (exit mask 12).'],
    });
    expect(audit({ ...env, MANAGER: 'npm' }, '/', () => 6).exitCode).toBe(6);
  });
});

describe('the CLI', () => {
  it('prints the error annotation and exits 1 on a bad input, 2 on an unknown command', () => {
    const logged: string[] = [];
    const original = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      expect(main(['detect'], { ECOSYSTEM: 'cobol' }, '/')).toBe(1);
      expect(main(['coverage'], { COVERAGE_FILE: 'nope.json', THRESHOLD: '80' }, '/')).toBe(1);
      expect(main(['coverage'], { COVERAGE_FILE: 'x', THRESHOLD: '120' }, '/')).toBe(1);
    } finally {
      console.log = original;
    }
    expect(logged[0]).toBe("::error title=Bad input ecosystem::GANTRY-WF-063: 'cobol' is not one of auto, node, python, go.");
    expect(logged[1]).toMatch(
      /^::error title=No coverage report::GANTRY-WF-071: nope\.json was not written\. Make the test command write one: vitest/,
    );
    expect(logged[2]).toBe("::error title=Bad input coverage-threshold::GANTRY-WF-070: '120' is not a percentage from 0 to 100.");
  });
});
