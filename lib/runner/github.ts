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

export function setOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) setOutput(name, String(value));
  }
}

/** Append markdown to the job summary; a no-op outside the runner (no GITHUB_STEP_SUMMARY). */
export async function writeSummary(markdown: string): Promise<void> {
  if (!appendSummary(markdown)) core.debug('GITHUB_STEP_SUMMARY is not set; summary not written');
}

export type Outputs = Record<string, string | number | boolean | undefined>;

/** What an action reports at its end: step outputs, the job summary, and the failure that fails the step. */
export interface ActionReport {
  outputs?: Outputs;
  summary?: string;
  /** Thrown once the outputs and the summary are written. */
  failure?: Error;
}

/** Outputs, then the job summary (each only when given). */
export async function writeReport(report: ActionReport): Promise<void> {
  if (report.outputs) setOutputs(report.outputs);
  if (report.summary !== undefined) await writeSummary(report.summary);
}

/**
 * The common tail of every action's main(): runs `work`, then writes `report(result)` — outputs,
 * then the job summary — and throws its failure, if any. When `work` throws, `reportError(err)`
 * says what is still owed (an error summary; outputs once something changed) and is written
 * before the error (or the failure it gives instead) fails the step. Errors of `report` itself
 * are not reported again.
 */
export async function reportOutcome<T>(
  work: () => Promise<T>,
  tail: {
    report: (result: T) => ActionReport | Promise<ActionReport>;
    reportError?: (err: unknown) => ActionReport | Promise<ActionReport>;
  },
): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    const owed = (await tail.reportError?.(err)) ?? {};
    await writeReport(owed);
    throw owed.failure ?? err;
  }
  const report = await tail.report(result);
  await writeReport(report);
  if (report.failure) throw report.failure;
  return result;
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
