import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws/config';
import { coreLogger, reportOutcome, run as runAction } from '../../../lib/runner/github';
import { workspaceDir } from '../../../lib/runner/inputs';
import { issueCommand } from '../../../lib/runner/protocol';
import { RELEASE_ANNOTATION } from './evidence';
import { GitHubApi } from './github-api';
import { lookUpImage } from './image';
import { getInputs } from './inputs';
import { promotionGate } from './promotion';
import { recordRelease } from './record';
import { checkedOutSha, resolveCommit } from './resolve';

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
    case 'record': {
      const ecs = new ECSClient(awsClientConfig({ region: inputs.region, endpointUrl: inputs.endpointUrl }));
      await reportOutcome(() => recordRelease(ecs, inputs, log), {
        report: (outcome) => {
          issueCommand('notice', { title: RELEASE_ANNOTATION }, outcome.annotation);
          // On the deploy job, whose page the GitHub deployment links to: the override stays visible there.
          if (inputs.promotion === 'overridden')
            log.warning(
              `${inputs.sha} was deployed to ${inputs.environment} without a proven promotion (allow-unpromoted). Reason: ${inputs.reason ?? ''}`,
              { title: 'Promotion gate overridden' },
            );
          return { summary: outcome.summary };
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
