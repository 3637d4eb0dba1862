/**
 * The only shared module that talks to the runner: outputs, the job summary, log groups,
 * annotations, masking, and `run()` — the one try/catch of every action. It speaks the
 * runner protocol through lib/runner/protocol.ts (what `@actions/core` writes; see there why).
 */
import { EOL } from 'node:os';
import { ActionFailure, InputError, describeFailure } from './errors';
import type { Annotation, Logger } from './logger';
import { appendSummary, issueCommand, setOutput } from './protocol';

function annotationProperties(a: Annotation | undefined): Record<string, string | number | undefined> {
  return a ? { title: a.title, file: a.file, line: a.line } : {};
}

const core = {
  info: (message: string) => process.stdout.write(message + EOL),
  debug: (message: string) => issueCommand('debug', {}, message),
  setFailed: (message: string) => {
    process.exitCode = 1;
    issueCommand('error', {}, message);
  },
};

export const coreLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m, a) => issueCommand('warning', annotationProperties(a), m),
  error: (m, a) => issueCommand('error', annotationProperties(a), m),
  debug: (m) => core.debug(m),
  group: async (name, fn) => {
    issueCommand('group', {}, name);
    try {
      return await fn();
    } finally {
      issueCommand('endgroup', {}, '');
    }
  },
  secret: (v) => {
    if (v) issueCommand('add-mask', {}, v);
  },
};

export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) setOutput(name, String(value));
  }
}

/** Append markdown to the job summary; a no-op outside the runner (no GITHUB_STEP_SUMMARY). */
export async function writeSummary(markdown: string): Promise<void> {
  if (!appendSummary(markdown)) core.debug('GITHUB_STEP_SUMMARY is not set; summary not written');
}

/**
 * Run an action's main function: any thrown error fails the step with a readable message that
 * starts with its failure code (lib/runner/errors.ts).
 * Input errors and explained failures print without a stack; unexpected errors keep theirs
 * in the debug log.
 */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ActionFailure) for (const line of err.details) core.info(line);
    if (!(err instanceof InputError || err instanceof ActionFailure) && err instanceof Error && err.stack) {
      core.debug(err.stack);
    }
    core.setFailed(describeFailure(err));
  }
}
