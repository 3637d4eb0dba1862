/**
 * The on-call docs stay usable: the runbook lists every failure message gantry prints (collected
 * from the action sources and the workflows when the test runs, so a new message fails the test
 * until it has a runbook entry), and no relative link in docs/infra points at a file or heading
 * that does not exist.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectFailureMessages, type FailureMessages } from './support/failure-messages';
import { headingAnchors, relativeLinks } from './support/markdown';
import { MessageCollector, type FoundMessage } from './support/message-collector';
import { keyOf, normalise, normaliseText } from './support/message-text';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const docsDir = path.join(root, 'docs', 'infra');
const actionNames = readdirSync(path.join(root, 'actions'))
  .filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml')))
  .sort();
const docFiles = readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .sort();

// Failure messages are collected from the sources when the test runs (support/failure-messages.ts):
// what counts as a message is in support/message-sites.ts, how its text is followed through the
// code in support/message-evaluator.ts, and how it is looked up in the runbook (its first words,
// holes as wildcards) in support/message-text.ts. What stays here is what people edit: the
// messages that need no entry, and where the text of a relayed message comes from.

/**
 * Messages that need no runbook entry, each with the reason. Matched by file and the start of the
 * message as the failure list shows it (holes as …). An entry that matches nothing fails the test.
 */
const NO_RUNBOOK_ENTRY: { file: string; message: string; reason: string }[] = [
  {
    file: 'lib/runner/protocol.ts',
    message: 'Unexpected input: name or value contains the delimiter',
    reason: 'the delimiter is a fresh random UUID per entry: a value cannot contain it by accident',
  },
  {
    file: 'lib/ecs/strategies/rolling.ts',
    message: 'rolling strategy: no deployment id to watch',
    reason: 'a programming guard: deploy() and rollback() only watch once a deployment id is known',
  },
  {
    file: 'actions/deploy-ecs/src/gate.ts',
    message: 'no task definition on the target revision',
    reason: 'caught at once and shown inside the "Could not read the revisions of …" warning, which has its entry',
  },
  {
    file: 'lib/util/poll.ts',
    message: 'poll interval must be positive',
    reason: 'a programming guard: every poll interval comes from an input validated to be at least 1 s',
  },
  {
    file: 'actions/smoke-test/src/run.ts',
    message: 'concurrency must be at least',
    reason: 'a programming guard: the concurrency input is validated to 1–256 (its InputError is in the runbook)',
  },
  {
    file: 'actions/parity-check/src/toggles.ts',
    message: 'no Secrets Manager client for',
    reason: 'a programming guard: main.ts creates the client whenever a secretsmanager: manifest is configured',
  },
  {
    file: 'actions/parity-check/src/hcl-parser.ts',
    message: 'the HCL parser returned no tree',
    reason: 'a programming guard: tree-sitter returns no tree only when a parse is cancelled or timed out, and gantry sets neither',
  },
  {
    file: 'actions/parity-check/src/hcl-syntax-errors.ts',
    message: 'parse config: [',
    reason:
      "never printed: var-files.ts prints the error's `problem` (summary and detail, collected at each `new HclSyntaxError(…)`) as the documented `Input '<files-input>': <file>:<line>: <diagnostic>`",
  },
  {
    file: 'actions/smoke-test/src/schema.ts',
    message: 'no compiled validator for check type',
    reason: 'a build guard: every check type has a generated validator, and a test fails when check-validators.generated.cjs is stale',
  },
  {
    file: 'actions/smoke-test/src/load.ts',
    message: 'valid checks',
    reason:
      "CheckDefinitionError's constructor replaces this placeholder message with the documented `Input 'checks-file' … has <n> problems: …`",
  },
];

/**
 * Message sites with no text of their own: the text is made elsewhere and collected there. Each
 * entry says where (file and the expression as written). An entry that matches nothing fails the test.
 */
const RELAYS: { file: string; expression: string; from: string }[] = [
  {
    file: 'actions/deploy-ecs/src/inputs.ts',
    expression: 'err.expected',
    from: "a services entry's template or path error: the expectation of the InputError readTemplate / resolveWorkspaceFile threw, collected there",
  },
  {
    file: 'actions/deploy-ecs/src/multi-main.ts',
    expression: 'releaseFailure(result).message',
    from: 'releaseFailure in multi-summary.ts',
  },
  {
    file: 'actions/deploy-ecs/src/multi.ts',
    expression: 'err.expected',
    from: "a single-service input error of one services entry, renamed 'services': collected where the single-service path throws it",
  },
  {
    file: 'actions/deploy-ecs/src/multi.ts',
    expression: '${entryLabel(entry)}: ${err.message}',
    from: "an ActionFailure of one services entry's plan, prefixed with the entry: collected where it is thrown",
  },
  {
    file: 'actions/rollback/src/inputs.ts',
    expression: 'err.expected',
    from: "a services entry's target error: parseTarget's, collected in target.ts",
  },
  {
    file: 'actions/rollback/src/multi.ts',
    expression: 'err.expected',
    from: "a single-service input error of one services entry, renamed 'services': collected where rollback throws it",
  },
  {
    file: 'lib/ecs/rollout-batch.ts',
    expression: 'this.abandoned',
    from: "abandon()'s reason, built in actions/deploy-ecs/src/multi.ts ('the release failed (…)')",
  },
  {
    file: 'lib/ecs/service-list.ts',
    expression: 'err.expected',
    from: "checkServiceInCluster's expectation (lib/aws/arns.ts), renamed 'services'",
  },
  {
    file: 'lib/runner/logger.ts',
    expression: 'p(m)',
    from: "prefixedLogger: any message logged with a service's prefix, collected where it is logged",
  },
  {
    file: 'lib/runner/github.ts',
    expression: 'describeError(err)',
    from: "run(): whatever an action threw — each message is collected where it is thrown; AWS errors are the runbook's AWS errors table",
  },
  {
    file: 'actions/deploy-ecs/src/inputs.ts',
    expression: 'err.message',
    from: "a TemplateError's text, collected at each `new TemplateError(…)` in template.ts",
  },
  {
    file: 'lib/ecs/service-deployment.ts',
    expression: 'decision.reason',
    from: 'the reasons evaluateServiceDeployment builds, collected where built',
  },
  { file: 'actions/parity-check/src/parity.ts', expression: 'note', from: 'the notes pushed in compare.ts (the `notes.push(…)` rule)' },
  {
    file: 'actions/parity-check/src/report.ts',
    expression: 'finding.message',
    from: "a parity finding's `message`, collected from the finding objects in compare.ts",
  },
  {
    file: 'actions/parity-check/src/var-files.ts',
    expression: 'err instanceof Error ? err.message : String(err)',
    from: "another error of the HCL parser: only its 'returned no tree' guard (NO_RUNBOOK_ENTRY)",
  },
  {
    file: 'actions/parity-check/src/var-files.ts',
    expression: 'err.problem',
    from: "an HclSyntaxError's summary and detail, collected at each `new HclSyntaxError(…)`",
  },
  {
    file: 'actions/rollback/src/resolve.ts',
    expression: 'warning',
    from: 'the warnings the Resolver pushes (the `warnings.push(…)` rule)',
  },
  {
    file: 'actions/run-task/src/run.ts',
    expression: 'warning',
    from: "a verdict's warnings, built in verdict.ts (`non-essential container … exited with code …`)",
  },
  {
    file: 'actions/run-task/src/verdict.ts',
    expression: "problems.join('; ')",
    from: 'the problems pushed just above (the `problems.push(…)` rule)',
  },
  {
    file: 'actions/smoke-test/src/check-reader.ts',
    expression: '(err as Error).message',
    from: 'an error thrown while reading a check field (JsonPathError, invalid regular expression), collected where thrown',
  },
  {
    file: 'actions/smoke-test/src/normalize.ts',
    expression: '(err as Error).message',
    from: 'a JsonPathError or regular-expression error, collected where thrown',
  },
  {
    file: 'actions/parity-check/src/var-files.ts',
    expression: '${err.problem}.',
    from: "a DocumentError's problem (lib/runner/documents.ts: duplicate key, depth, NUL), collected at each `new DocumentError(…)`",
  },
  {
    file: 'actions/smoke-test/src/load.ts',
    expression: '${err.problem}${at}',
    from: "a DocumentError's problem (lib/runner/documents.ts), collected at each `new DocumentError(…)`",
  },
  {
    file: 'actions/smoke-test/src/load.ts',
    expression: "[{ field: 'checks', message: ${err.problem}${at} }]",
    from: "the same DocumentError problem, as the check list's one problem",
  },
  {
    file: 'actions/deploy-ecs/src/shape.ts',
    expression: 'unknownField(where, key, schema, [...members.keys()])',
    from: "unknownField's three texts in shape.ts (a MISPLACED hint, `did you mean`, `is not a field RegisterTaskDefinition accepts here`): the runbook's task-definition rows",
  },
  {
    file: 'actions/terraform/src/main.ts',
    expression: 'redact(err.message, secrets)',
    from: 'the ActionFailure just caught (collected where thrown), with backend-config values replaced by ***',
  },
  {
    file: 'lib/runner/yaml-documents.ts',
    expression: 'message',
    from: "the yaml package's own syntax error (first line, position removed): the runbook's `checks: is not valid YAML or JSON: …` row",
  },
  {
    file: 'actions/smoke-test/src/linear-regex.ts',
    expression: 'match ? match[1] : text',
    from: "re2js's own syntax error (its `error parsing regexp: <problem>` without the prefix): the runbook's `invalid regular expression /…/: …` row",
  },
  {
    file: 'actions/smoke-test/src/normalize.ts',
    expression: "{ field: ${reader.field('expect.json')}${fieldSuffix(jsonPath)}, message: (err as Error).message }",
    from: 'a JsonPathError problem, collected at each `new JsonPathError(…)`',
  },
  {
    file: 'actions/smoke-test/src/http-checks.ts',
    expression: 'describeRequestError(err, request.timeoutMs)',
    from: "Node's own network error (`<code>: <message>`); the runbook lists the codes (ECONNREFUSED, ENOTFOUND, UND_ERR_…)",
  },
  {
    file: 'actions/smoke-test/src/net-checks.ts',
    expression: 'describeRequestError(err, check.timeoutMs)',
    from: "Node's own network or TLS error, as above",
  },
  {
    file: 'actions/smoke-test/src/net-checks.ts',
    expression: "problems.join('; ')",
    from: 'the problems pushed just above (the `problems.push(…)` rule)',
  },
  {
    file: 'actions/smoke-test/src/load.ts',
    expression: 'problems',
    from: 'the `{ field, message }` problems built in load.ts, normalize.ts, check-reader.ts and schema.ts',
  },
  {
    file: 'actions/smoke-test/src/run.ts',
    expression: 'lastReason',
    from: "the last attempt's reason: a check's `{ ok: false, reason }`, collected in http-checks.ts and net-checks.ts",
  },
  {
    file: 'actions/smoke-test/src/run.ts',
    expression: 'describeError(err)',
    from: 'an unexpected exception inside a check, printed as `<Name>: <message>`',
  },
  {
    file: 'actions/smoke-test/src/schema.ts',
    expression: 'problem',
    from: 'the `{ field, message }` objects mapped from ajv errors just below',
  },
  {
    file: 'actions/smoke-test/src/schema.ts',
    expression: "${error.message ?? 'is out of range'}${got}",
    from: "ajv's own wording for a range keyword (`must be >= 1`), documented as `must be …`",
  },
  {
    file: 'actions/smoke-test/src/schema.ts',
    expression: "params.limit === 1 ? 'must not be empty' : ${error.message}${got}",
    from: "ajv's own wording for a length keyword, documented as `must be …`",
  },
  {
    file: 'actions/smoke-test/src/schema.ts',
    expression: "${error.message ?? 'is invalid'}${got}",
    from: "ajv's own wording for any other keyword, documented as `must be …`",
  },
  {
    file: 'actions/deploy-ecs/src/main.ts',
    expression: 'failureOf(result).message',
    from: "a cancelled deploy's failure, built by failureOf in summary.ts (collected there)",
  },
];

let collected: FailureMessages | undefined;
function failureMessages(): FailureMessages {
  collected ??= collectFailureMessages(root, actionNames);
  return collected;
}

/** The runbook's failure-message part, normalised the way messages are. */
function runbookFailureSection(): string {
  const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');
  const start = runbook.indexOf('\n## Failure messages');
  return normaliseText(runbook.slice(start));
}

function allowed(message: FoundMessage): boolean {
  return NO_RUNBOOK_ENTRY.some((entry) => entry.file === message.file && message.shown.startsWith(entry.message));
}

describe('docs/infra', () => {
  it('has the documents the on-call engineer is pointed to', () => {
    for (const name of ['architecture.md', 'environments.md', 'runbook.md', 'rollback.md', 'disaster-recovery.md', 'actions.md']) {
      expect(docFiles, `docs/infra/${name} is missing`).toContain(name);
    }
  });

  it('runbook.md has a failure-message section for every action', () => {
    const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');
    const anchors = headingAnchors(runbook);
    expect(anchors.has('failure-messages'), 'runbook.md needs a "## Failure messages" section').toBe(true);
    const missing = actionNames.filter((name) => !new RegExp(`^### ${name}$`, 'm').test(runbook));
    expect(missing, `runbook.md has no "### <action>" section for: ${missing.join(', ')}`).toEqual([]);
  });

  it('every relative link points to an existing file, and every #anchor to a heading', () => {
    const broken: string[] = [];
    const links = docFiles.flatMap((file) => relativeLinks(docsDir, file));
    expect(links.length).toBeGreaterThan(10);
    for (const { file, target } of links) {
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? path.join(docsDir, file) : path.resolve(docsDir, decodeURIComponent(pathPart));
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor))
          broken.push(`${file}: ${target} (no heading with anchor #${anchor})`);
      }
    }
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = headingAnchors(
      '# Rolling back by hand, without GitHub\n## `deploy-ecs`: watching\n## Dup\n## Dup\n```\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual(['rolling-back-by-hand-without-github', 'deploy-ecs-watching', 'dup', 'dup-1']);
  });
});

describe('runbook.md lists every failure message gantry prints', () => {
  it('has an entry for each message of the actions and the workflows', () => {
    const section = runbookFailureSection();
    const missing = failureMessages()
      .messages.filter((m) => !allowed(m) && !m.key.test(section))
      .map((m) => `${m.file}:${m.line}  ${m.shown}\n    (searched for: ${m.keyText})`);
    expect(
      missing,
      `runbook.md (from "## Failure messages" on) has no entry for ${missing.length} message(s). Add a row under the action's section ` +
        `quoting the message (placeholders as <name> or …) with what it means and what to do — or, if nobody can ever see it, ` +
        `an entry with the reason in NO_RUNBOOK_ENTRY:\n${missing.join('\n')}`,
    ).toEqual([]);
  });

  it('collects messages from every kind of source', () => {
    const { messages } = failureMessages();
    expect(messages.length).toBeGreaterThan(150);
    const sources = new Set(messages.map((m) => m.source));
    const subclass = [...sources].some(
      (k) => k.startsWith('new ') && !['new Error', 'new RangeError', 'new TypeError', 'new ActionFailure', 'new InputError'].includes(k),
    );
    expect(subclass, 'an ActionFailure/InputError subclass').toBe(true);
    for (const kind of [
      'new ActionFailure',
      'new InputError',
      'super InputError',
      'call warning',
      'push warnings',
      'push notes',
      'push problems',
      'failed result reason',
      'failed result why',
      'message object',
      'workflow annotation',
    ]) {
      expect(sources, `no message found from ${kind}`).toContain(kind);
    }
    expect(
      [...sources].some((k) => k.startsWith('argument of ')),
      "a wrapper's callers (fail(message) and the like)",
    ).toBe(true);
  });

  it('knows where the text comes from for every message site without text of its own', () => {
    const { opaque } = failureMessages();
    const unknown = opaque.filter((o) => !RELAYS.some((r) => r.file === o.file && r.expression === o.expression));
    expect(
      unknown.map((o) => `${o.file}:${o.line}  ${o.expression}`),
      'these print a message built elsewhere: make sure its text is collected where it is built, then add a RELAYS entry saying where',
    ).toEqual([]);
  });

  it('has no stale allow-list or relay entries', () => {
    const { messages, opaque } = failureMessages();
    const staleAllowed = NO_RUNBOOK_ENTRY.filter(
      (entry) => !messages.some((m) => m.file === entry.file && m.shown.startsWith(entry.message)),
    );
    const staleRelays = RELAYS.filter((r) => !opaque.some((o) => o.file === r.file && o.expression === r.expression));
    expect(
      staleAllowed.map((e) => `${e.file}: ${e.message}`),
      'NO_RUNBOOK_ENTRY entries that match no message any more',
    ).toEqual([]);
    expect(
      staleRelays.map((r) => `${r.file}: ${r.expression}`),
      'RELAYS entries that match no message site any more',
    ).toEqual([]);
  });

  it('knows which constructor argument is the message for every error class', () => {
    expect(failureMessages().unknownErrorClasses, 'add these classes to MESSAGE_ARGUMENT (support/message-sites.ts)').toEqual([]);
  });
});

describe('the failure-message collector', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gantry-runbook-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows constants, conditionals, wrappers, helper functions and object shapes; reports opaque sites', () => {
    const file = path.join(dir, 'sample.ts');
    writeFileSync(
      file,
      [
        'class ActionFailure extends Error {}',
        'class InputError extends Error { constructor(input: string, value: string, expected: string) { super(`Input ${input} ${value}: expected ${expected}.`); } }',
        'class WidgetError extends ActionFailure { constructor(what: string) { super(what); } }',
        "const PREFIX = 'Widget';",
        "const TAG = { status: 'gantry:status' } as const;",
        "function fail(message: string): ActionFailure { return new ActionFailure(`Input 'x': ${message}`); }",
        'function range(what: string, min?: number): string { return min === undefined ? what : `${what} of at least ${min}`; }',
        'export function f(log: { warning(m: string): void }, on: boolean, err: Error) {',
        "  log.warning(`${PREFIX} ${on ? 'is on' : 'is off'} for ${TAG.status}; see ${err.message ?? 'nothing'}`);",
        '  log.warning(String(err));',
        "  if (!on) throw new WidgetError('w');",
        "  const problems: { field: string; message: string }[] = [{ field: 'a', message: 'is required' }];",
        "  if (on) throw new InputError('n', 'v', range('an integer', 3));",
        "  throw fail('the frobnicator is broken');",
        '}',
      ].join('\n'),
    );
    const collector = new MessageCollector(dir, [file]);
    expect(collector.found.map((m) => m.shown).sort()).toEqual(
      [
        "Input 'x': …",
        'Input … …: expected ….',
        'Widget is off for gantry:status; see …',
        'Widget is on for gantry:status; see …',
        'an integer',
        'an integer of at least …',
        'is required',
        'the frobnicator is broken',
      ].sort(),
    );
    expect(collector.opaque.map((o) => o.expression)).toEqual(['String(err)']);
    expect(collector.unknownErrorClasses).toEqual(['WidgetError (sample.ts)']);
  });

  it('keys a message by its first words, holes as wildcards', () => {
    const key = keyOf(normalise([{ hole: true }, ' is ', { hole: true }, '; ECS may refuse to start new tasks from it.']));
    expect(key.text).toBe('is …; ECS may refuse to start new');
    expect(key.pattern.test('warning <arn> is INACTIVE; ECS may refuse to start new tasks from it.')).toBe(true);
    expect(key.pattern.test('ECS may refuse to start new tasks')).toBe(false);
  });
});
