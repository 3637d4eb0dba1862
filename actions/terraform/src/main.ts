import { ActionFailure } from '../../../lib/runner/errors';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { redact } from '../../../lib/util/secrets';
import { apply, check, driftMessage, plan, type PlanOutcome, type TerraformSettings } from './commands';
import { backendRedactions, getInputs } from './inputs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { upsertComment } from './pr-comment';
import { scrubSecrets } from './scrub';
import { commentMarker, commentMarkdown, renderErrorSummary, renderSummary, type PlanReport } from './summary';
import { findTerraform, TerraformCli, TerraformCommandError } from './terraform-cli';
import { describeApplied } from './plan-json';

const HEADINGS = {
  plan: 'Terraform plan',
  apply: 'Terraform apply',
  check: 'Terraform drift check',
  comment: 'Terraform plan comment',
} as const;

export async function main(): Promise<void> {
  const { inputs, context } = getInputs();
  const log = coreLogger;
  // Before anything is logged: backend-config values are often credentials (access keys, tokens).
  const secrets = backendRedactions(inputs['backend-config']);
  for (const secret of secrets) log.secret(secret);
  const settings: TerraformSettings = {
    varFiles: inputs['var-files'],
    backendConfig: inputs['backend-config'],
    workspace: inputs.workspace,
    lockTimeoutSeconds: inputs['lock-timeout-seconds'],
  };
  const cli = new TerraformCli({ binary: findTerraform(process.env, log), cwd: inputs['working-directory'], env: process.env, log });
  const report = (outcome: Pick<PlanOutcome, 'summary' | 'changes' | 'planText' | 'planHash'>): PlanReport => ({
    heading: HEADINGS[inputs.command],
    directory: context.displayDirectory,
    workspace: inputs.workspace ?? 'default',
    summary: outcome.summary,
    changes: outcome.changes,
    planText: outcome.planText,
    planHash: outcome.planHash,
    gitSha: context.gitSha,
    runUrl: context.runUrl,
  });
  const countOutputs = (outcome: Pick<PlanOutcome, 'summary' | 'changes'>) => ({
    changes: outcome.changes,
    add: outcome.summary.counts.add,
    change: outcome.summary.counts.change,
    destroy: outcome.summary.counts.destroy,
    replace: outcome.summary.counts.replace,
  });

  // Terraform's errors quote backend settings (a state path, a bucket, a key): the runner masks
  // the log, not the summary, so a failure's summary block is redacted here.
  const failureSummary = (err: unknown) => {
    if (!(err instanceof ActionFailure)) return {};
    const lines = err instanceof TerraformCommandError ? [`$ ${err.command}`, ...err.relevantLines] : err.details;
    return {
      summary: renderErrorSummary(
        HEADINGS[inputs.command],
        context.displayDirectory,
        `${err.code}: ${redact(err.message, secrets)}`,
        lines.map((line) => redact(line, secrets)),
      ),
    };
  };
  try {
    if (inputs.command === 'comment') {
      // The file comes from a job that ran the pull request's Terraform: data, never trusted. The marker is
      // this job's own (a marker inside the file is just text), and known secret shapes are scrubbed.
      await reportOutcome(
        async () => {
          const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
          const raw = (await readFile(inputs['comment-file'] as string, 'utf8')).replace(/^<!--[^\n]*-->\r?\n/, '');
          const { text, found } = scrubSecrets(raw);
          const scrubbed = Object.entries(found)
            .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`)
            .join(', ');
          if (scrubbed)
            log.warning(
              `The plan comment held what looks like secrets (${scrubbed}); they were replaced before posting. Find out how the plan printed them.`,
              { title: 'Secrets scrubbed from the plan comment' },
            );
          const body = `${marker}\n${text}`.slice(0, 65_000);
          const { githubCommentApi } = await import('./github-comments');
          const api = githubCommentApi(
            inputs['github-token'] as string,
            context.apiUrl,
            context.pullRequest as NonNullable<typeof context.pullRequest>,
          );
          await upsertComment(api, marker, body, log);
        },
        { report: () => ({}), reportError: failureSummary },
      );
      return;
    }
    if (inputs.command === 'plan') {
      const outcome = await reportOutcome(() => plan(cli, settings, inputs['plan-file'] as string, log), {
        report: (outcome) => ({
          outputs: {
            exitcode: outcome.exitCode,
            ...countOutputs(outcome),
            'plan-file': outcome.planFile,
            'json-plan-file': outcome.jsonPlanFile,
            'plan-hash': outcome.planHash,
          },
          summary: renderSummary(report(outcome)),
        }),
        reportError: failureSummary,
      });
      // After the summary: a failure from here on leaves the plan's summary as it is.
      if (context.commentSkippedBecause) log.info(`No pull-request comment: ${context.commentSkippedBecause}.`);
      if (inputs['comment-file']) {
        const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
        await mkdir(path.dirname(inputs['comment-file']), { recursive: true });
        await writeFile(inputs['comment-file'], commentMarkdown(report(outcome), marker), 'utf8');
        log.info(`Wrote the pull-request comment to ${inputs['comment-file']} (posted by a job that runs no pull-request code).`);
      }
      if (inputs['comment-on-pull-request'] && context.pullRequest && inputs['github-token']) {
        const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
        // Loaded only when commenting: Octokit is most of the bundle, and most runs never need it.
        const { githubCommentApi } = await import('./github-comments');
        const api = githubCommentApi(inputs['github-token'], context.apiUrl, context.pullRequest);
        await upsertComment(api, marker, commentMarkdown(report(outcome), marker), log);
      }
    } else if (inputs.command === 'check') {
      await reportOutcome(() => check(cli, settings, log, process.env.RUNNER_TEMP || undefined), {
        report: (outcome) => {
          const drift = driftMessage(outcome);
          const verdict = drift
            ? `**${drift.replace(/^drift/, 'Drift')}.**`
            : '**No drift.** The infrastructure matches the configuration.';
          return {
            outputs: { exitcode: outcome.exitCode, ...countOutputs(outcome) },
            summary: renderSummary({ ...report(outcome), verdict }),
            failure: drift ? new ActionFailure('GANTRY-TERRAFORM-021', `${drift}; the job summary lists them`) : undefined,
          };
        },
        reportError: failureSummary,
      });
    } else {
      const planFile = inputs['plan-file'] as string;
      await reportOutcome(() => apply(cli, settings, planFile, inputs['expected-plan-hash'], log), {
        report: (outcome) => {
          const changes = outcome.summary.resources.length > 0 || outcome.summary.outputs.length > 0;
          const visible = Object.fromEntries(outcome.outputs.filter((o) => !o.sensitive).map((o) => [o.name, o.value]));
          const verdict = `**Applied:** ${describeApplied(outcome.summary.counts)}.`;
          return {
            outputs: {
              exitcode: 0,
              ...countOutputs({ ...outcome, changes }),
              'plan-file': planFile,
              'plan-hash': outcome.planHash,
              outputs: JSON.stringify(visible),
            },
            summary: renderSummary({ ...report({ ...outcome, changes }), verdict, outputs: outcome.outputs }),
          };
        },
        reportError: failureSummary,
      });
    }
  } catch (err) {
    // The log is masked by the runner too; this keeps the annotation and detail lines clean anywhere.
    if (err instanceof ActionFailure)
      throw new ActionFailure(
        err.code,
        redact(err.message, secrets),
        err.details.map((line) => redact(line, secrets)),
      );
    if (err instanceof Error) err.message = redact(err.message, secrets);
    throw err;
  }
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
