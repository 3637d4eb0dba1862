/** The files the workflow tests look at: every workflow, every template, every action.yml. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { isMapping, parseWorkflowText, type Workflow } from './workflow-model';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WORKFLOW_DIR = '.github/workflows';
export const TEMPLATE_DIR = 'workflow-templates';
/** The reusable workflows issue #8 ships; templates call exactly these. */
export const REUSABLE_WORKFLOWS = ['pr-checks.yml', 'deploy.yml', 'rollback.yml', 'drift.yml'];
export const TEMPLATES = ['pull-request.yml', 'deploy-staging.yml', 'deploy-production.yml', 'rollback.yml', 'drift.yml'];

function yamlFilesIn(dir: string): string[] {
  const absolute = path.join(REPO_ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`);
}

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** `.github/workflows/*.yml` — gantry's reusable workflows and its own CI alike. */
export function workflowPaths(): string[] {
  return yamlFilesIn(WORKFLOW_DIR);
}

export function templatePaths(): string[] {
  return yamlFilesIn(TEMPLATE_DIR);
}

export function loadWorkflow(relative: string): Workflow {
  return parseWorkflowText(relative, readRepoFile(relative));
}

export function loadAll(): Workflow[] {
  return [...workflowPaths(), ...templatePaths()].map(loadWorkflow);
}

/** Reusable workflows by file name, for resolving `…/gantry/.github/workflows/<file>@ref` and `./.github/workflows/<file>`. */
export function reusableWorkflowsByFile(): Map<string, Workflow> {
  return new Map(workflowPaths().map((relative) => [path.basename(relative), loadWorkflow(relative)] as const));
}

/**
 * The local file a job's `uses:` calls, when it is one of gantry's workflows: `./.github/workflows/<f>`
 * or `<owner>/gantry/.github/workflows/<f>@<ref>`. Undefined for anything else.
 */
export function gantryWorkflowFile(uses: string): string | undefined {
  const local = /^\.\/\.github\/workflows\/([^/@]+\.ya?ml)$/.exec(uses);
  if (local) return local[1];
  const remote = /^[A-Za-z0-9_.-]+\/gantry\/\.github\/workflows\/([^/@]+\.ya?ml)@\S+$/.exec(uses);
  return remote?.[1];
}

export interface ActionInput {
  required: boolean;
  hasDefault: boolean;
}

export interface ActionMetadata {
  name: string;
  path: string;
  inputs: Record<string, ActionInput>;
  outputs: string[];
}

export function actionMetadataPaths(): string[] {
  const dir = path.join(REPO_ROOT, 'actions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'action.yml')))
    .map((entry) => `actions/${entry.name}/action.yml`)
    .sort();
}

export function parseActionMetadata(name: string, relative: string, text: string): ActionMetadata {
  const raw: unknown = parse(text);
  const doc = isMapping(raw) ? raw : {};
  const inputs: Record<string, ActionInput> = {};
  for (const [input, spec] of Object.entries(isMapping(doc.inputs) ? doc.inputs : {})) {
    const definition = isMapping(spec) ? spec : {};
    inputs[input] = { required: definition.required === true, hasDefault: 'default' in definition };
  }
  return { name, path: relative, inputs, outputs: Object.keys(isMapping(doc.outputs) ? doc.outputs : {}) };
}

/** gantry's actions by name (deploy-ecs, rollback, …). */
export function gantryActions(): Map<string, ActionMetadata> {
  return new Map(
    actionMetadataPaths().map((relative) => {
      const name = relative.split('/')[1] ?? relative;
      return [name, parseActionMetadata(name, relative, readRepoFile(relative))] as const;
    }),
  );
}

/**
 * Outputs a gantry script under `.github/scripts/` writes (its `setOutput('<name>', …)` calls);
 * undefined when the file does not exist.
 */
export function gantryScriptOutputs(script: string): string[] | undefined {
  if (!/^\.github\/scripts\/[\w.-]+$/.test(script) || !existsSync(path.join(REPO_ROOT, script))) return undefined;
  return [...new Set([...readRepoFile(script).matchAll(/\bsetOutput\(\s*['"]([A-Za-z0-9_-]+)['"]/g)].map((m) => m[1] ?? ''))];
}
