/** Wiring: inputs (all validated, secrets masked first) → run the checks → outputs, summary, verdict. */
import { systemClock } from '../../../lib/util/clock';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { createExecutor } from './executor';
import { getInputs } from './inputs';
import { failureOf, smokeOutputs, renderSummary } from './summary';
import { runChecks } from './run';

export async function main(): Promise<void> {
  const inputs = getInputs();
  for (const secret of inputs.secrets) coreLogger.secret(secret);

  const executor = createExecutor(systemClock);
  const started = systemClock.now();
  const outcomes = await reportOutcome(
    () =>
      coreLogger
        .group(`Running ${inputs.checks.length} smoke check(s), ${inputs.concurrency} at a time, until ${inputs['timeout-seconds']}s`, () =>
          runChecks(inputs.checks, {
            timeoutMs: inputs['timeout-seconds'] * 1000,
            intervalMs: inputs['interval-seconds'] * 1000,
            concurrency: inputs.concurrency,
            clock: systemClock,
            log: coreLogger,
            attempt: (check) => executor.attempt(check),
          }),
        )
        .finally(() => executor.close()),
    {
      report: (outcomes) => ({
        outputs: { ...smokeOutputs(outcomes) },
        summary: renderSummary(outcomes, {
          baseUrl: inputs['base-url'],
          expectVersion: inputs['expect-version'],
          timeoutSeconds: inputs['timeout-seconds'],
          elapsedMs: systemClock.now() - started,
        }),
        failure: failureOf(outcomes),
      }),
    },
  );
  coreLogger.info(`All ${outcomes.length} smoke check(s) passed.`);
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
