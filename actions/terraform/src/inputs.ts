/**
 * Every input of actions/terraform, parsed and validated before Terraform runs.
 * Relative paths resolve against the workspace (GITHUB_WORKSPACE); var files and backend
 * configuration files may also be given relative to `working-directory`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ActionFailure, InputError } from '../../../lib/runner/errors';
import { InputReader, resolveWorkspaceFile, resolveWorkspaceOutputPath, workspaceDir, type Env } from '../../../lib/runner/inputs';
import { runnerContext } from '../../../lib/ecs/metadata';
import { MIN_MASKED_LENGTH } from '../../../lib/util/secrets';

export const COMMANDS = ['plan', 'apply', 'check', 'comment'] as const;
export type TerraformCommand = (typeof COMMANDS)[number];

export type BackendConfig = { kind: 'value'; key: string; value: string } | { kind: 'file'; path: string };

export interface PullRequest {
  owner: string;
  repo: string;
  number: number;
}

export interface Inputs {
  command: TerraformCommand;
  /** Absolute. */
  'working-directory': string;
  /** Absolute paths, in the order given (later files win, as in Terraform). */
  'var-files': string[];
  'backend-config': BackendConfig[];
  workspace: string | undefined;
  'lock-timeout-seconds': number;
  /** Absolute; for `plan` a default next to the configuration, undefined for `check`. */
  'plan-file': string | undefined;
  /** Lower-case hex SHA-256. */
  'expected-plan-hash': string | undefined;
  /** True only when a comment will really be posted (plan on a pull_request event). */
  'comment-on-pull-request': boolean;
  'github-token': string | undefined;
  /**
   * plan: also write the pull-request comment to this file (absolute), for a separate job to post;
   * comment: the file to post.
   */
  'comment-file': string | undefined;
}

/** What the runner tells us besides the inputs. */
export interface RunContext {
  workspaceDir: string;
  /** `working-directory` relative to the workspace, `/`-separated (`.` for the root). */
  displayDirectory: string;
  pullRequest: PullRequest | undefined;
  /** Comments were asked for but this run cannot post one (why, for the log). */
  commentSkippedBecause: string | undefined;
  apiUrl: string;
  runUrl: string | undefined;
  gitSha: string | undefined;
}

const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$/;
const BACKEND_KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/;
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
export const DEFAULT_PLAN_FILE = 'tfplan';

export function getInputs(env: Env = process.env): { inputs: Inputs; context: RunContext } {
  const reader = new InputReader(env);
  const workspace = workspaceDir(env);
  const command = reader.choice('command', COMMANDS);
  if (command === 'comment') return getCommentInputs(reader, env, workspace);
  const workingDirectory = resolveWorkspaceFile(
    'working-directory',
    reader.required('working-directory', 'the directory of the Terraform configuration'),
    workspace,
    'directory',
  );

  const varFiles = reader.list('var-files').map((line) => resolveConfigFile('var-files', line, workspace, workingDirectory));
  const backendConfig = reader.list('backend-config').map((line, index): BackendConfig => {
    const pair = BACKEND_KEY_VALUE.exec(line);
    if (pair) return { kind: 'value', key: pair[1], value: pair[2].trim() };
    return { kind: 'file', path: resolveBackendFile(line, index, workspace, workingDirectory) };
  });

  const workspaceName = reader.optional('workspace');
  if (workspaceName !== undefined && !WORKSPACE_NAME.test(workspaceName)) {
    throw new InputError(
      'GANTRY-TERRAFORM-005',
      'workspace',
      workspaceName,
      'a Terraform workspace name: letters, digits, `-`, `_` and `.`, at most 90 characters',
    );
  }
  const lockTimeout = reader.seconds('lock-timeout-seconds', { default: 300, min: 0, max: 86_400 });

  const planFile = readPlanFile(reader, command, workspace, workingDirectory);
  const expectedHash = readExpectedHash(reader, command);

  const pullRequestEvent = PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '');
  const wantsComment = reader.boolean('comment-on-pull-request', pullRequestEvent);
  let commentSkippedBecause: string | undefined;
  if (wantsComment && command !== 'plan') commentSkippedBecause = `command '${command}' does not comment (only plan does)`;
  else if (wantsComment && !pullRequestEvent)
    commentSkippedBecause = `the event is '${env.GITHUB_EVENT_NAME ?? 'unknown'}', not pull_request`;
  const comment = wantsComment && commentSkippedBecause === undefined;
  const token = reader.optional('github-token');
  if (comment && token === undefined) {
    throw new InputError(
      'GANTRY-TERRAFORM-006',
      'github-token',
      undefined,
      "a token allowed to write pull-request comments (or set comment-on-pull-request: 'false')",
    );
  }
  const commentFileValue = reader.optional('comment-file');
  if (commentFileValue !== undefined && command !== 'plan')
    throw new InputError('GANTRY-TERRAFORM-007', 'comment-file', commentFileValue, "no value unless command is 'plan' or 'comment'");
  const runner = runnerContext(env);
  const context: RunContext = {
    workspaceDir: workspace,
    displayDirectory: path.relative(workspace, workingDirectory).split(path.sep).join('/') || '.',
    pullRequest: comment ? readPullRequest(env) : undefined,
    commentSkippedBecause,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runUrl: runner.runUrl,
    gitSha: runner.gitSha,
  };

  return {
    inputs: {
      command,
      'working-directory': workingDirectory,
      'var-files': varFiles,
      'backend-config': backendConfig,
      workspace: workspaceName,
      'lock-timeout-seconds': lockTimeout,
      'plan-file': planFile,
      'expected-plan-hash': expectedHash,
      'comment-on-pull-request': comment,
      'github-token': token,
      'comment-file': commentFileValue === undefined ? undefined : path.resolve(workspace, commentFileValue),
    },
    context,
  };
}

/**
 * `comment`: post a comment file another job wrote (the plan job, which holds no token). The job
 * running this checks out no application code, so working-directory is only the label of the marker.
 */
function getCommentInputs(reader: InputReader, env: Env, workspace: string): { inputs: Inputs; context: RunContext } {
  const directory = reader.required('working-directory', 'the directory of the Terraform configuration (the label of the comment)');
  const displayDirectory =
    path.posix
      .normalize(directory.split(path.sep).join('/'))
      .replace(/^\.\/(?=.)/, '')
      .replace(/\/+$/, '') || '.';
  if (displayDirectory.startsWith('../') || path.posix.isAbsolute(displayDirectory)) {
    throw new InputError('GANTRY-TERRAFORM-008', 'working-directory', directory, 'a directory relative to the workspace');
  }
  const workspaceName = reader.optional('workspace');
  if (workspaceName !== undefined && !WORKSPACE_NAME.test(workspaceName)) {
    throw new InputError(
      'GANTRY-TERRAFORM-005',
      'workspace',
      workspaceName,
      'a Terraform workspace name: letters, digits, `-`, `_` and `.`, at most 90 characters',
    );
  }
  const commentFile = resolveWorkspaceFile(
    'comment-file',
    reader.required('comment-file', 'the comment file the plan job wrote (its artifact)'),
    workspace,
  );
  const token = reader.optional('github-token');
  if (token === undefined)
    throw new InputError('GANTRY-TERRAFORM-009', 'github-token', undefined, 'a token allowed to write pull-request comments');
  if (!PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '')) {
    throw new InputError(
      'GANTRY-TERRAFORM-010',
      'command',
      'comment',
      `a pull_request event (this one is '${env.GITHUB_EVENT_NAME ?? 'unknown'}')`,
    );
  }
  const runner = runnerContext(env);
  return {
    inputs: {
      command: 'comment',
      'working-directory': path.resolve(workspace, displayDirectory),
      'var-files': [],
      'backend-config': [],
      workspace: workspaceName,
      'lock-timeout-seconds': 300,
      'plan-file': undefined,
      'expected-plan-hash': undefined,
      'comment-on-pull-request': true,
      'github-token': token,
      'comment-file': commentFile,
    },
    context: {
      workspaceDir: workspace,
      displayDirectory,
      pullRequest: readPullRequest(env),
      commentSkippedBecause: undefined,
      apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
      runUrl: runner.runUrl,
      gitSha: runner.gitSha,
    },
  };
}

/** Relative to the workspace first (like every gantry path), then to the working directory. */
function resolveConfigFile(name: string, value: string, workspace: string, workingDirectory: string): string {
  for (const base of [workspace, workingDirectory]) {
    const candidate = path.resolve(base, value);
    if (existsSync(candidate)) return resolveWorkspaceFile(name, candidate, workspace);
  }
  throw new InputError('GANTRY-TERRAFORM-011', name, value, `an existing file (looked in ${workspace} and ${workingDirectory})`);
}

/**
 * A backend-config line that is not KEY=VALUE must be a file. It is never echoed: a mistyped
 * line is likely a credential (`access_key: AKIA…`), so the error gives its position and length.
 */
function resolveBackendFile(line: string, index: number, workspace: string, workingDirectory: string): string {
  const where = `line ${index + 1} (${line.length} characters, not shown: backend settings are often credentials)`;
  try {
    return resolveConfigFile('backend-config', line, workspace, workingDirectory);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const file = /^an existing file/.test(err.expected)
      ? `an existing backend configuration file (looked in ${workspace} and ${workingDirectory})`
      : `a backend configuration file inside the workspace ${workspace}`;
    throw new InputError('GANTRY-TERRAFORM-012', 'backend-config', where, `KEY=VALUE, or the path of ${file}`);
  }
}

/**
 * The backend-config values to mask before anything is logged: they are often credentials.
 * Booleans, numbers and values shorter than MIN_MASKED_LENGTH are left alone: masking `true` or `1`
 * would blank out half the log, and the runner drops any output holding a masked value.
 */
export function backendSecrets(config: readonly BackendConfig[]): string[] {
  const values = config.flatMap((entry) => (entry.kind === 'value' ? [entry.value] : []));
  return [...new Set(values)].filter((v) => v.length >= MIN_MASKED_LENGTH && !/^(true|false)$/i.test(v) && !/^[+-]?\d+(\.\d+)?$/.test(v));
}

/**
 * What to mask and redact of the backend-config values: each value and each of its `/`-separated
 * parts of 8 characters or more, because Terraform's errors quote a part (`mkdir /state/<part>: …`).
 */
export function backendRedactions(config: readonly BackendConfig[]): string[] {
  const values = backendSecrets(config);
  const parts = values.flatMap((value) => value.split('/').filter((part) => part.length >= 8 && part !== value));
  return [...new Set([...values, ...parts])];
}

function readPlanFile(reader: InputReader, command: TerraformCommand, workspace: string, workingDirectory: string): string | undefined {
  const value = reader.optional('plan-file');
  if (command === 'check') {
    if (value !== undefined)
      throw new InputError('GANTRY-TERRAFORM-013', 'plan-file', value, "no value with command 'check' (a drift check keeps no plan)");
    return undefined;
  }
  if (command === 'apply') {
    if (value === undefined)
      throw new InputError(
        'GANTRY-TERRAFORM-014',
        'plan-file',
        undefined,
        "the saved plan to apply (the plan-file output of command 'plan')",
      );
    return resolveWorkspaceFile('plan-file', value, workspace);
  }
  // Written, with its JSON (which holds every planned value, secrets included), so confined like a file read.
  const absolute =
    value === undefined ? path.join(workingDirectory, DEFAULT_PLAN_FILE) : resolveWorkspaceOutputPath('plan-file', value, workspace);
  if (existsSync(absolute) && !statSync(absolute).isFile()) {
    throw new InputError('GANTRY-TERRAFORM-015', 'plan-file', value, `a file path to write the plan to, but ${absolute} is a directory`);
  }
  return absolute;
}

function readExpectedHash(reader: InputReader, command: TerraformCommand): string | undefined {
  const value = reader.optional('expected-plan-hash');
  if (value === undefined) {
    // Applying a plan nobody's hash vouches for would apply whatever file is there.
    if (command === 'apply')
      throw new InputError(
        'GANTRY-TERRAFORM-016',
        'expected-plan-hash',
        undefined,
        "the SHA-256 of the reviewed plan (the plan-hash output of 'plan'): apply applies only a plan it can verify",
      );
    return undefined;
  }
  if (command !== 'apply') throw new InputError('GANTRY-TERRAFORM-017', 'expected-plan-hash', value, "no value unless command is 'apply'");
  const hex = value.replace(/^sha256:/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new InputError(
      'GANTRY-TERRAFORM-018',
      'expected-plan-hash',
      value,
      'a SHA-256 of 64 hexadecimal characters (the plan-hash output of plan)',
    );
  return hex;
}

function readPullRequest(env: Env): PullRequest {
  const eventPath = env.GITHUB_EVENT_PATH;
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventPath ?? '', 'utf8'));
  } catch (err) {
    throw new ActionFailure(
      'GANTRY-TERRAFORM-019',
      `Cannot read the pull_request event payload from GITHUB_EVENT_PATH (${eventPath ?? 'unset'}): ${(err as Error).message}`,
    );
  }
  const record = (event ?? {}) as { number?: unknown; pull_request?: { number?: unknown }; repository?: { full_name?: unknown } };
  const number = record.pull_request?.number ?? record.number;
  const fullName = env.GITHUB_REPOSITORY || (typeof record.repository?.full_name === 'string' ? record.repository.full_name : '');
  const [owner, repo] = fullName.split('/');
  if (typeof number !== 'number' || !Number.isInteger(number) || !owner || !repo) {
    throw new ActionFailure(
      'GANTRY-TERRAFORM-020',
      `The ${env.GITHUB_EVENT_NAME} event payload has no pull request number or repository; cannot comment.`,
    );
  }
  return { owner, repo, number };
}
