/** Wiring only: inputs → (Secrets Manager client) → parity rules → outputs, summary, annotations. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../../../lib/aws/config';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { getInputs, usesSecretsManager } from './inputs';
import { checkParity } from './parity';
import { annotate, annotationBudget, describeDivergence, failureOf, renderSummary, reportOutput } from './summary';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const secrets = usesSecretsManager(inputs)
    ? new SecretsManagerClient(awsClientConfig({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'] }))
    : undefined;
  const names = { base: inputs['base-name'], target: inputs['target-name'] };
  await reportOutcome(() => checkParity(inputs, { secrets, log: coreLogger }), {
    report: (result) => {
      const diverged = result.findings.length > 0;
      const report = reportOutput(result.findings);
      const reportCut = report.included < result.findings.length;
      if (reportCut) {
        coreLogger.warning(
          `The report output holds the first ${report.included} of ${result.findings.length} findings (a step output is limited to 1 MB).`,
        );
      }
      // The step's other annotations of the same level: the failure (errors), or the notes, the
      // report warning above and the closing "not failing" warning (warnings).
      const asErrors = inputs['fail-on-divergence'];
      const budget = annotationBudget(asErrors ? 1 : result.notes.length + (reportCut ? 1 : 0) + 1);
      annotate(result.findings, coreLogger, asErrors, budget);
      if (diverged && !asErrors)
        coreLogger.warning(`${describeDivergence(result.findings, names)} (not failing: fail-on-divergence is false).`);
      return {
        outputs: { diverged, report: report.json, findings: result.findings.length },
        summary: renderSummary(result, names, Math.min(budget, result.findings.length)),
        failure: diverged && asErrors ? failureOf(result.findings, names) : undefined,
      };
    },
  });
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
