/**
 * The only shared module that touches `@actions/core`: outputs, the job summary,
 * log groups, annotations, masking, and `run()` — the one try/catch of every action.
 */
import * as core from '@actions/core';
import { ActionFailure, InputError, describeError } from './errors';
import type { Logger } from './logger';

export const coreLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m, a) => core.warning(m, a ? { file: a.file, startLine: a.line, title: a.title } : undefined),
  error: (m, a) => core.error(m, a ? { file: a.file, startLine: a.line, title: a.title } : undefined),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
  secret: (v) => {
    if (v) core.setSecret(v);
  },
};

export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) core.setOutput(name, String(value));
  }
}

/** Append markdown to the job summary; a no-op outside the runner (no GITHUB_STEP_SUMMARY). */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; summary not written');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

/**
 * Run an action's main function: any thrown error fails the step with a readable message.
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
    core.setFailed(describeError(err));
  }
}
