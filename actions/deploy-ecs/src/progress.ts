import type { StrategyName } from '../../../lib/ecs/strategy';

/**
 * What a deploy has done so far, for the exit paths that do not get a DeployResult: a SIGTERM from
 * a cancelled job, or an error that escapes deploy(). From `touched` on (set just before
 * UpdateService is sent) the outputs are owed whatever happens (main.ts).
 */
export interface TouchedService {
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  revision?: number;
  /** deploy-ecs registered the revision (not a promotion). */
  registered: boolean;
  /** Native strategies: the strategy and the service deployment (a gate-action step). */
  strategy?: StrategyName;
  serviceDeploymentArn?: string;
  /** What a cancelled run left behind, after `SIGTERM before …` (default: the service told to run the revision, unverified). */
  cancelled?: string;
}

export class DeployProgress {
  /** A revision this run registered (set as soon as it exists, before UpdateService). */
  registeredArn?: string;
  touched?: TouchedService;
  deploymentId?: string;
  /** gate-action: the service deployment being answered, known from the inputs before anything is read. */
  serviceDeploymentArn?: string;
  /** The termination recorder took over: deploy() writes no more tags. */
  cancelled = false;
}
