import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  RX: () => (/* binding */ DETECT_OUTPUTS),
  sb: () => (/* binding */ audit),
  vk: () => (/* binding */ coverage),
  o0: () => (/* binding */ detect),
  iW: () => (/* binding */ main),
  eg: () => (/* binding */ runStep)
});

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./lib/runner/protocol.ts
/**
 * The GitHub runner's protocol for actions, as documented in "Workflow commands for GitHub
 * Actions": `::command prop=value::message` lines on stdout, and the environment files
 * (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). It is what `@actions/core` writes, byte for byte
 * (same escaping, same `name<<ghadelimiter_<uuid>` form), without `@actions/core`'s OIDC
 * client, which pulls ~1 MB of HTTP client into every bundle and costs ~70 ms at start-up
 * (the budget is 150 ms from process start to the first AWS request). A test checks the
 * output against `@actions/core` itself.
 */



function escapeData(value) {
    return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value) {
    return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function formatCommand(command, properties, message) {
    const props = Object.entries(properties)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
        .join(',');
    return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
function issueCommand(command, properties, message) {
    process.stdout.write(formatCommand(command, properties, message) + external_node_os_namespaceObject.EOL);
}
/** `name<<delimiter` … `delimiter`, the multi-line safe form of an environment file entry. */
function formatFileEntry(name, value, delimiter = `ghadelimiter_${(0,external_node_crypto_namespaceObject.randomUUID)()}`) {
    if (name.includes(delimiter) || value.includes(delimiter)) {
        throw new Error(`Unexpected input: name or value contains the delimiter ${delimiter}`);
    }
    return `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${value}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`;
}
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT;
    if (file)
        (0,external_node_fs_namespaceObject.appendFileSync)(file, formatFileEntry(name, value), 'utf8');
    else {
        process.stdout.write(external_node_os_namespaceObject.EOL);
        issueCommand('set-output', { name }, value);
    }
}
function appendSummary(markdown) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file)
        return false;
    (0,external_node_fs_namespaceObject.appendFileSync)(file, markdown + external_node_os_namespaceObject.EOL, 'utf8');
    return true;
}

;// CONCATENATED MODULE: ./scripts/pr-checks/src/detect.ts
const ECOSYSTEMS = ['node', 'python', 'go'];
const AUDIT_LEVELS = ['low', 'moderate', 'high', 'critical'];
/** A check that cannot run as asked: printed as `::error title=<title>::<code>: <message>` (the runbook's row is the code's anchor). */
class CheckInputError extends Error {
    code;
    title;
    constructor(code, title, message) {
        super(message);
        this.code = code;
        this.title = title;
    }
}
const PYTHON_MARKERS = ['pyproject.toml', 'requirements.txt', 'setup.py', 'setup.cfg', 'Pipfile'];
const NODE_LOCKFILES = 'package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock';
function detectEcosystem(requested, files, where) {
    if (requested !== 'auto') {
        if (!ECOSYSTEMS.includes(requested))
            throw new CheckInputError('GANTRY-WF-063', 'Bad input ecosystem', `'${requested}' is not one of auto, ${ECOSYSTEMS.join(', ')}.`);
        return requested;
    }
    if (files.exists('package.json'))
        return 'node';
    if (files.exists('go.mod'))
        return 'go';
    if (PYTHON_MARKERS.some((marker) => files.exists(marker)))
        return 'python';
    throw new CheckInputError('GANTRY-WF-064', 'No project found', `${where} has no package.json, go.mod or ${PYTHON_MARKERS.join(', ')}: set working-directory to the project, or ecosystem (node, python, go) and the commands.`);
}
function yarnIsBerry(files) {
    if (files.exists('.yarnrc.yml'))
        return true;
    try {
        const manifest = JSON.parse(files.read('package.json'));
        const match = typeof manifest.packageManager === 'string' ? /^yarn@(\d+)/.exec(manifest.packageManager) : null;
        return match !== null && Number(match[1]) >= 2;
    }
    catch {
        return false;
    }
}
function nodeDefaults(files, level, scripts, where) {
    const run = (pm) => ({
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
function pythonDefaults(files) {
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
function goDefaults() {
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
const DEFAULT_COVERAGE = {
    node: { file: 'coverage/coverage-summary.json', format: 'istanbul' },
    python: { file: 'coverage.xml', format: 'cobertura' },
    go: { file: 'coverage.out', format: 'go' },
};
function planChecks(request, files, where) {
    if (!AUDIT_LEVELS.includes(request.auditLevel)) {
        throw new CheckInputError('GANTRY-WF-066', 'Bad input audit-level', `'${request.auditLevel}' is not one of ${AUDIT_LEVELS.join(', ')}.`);
    }
    const level = request.auditLevel;
    const ecosystem = detectEcosystem(request.ecosystem, files, where);
    const defaults = ecosystem === 'node'
        ? nodeDefaults(files, level, request.scripts, where)
        : ecosystem === 'python'
            ? pythonDefaults(files)
            : goDefaults();
    const pick = (given, fallback) => (given.trim() !== '' ? given.trim() : fallback);
    return {
        ecosystem,
        ...defaults,
        install: pick(request.commands.install, defaults.install),
        audit: pick(request.commands.audit, defaults.audit),
        lint: pick(request.commands.lint, defaults.lint),
        typecheck: pick(request.commands.typecheck, defaults.typecheck),
        test: pick(request.commands.test, defaults.test),
        coverageFile: pick(request.coverageFile, DEFAULT_COVERAGE[ecosystem].file),
        coverageFormat: pick(request.coverageFormat === 'auto' ? '' : request.coverageFormat, request.coverageFile.trim() !== '' ? 'auto' : DEFAULT_COVERAGE[ecosystem].format),
    };
}
/**
 * yarn 1's `yarn audit` exits with a bit mask of the severities it found (1 info, 2 low,
 * 4 moderate, 8 high, 16 critical), ignoring --level: fail only for `level` and above.
 */
function yarnClassicAuditFailed(exitCode, level) {
    const bits = { low: 2, moderate: 4, high: 8, critical: 16 };
    const failing = Object.entries(bits)
        .filter(([severity]) => AUDIT_LEVELS.indexOf(severity) >= AUDIT_LEVELS.indexOf(level))
        .reduce((mask, [, bit]) => mask | bit, 0);
    // Anything above 31 is not a severity mask (yarn itself failed, e.g. no network): fail.
    return exitCode > 31 || (exitCode & failing) !== 0;
}

;// CONCATENATED MODULE: ./scripts/pr-checks/src/coverage.ts
/**
 * Line coverage from the report a test command wrote: an Istanbul json-summary (vitest, jest, c8,
 * nyc), Cobertura XML (coverage.py `coverage xml`, pytest-cov, JaCoCo's converters, gcovr), LCOV
 * (`lcov.info`: c8, nyc, genhtml, cargo-llvm-cov) or a Go cover profile (`go test -coverprofile`).
 */

const COVERAGE_FORMATS = ['istanbul', 'cobertura', 'lcov', 'go'];
function guessFormat(text) {
    const start = text.trimStart();
    if (start.startsWith('{'))
        return 'istanbul';
    if (/<coverage[\s>]/.test(start.slice(0, 4096)))
        return 'cobertura';
    if (/^mode: (set|count|atomic)\s*$/m.test(start.split('\n', 1)[0] ?? ''))
        return 'go';
    if (/^(TN|SF):/m.test(start))
        return 'lcov';
    return undefined;
}
const round = (value) => Math.round(value * 100) / 100;
const result = (format, covered, total) => ({
    format,
    covered,
    total,
    pct: total === 0 ? 100 : round((covered / total) * 100),
});
function bad(file, format, problem) {
    return new CheckInputError('GANTRY-WF-060', 'Bad coverage report', `${file} is not a readable ${format} report: ${problem}.`);
}
function istanbul(text, file) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (err) {
        throw bad(file, 'Istanbul json-summary', `not JSON (${err.message})`);
    }
    const lines = doc.total?.lines;
    if (typeof lines?.pct !== 'number' && lines?.pct !== 'Unknown')
        throw bad(file, 'Istanbul json-summary', 'it has no total.lines.pct');
    const covered = typeof lines.covered === 'number' ? lines.covered : 0;
    const total = typeof lines.total === 'number' ? lines.total : 0;
    // Istanbul writes "Unknown" when no line was instrumented.
    return lines.pct === 'Unknown' ? result('istanbul', 0, 0) : { format: 'istanbul', pct: round(lines.pct), covered, total };
}
function cobertura(text, file) {
    const root = /<coverage\b([^>]*)>/.exec(text)?.[1];
    if (root === undefined)
        throw bad(file, 'Cobertura XML', 'it has no <coverage> element');
    const attribute = (name) => {
        const value = new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(root)?.[1];
        return value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
    };
    const covered = attribute('lines-covered');
    const valid = attribute('lines-valid');
    if (covered !== undefined && valid !== undefined)
        return result('cobertura', covered, valid);
    const rate = attribute('line-rate');
    if (rate === undefined)
        throw bad(file, 'Cobertura XML', '<coverage> has neither lines-covered/lines-valid nor line-rate');
    return { format: 'cobertura', pct: round(rate * 100), covered: 0, total: 0 };
}
function lcov(text, file) {
    let found = 0;
    let hit = 0;
    let records = 0;
    // Per record: LF/LH when present, else the DA lines themselves.
    for (const record of text.split(/^end_of_record\s*$/m)) {
        if (!/^SF:/m.test(record))
            continue;
        records += 1;
        const lf = /^LF:(\d+)\s*$/m.exec(record);
        const lh = /^LH:(\d+)\s*$/m.exec(record);
        if (lf && lh) {
            found += Number(lf[1]);
            hit += Number(lh[1]);
        }
        else {
            for (const da of record.matchAll(/^DA:\d+,(\d+)/gm)) {
                found += 1;
                if (Number(da[1]) > 0)
                    hit += 1;
            }
        }
    }
    if (records === 0)
        throw bad(file, 'LCOV', 'it has no SF: record');
    return result('lcov', hit, found);
}
function goProfile(text, file) {
    const [header, ...lines] = text.split('\n');
    if (!/^mode: (set|count|atomic)\s*$/.test(header ?? ''))
        throw bad(file, 'Go cover profile', "its first line is not 'mode: set|count|atomic'");
    // A block can appear once per test binary that covers it: count each block once, covered if any run hit it.
    const blocks = new Map();
    for (const line of lines) {
        const match = /^(.+:\d+\.\d+,\d+\.\d+) (\d+) (\d+)\s*$/.exec(line);
        if (!match)
            continue;
        const [, block = '', statements = '0', count = '0'] = match;
        const seen = blocks.get(block);
        blocks.set(block, { statements: Number(statements), hit: (seen?.hit ?? false) || Number(count) > 0 });
    }
    let total = 0;
    let covered = 0;
    for (const block of blocks.values()) {
        total += block.statements;
        if (block.hit)
            covered += block.statements;
    }
    return result('go', covered, total);
}
function readCoverage(text, file, requested) {
    let format;
    if (requested === 'auto' || requested === '') {
        format = guessFormat(text);
        if (!format)
            throw new CheckInputError('GANTRY-WF-061', 'Bad coverage report', `${file} is not a coverage report gantry reads (Istanbul json-summary, Cobertura XML, LCOV or a Go cover profile); set coverage-format if it is one.`);
    }
    else if (COVERAGE_FORMATS.includes(requested)) {
        format = requested;
    }
    else {
        throw new CheckInputError('GANTRY-WF-062', 'Bad input coverage-format', `'${requested}' is not one of auto, ${COVERAGE_FORMATS.join(', ')}.`);
    }
    switch (format) {
        case 'istanbul':
            return istanbul(text, file);
        case 'cobertura':
            return cobertura(text, file);
        case 'lcov':
            return lcov(text, file);
        case 'go':
            return goProfile(text, file);
    }
}
/** How to make each ecosystem's usual tools write a report gantry reads (for the "No coverage report" message). */
const COVERAGE_HINT = 'Make the test command write one: vitest --coverage.enabled --coverage.reporter=json-summary (or lcov); jest --coverage --coverageReporters=json-summary; ' +
    'pytest --cov --cov-report=xml:coverage.xml (Cobertura); go test -coverprofile=coverage.out ./...; then set coverage-file to its path — or set coverage-threshold to 0';

;// CONCATENATED MODULE: ./lib/runner/errors.ts
/**
 * An input the user gave (or failed to give) is wrong. The message names the input,
 * the value received and what was expected; `run()` prints it after its code, without a stack trace,
 * because the stack is noise to the person who has to fix their workflow file.
 */
class InputError extends Error {
    code;
    input;
    value;
    expected;
    constructor(code, input, value, expected) {
        const received = value === undefined || value === '' ? 'is missing' : `has value '${truncate(value)}'`;
        super(`Input '${input}' ${received}: expected ${expected}.`);
        this.name = 'InputError';
        this.code = code;
        this.input = input;
        this.value = value;
        this.expected = expected;
    }
}
/**
 * A failure the action detected and can explain (rollout failed, check failed, plan stale).
 * Printed without a stack trace, after its code; `details` are extra lines for the log.
 */
class ActionFailure extends Error {
    code;
    details;
    constructor(code, message, details = []) {
        super(message);
        this.name = 'ActionFailure';
        this.code = code;
        this.details = details;
    }
}
function truncate(value, max = 200) {
    return value.length > max ? `${value.slice(0, max)}…` : value;
}
/** A readable one-line description of anything thrown, including AWS SDK service errors. */
function describeError(err) {
    if (err instanceof InputError || err instanceof ActionFailure)
        return err.message;
    if (err instanceof Error) {
        const meta = err.$metadata;
        const parts = [`${err.name}: ${err.message}`];
        if (meta?.httpStatusCode)
            parts.push(`(HTTP ${meta.httpStatusCode}${meta.requestId ? `, request ${meta.requestId}` : ''})`);
        return parts.join(' ');
    }
    return String(err);
}
/** An AWS service error (the SDK's `$metadata`): the runbook's AWS errors table. */
const AWS_ERROR = 'GANTRY-AWS-001';
/** An AWS call cut off at the action's deadline (lib/aws/deadline.ts's DeadlineExceeded). */
const AWS_DEADLINE = 'GANTRY-AWS-002';
/** Anything else gantry did not foresee: a bug, or an answer nobody expected. */
const UNEXPECTED_ERROR = 'GANTRY-RUNNER-001';
/** The code of anything thrown: gantry's own errors carry one; others get the AWS or the unexpected-error code. */
function failureCode(err) {
    if (err instanceof InputError || err instanceof ActionFailure)
        return err.code;
    if (err instanceof Error && err.name === 'DeadlineExceeded')
        return AWS_DEADLINE;
    if (err instanceof Error && err.$metadata !== undefined)
        return AWS_ERROR;
    return UNEXPECTED_ERROR;
}
/** How a failure is printed (the step's error, the job summary): `<code>: <description>`. */
function describeFailure(err) {
    return `${failureCode(err)}: ${describeError(err)}`;
}

;// CONCATENATED MODULE: ./scripts/pr-checks/src/index.ts
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








/** `::error title=<title>::<code>: <message>`: the code first, as every gantry annotation (the runbook anchors it). */
function errorAnnotation(code, title, message) {
    return `::error title=${title}::${code}: ${message}`;
}
/** The step outputs of `detect` (test/workflows/support/contracts.ts checks pr-checks.yml against them). */
const DETECT_OUTPUTS = [
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
];
function detect(env, cwd) {
    const files = {
        exists: (file) => (0,external_node_fs_namespaceObject.existsSync)(external_node_path_default().join(cwd, file)),
        read: (file) => (0,external_node_fs_namespaceObject.readFileSync)(external_node_path_default().join(cwd, file), 'utf8'),
    };
    const value = (name, fallback = '') => env[name] ?? fallback;
    const plan = planChecks({
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
    }, files, cwd);
    const outputs = {
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
    for (const step of ['install', 'audit', 'lint', 'typecheck', 'test'])
        lines.push(`  ${step.padEnd(9)} ${plan[step] || '(none)'}`);
    lines.push(`  coverage  ${plan.coverageFile} (${plan.coverageFormat})`);
    return { exitCode: 0, lines, outputs };
}
function shell(command, cwd, env) {
    const child = (0,external_node_child_process_namespaceObject.spawnSync)('bash', ['-eo', 'pipefail', '-c', command], { cwd, env: env, stdio: 'inherit' });
    return child.status ?? 1;
}
function runStep(env, cwd, exec = (command) => shell(command, cwd, env)) {
    const command = (env.COMMAND ?? '').trim();
    if (command === '')
        return { exitCode: 0, lines: [`Nothing to run for ${env.STEP ?? 'this step'} (no command).`] };
    console.log(`$ ${command}`);
    const exitCode = exec(command);
    return {
        exitCode,
        lines: exitCode === 0 ? [] : [errorAnnotation('GANTRY-WF-067', `${env.STEP ?? 'Step'} failed`, `'${command}' exited with ${exitCode}.`)],
    };
}
function audit(env, cwd, exec = (command) => shell(command, cwd, env)) {
    const command = (env.AUDIT_COMMAND ?? '').trim();
    if (command === '')
        return { exitCode: 0, lines: ['No audit command for this project.'] };
    console.log(`$ ${command}`);
    const exitCode = exec(command);
    if (env.MANAGER === 'yarn-classic') {
        const level = (env.AUDIT_LEVEL ?? 'high');
        const failed = yarnClassicAuditFailed(exitCode, level);
        return {
            exitCode: failed ? 1 : 0,
            lines: [
                failed
                    ? errorAnnotation('GANTRY-WF-068', 'Audit failed', `yarn audit found vulnerabilities at ${level} or above (exit mask ${exitCode}).`)
                    : `yarn audit: nothing at ${level} or above (exit mask ${exitCode}: lower severities only).`,
            ],
        };
    }
    return {
        exitCode,
        lines: exitCode === 0 ? [] : [errorAnnotation('GANTRY-WF-069', 'Audit failed', `'${command}' exited with ${exitCode}.`)],
    };
}
function coverage(env, cwd) {
    const file = env.COVERAGE_FILE ?? '';
    const threshold = Number(env.THRESHOLD ?? '0');
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100)
        throw new CheckInputError('GANTRY-WF-070', 'Bad input coverage-threshold', `'${env.THRESHOLD}' is not a percentage from 0 to 100.`);
    const absolute = external_node_path_default().resolve(cwd, file);
    if (!(0,external_node_fs_namespaceObject.existsSync)(absolute))
        throw new CheckInputError('GANTRY-WF-071', 'No coverage report', `${file} was not written. ${COVERAGE_HINT}.`);
    const result = readCoverage((0,external_node_fs_namespaceObject.readFileSync)(absolute, 'utf8'), file, env.COVERAGE_FORMAT ?? 'auto');
    const counts = result.total > 0 ? `, ${result.covered} of ${result.total} lines` : '';
    const line = `Line coverage ${result.pct}% (threshold ${threshold}%).`;
    const lines = [`${line.slice(0, -1)}; ${result.format} report ${file}${counts}.`];
    if (result.pct < threshold)
        return { exitCode: 1, lines: [...lines, errorAnnotation('GANTRY-WF-072', 'Coverage below threshold', line)] };
    return { exitCode: 0, lines };
}
function main(argv, env = process.env, cwd = process.cwd()) {
    const command = argv[0];
    try {
        const step = command === 'detect'
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
        for (const line of step.lines)
            console.log(line);
        for (const [name, value] of Object.entries(step.outputs ?? {}))
            setOutput(name, value);
        if (command === 'coverage' && step.lines[0])
            appendSummary(`${step.lines[0]}\n`);
        return step.exitCode;
    }
    catch (err) {
        if (err instanceof CheckInputError)
            console.log(errorAnnotation(err.code, err.title, err.message));
        else
            console.log(errorAnnotation(UNEXPECTED_ERROR, 'pr-checks failed', err instanceof Error ? (err.stack ?? err.message) : String(err)));
        return 1;
    }
}
const invokedPath = process.argv[1] ? (0,external_node_url_namespaceObject.pathToFileURL)(external_node_path_default().resolve(process.argv[1])).href : '';
// Run as the bundle (dist/index.js) or with tsx; importing it (the tests) runs nothing.
if (import.meta.url === invokedPath || /pr-checks[\\/]dist[\\/]index\.js$/.test(invokedPath))
    process.exitCode = main(process.argv.slice(2));

var __webpack_exports__DETECT_OUTPUTS = __webpack_exports__.RX;
var __webpack_exports__audit = __webpack_exports__.sb;
var __webpack_exports__coverage = __webpack_exports__.vk;
var __webpack_exports__detect = __webpack_exports__.o0;
var __webpack_exports__main = __webpack_exports__.iW;
var __webpack_exports__runStep = __webpack_exports__.eg;
export { __webpack_exports__DETECT_OUTPUTS as DETECT_OUTPUTS, __webpack_exports__audit as audit, __webpack_exports__coverage as coverage, __webpack_exports__detect as detect, __webpack_exports__main as main, __webpack_exports__runStep as runStep };
