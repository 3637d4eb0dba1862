/**
 * register-only with a `services` list (deploy.yml's migration before a release of several services):
 * every entry's revision registered exactly as a deploy would register it (same template, image, release
 * tags, `gantry:status=pending`, each with its own `gantry:previous`), no service updated. The result
 * lists them in `deploy-services` — `{service, task-definition-arn}` per entry, the `services` input of
 * the deploy that follows, which then deploys exactly those revisions.
 */
import type { DeployResult, RegisteredDeploy } from './deploy';
import type { ServiceRelease } from './inputs';
import type { MultiDeployResult } from './multi';

export function registeredOnly(
  cluster: string,
  entries: readonly ServiceRelease[],
  registered: readonly RegisteredDeploy[],
  durationMs: number,
): MultiDeployResult {
  return {
    status: 'registered',
    cluster,
    services: entries.map((entry, i) => {
      const reg = registered[i] as RegisteredDeploy;
      const result: DeployResult = {
        ...reg.base,
        status: 'registered',
        registered: reg.registered,
        taskDefinitionArn: reg.taskDefinitionArn,
        revision: reg.revision,
        targets: reg.targets,
        tags: reg.target.rendered?.tags,
        durationMs,
      };
      return { entry, result, touched: false };
    }),
    reason: 'register-only: no service updated',
    durationMs,
  };
}

/** `deploy-services`: the list the deploy after the migration takes as its `services`, in list order. */
export function deployServicesOutput(result: MultiDeployResult): string {
  return JSON.stringify(
    result.services.map(({ entry, result: r }) => ({ service: entry.service, 'task-definition-arn': r.taskDefinitionArn })),
  );
}
