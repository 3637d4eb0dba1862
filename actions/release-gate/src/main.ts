import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws/config';
import { boundByDeadline } from '../../../lib/aws/deadline';
import { describeError } from '../../../lib/runner/errors';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { workspaceDir } from '../../../lib/runner/inputs';
import { issueCommand } from '../../../lib/runner/protocol';
import { RELEASE_ANNOTATION } from './evidence';
import { GitHubApi } from './github-api';
import { lookUpImage } from './image';
import { getInputs } from './inputs';
import { promotionGate } from './promotion';
import { RecordFailure, RecordListFailure, recordRelease } from './record';
import { callNames } from './services';
import { checkedOutSha, resolveCommit } from './resolve';

/** How long reading the record back may run past the deadline (after TagResource failed at it). */
const READ_BACK_GRACE_MS = 5_000;

export async function main(): Promise<void> {
  const inputs = getInputs();
  const log = coreLogger;
  if (inputs.token) log.secret(inputs.token);
  const api = inputs.token ? new GitHubApi(inputs.apiUrl, inputs.token, inputs.repository) : undefined;
  switch (inputs.command) {
    case 'resolve': {
      await reportOutcome(() => resolveCommit(inputs, api, checkedOutSha(workspaceDir()), log), {
        report: (outcome) => ({ outputs: { sha: outcome.sha, version: outcome.version }, summary: outcome.summary }),
      });
      return;
    }
    case 'promotion': {
      await reportOutcome(() => promotionGate(inputs, api as GitHubApi, log), {
        report: (outcome) => ({
          outputs: { promotion: outcome.promotion, 'image-digest': outcome.digest ?? '', 'evidence-url': outcome.evidenceUrl ?? '' },
          summary: outcome.summary,
        }),
      });
      return;
    }
    case 'image': {
      const ecr = new ECRClient(awsClientConfig({ region: inputs.region, endpointUrl: inputs.endpointUrl }));
      await reportOutcome(() => lookUpImage(ecr, { repository: inputs.ecrRepository, sha: inputs.sha, digest: inputs.digest }, log), {
        report: (outcome) => ({ outputs: { 'repository-uri': outcome.repositoryUri, registry: outcome.registry, image: outcome.image } }),
      });
      return;
    }
    case 'services': {
      await reportOutcome(async () => callNames(inputs.cluster, inputs.services, inputs.migrationService, inputs.taskDefinitions), {
        report: (outcome) => {
          log.info(outcome.summary.replace(/`/g, ''));
          return {
            outputs: {
              'call-id': outcome.callId,
              lock: outcome.lock,
              'migration-service': outcome.migrationService,
              'migration-index': String(outcome.migrationIndex),
              'migration-task-definition': outcome.migrationTaskDefinition,
            },
            summary: outcome.summary,
          };
        },
      });
      return;
    }
    case 'record': {
      // Every call ends at the deadline; reading the tags back after a failed TagResource gets a few seconds more.
      const deadline = Date.now() + inputs.timeoutSeconds * 1000;
      const client = (until: number, maxAttempts?: number): ECSClient =>
        boundByDeadline(
          new ECSClient(
            awsClientConfig({
              region: inputs.region,
              endpointUrl: inputs.endpointUrl,
              maxAttempts,
              timeouts: { requestTimeoutMs: Math.min(10_000, inputs.timeoutSeconds * 1000), deadline: until },
            }),
          ),
          until,
        );
      await reportOutcome(() => recordRelease({ ecs: client(deadline), readEcs: client(deadline + READ_BACK_GRACE_MS, 2) }, inputs, log), {
        report: (outcome) => {
          issueCommand('notice', { title: RELEASE_ANNOTATION }, outcome.annotation);
          // On the deploy job, whose page the GitHub deployment links to: the override stays visible there.
          if (inputs.promotion === 'overridden')
            log.warning(
              `${inputs.sha} was deployed to ${inputs.environment} without a proven promotion (allow-unpromoted). Reason: ${inputs.reason ?? ''}`,
              { title: 'Promotion gate overridden' },
            );
          return { outputs: { recorded: outcome.recorded }, summary: outcome.summary };
        },
        reportError: (err) => {
          const recorded = err instanceof RecordFailure || err instanceof RecordListFailure ? err.recorded : 'unknown';
          const where = inputs.list ? `${inputs.taskDefinitionArns.length} revisions` : `\`${inputs.taskDefinitionArn}\``;
          return {
            outputs: { recorded },
            summary: `Release **${recorded === 'false' ? 'NOT recorded' : 'record UNKNOWN'}** on ${where}: ${describeError(err)}`,
          };
        },
      });
      return;
    }
  }
}

/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
export function run(): Promise<void> {
  return runAction(main);
}
