/**
 * Running the Terraform CLI itself, through `@actions/exec` — never through
 * hashicorp/setup-terraform's wrapper, whose extra stdout lines break `terraform output`
 * and JSON (setup-terraform #20, #80, #85, #307).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { getExecOutput } from '@actions/exec';
import { ActionFailure } from '../../../lib/runner/errors';
import type { Env } from '../../../lib/runner/inputs';
import type { Logger } from '../../../lib/runner/logger';

export const SETUP_STEP = ['- uses: hashicorp/setup-terraform@v3', '  with:', '    terraform_wrapper: false'].join('\n');

export interface TerraformResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Print stdout line by line as it arrives (init, plan, apply); off for JSON. */
  stream?: boolean;
  /** Exit codes that are not failures (plan -detailed-exitcode: 0 and 2). */
  okExitCodes?: readonly number[];
  /** Print stderr of a successful run (default true); off where the caller interprets it. */
  logStderr?: boolean;
}

/** A Terraform command failed: the command (secrets redacted) and the lines that explain why. */
export class TerraformCommandError extends ActionFailure {
  readonly command: string;
  readonly exitCode: number;
  readonly stderr: string;
  readonly stdout: string;
  readonly relevantLines: readonly string[];

  constructor(command: string, result: TerraformResult, cwd: string) {
    const lines = relevantErrorLines(result.stderr, result.stdout);
    const headline = lines.find((l) => l.startsWith('Error: ')) ?? lines[0] ?? 'no error message';
    super('GANTRY-TERRAFORM-022', `${command} failed with exit code ${result.exitCode}: ${headline}`, [
      `command: ${command}`,
      `in: ${cwd}`,
      ...lines,
    ]);
    this.name = 'TerraformCommandError';
    this.command = command;
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
    this.stdout = result.stdout;
    this.relevantLines = lines;
  }
}

/**
 * The `Error:` diagnostics Terraform printed (each with its explanation), else the last lines
 * of stderr (or stdout when stderr is empty) — never nothing, so a failure is never swallowed.
 */
export function relevantErrorLines(stderr: string, stdout = '', maxLines = 60): string[] {
  const clean = (text: string) => text.split(/\r?\n/).map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  const lines = clean(stderr);
  const picked: string[] = [];
  let inError = false;
  for (const line of lines) {
    if (/^Error: /.test(line)) inError = true;
    else if (/^Warning: /.test(line)) inError = false;
    if (inError) picked.push(line);
  }
  const chosen =
    picked.length > 0
      ? picked
      : tail(
          lines.filter((l) => l.trim() !== ''),
          30,
        );
  const fallback =
    chosen.length > 0
      ? chosen
      : tail(
          clean(stdout).filter((l) => l.trim() !== ''),
          30,
        );
  const trimmed = collapseBlankLines(fallback);
  return trimmed.length > maxLines ? [...trimmed.slice(0, maxLines), `… ${trimmed.length - maxLines} more lines`] : trimmed;
}

function tail(lines: string[], count: number): string[] {
  return lines.slice(Math.max(0, lines.length - count));
}

function collapseBlankLines(lines: string[]): string[] {
  const result: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' && (result.length === 0 || result[result.length - 1].trim() === '')) continue;
    result.push(line);
  }
  while (result.length > 0 && result[result.length - 1].trim() === '') result.pop();
  return result;
}

/**
 * `terraform` from PATH. When hashicorp/setup-terraform's wrapper is what PATH finds, its
 * sibling `terraform-bin` (the real binary) is used instead.
 */
/** The runner's credentials an action step's environment may carry. */
const RUNNER_TOKENS = new Set([
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'GITHUB_TOKEN',
  'GH_TOKEN',
]);

export function findTerraform(env: Env, log?: Logger): string {
  const names = process.platform === 'win32' ? ['terraform.exe', 'terraform'] : ['terraform'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (!isExecutableFile(candidate)) continue;
      const real = path.join(dir, process.platform === 'win32' ? 'terraform-bin.exe' : 'terraform-bin');
      if (existsSync(real) && isExecutableFile(real)) {
        log?.info(
          `${candidate} is hashicorp/setup-terraform's wrapper; running ${real} directly (set terraform_wrapper: false to skip the wrapper).`,
        );
        return real;
      }
      return candidate;
    }
  }
  throw new ActionFailure('GANTRY-TERRAFORM-023', `terraform was not found on PATH. Install it in an earlier step:\n${SETUP_STEP}`, [
    `PATH searched: ${env.PATH ?? '(unset)'}`,
  ]);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface TerraformCliOptions {
  binary: string;
  /** The configuration's directory; every command runs there. */
  cwd: string;
  env: Env;
  log: Logger;
}

export class TerraformCli {
  readonly binary: string;
  readonly cwd: string;
  private readonly env: Record<string, string>;
  private readonly log: Logger;

  constructor(options: TerraformCliOptions) {
    this.binary = options.binary;
    this.cwd = options.cwd;
    this.log = options.log;
    this.env = {};
    for (const [key, value] of Object.entries(options.env)) {
      // The action's own inputs (the github-token among them) and the runner's tokens (artifact and cache
      // runtime, OIDC request) are none of Terraform's business. (A process of the same user can still
      // read this action's own /proc/<pid>/environ: where Terraform runs a pull request's code, the
      // workflow starts the action from an emptied environment, see pr-checks.yml.)
      if (value !== undefined && !key.startsWith('INPUT_') && !RUNNER_TOKENS.has(key)) this.env[key] = value;
    }
    // Automation mode: no "run terraform apply next" hints, never a prompt waiting for stdin.
    this.env.TF_IN_AUTOMATION = '1';
    this.env.TF_INPUT = '0';
    // No update and security-bulletin check against checkpoint-api.hashicorp.com on every command.
    this.env.CHECKPOINT_DISABLE = '1';
  }

  /** Runs `terraform <args>`; a non-zero exit code outside `okExitCodes` throws TerraformCommandError. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<TerraformResult> {
    const shown = displayCommand(args);
    this.log.info(`$ ${shown}`);
    const result = await getExecOutput(this.binary, [...args], {
      cwd: this.cwd,
      env: this.env,
      silent: true,
      ignoreReturnCode: true,
      listeners: options.stream ? { stdline: (line) => this.log.info(line) } : undefined,
    });
    const ok = options.okExitCodes ?? [0];
    if (!ok.includes(result.exitCode)) throw new TerraformCommandError(shown, result, this.cwd);
    // Warnings (deprecations, CLI configuration problems) go to stderr; show them, never drop them.
    if (options.logStderr !== false && result.stderr.trim() !== '')
      for (const line of result.stderr.trimEnd().split(/\r?\n/)) this.log.info(line);
    return result;
  }
}

/**
 * The command as printed in the log and in errors. Backend configuration values can be
 * credentials (`access_key=…`), so only their keys are shown.
 */
export function displayCommand(args: readonly string[]): string {
  const shown = args.map((arg) => {
    const backend = /^-backend-config=([A-Za-z_][\w.-]*)=/.exec(arg);
    const text = backend ? `-backend-config=${backend[1]}=***` : arg;
    return /[\s"'$`\\]/.test(text) ? `'${text.replace(/'/g, `'\\''`)}'` : text;
  });
  return ['terraform', ...shown].join(' ');
}
