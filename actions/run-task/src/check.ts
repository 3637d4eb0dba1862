/**
 * check-only: every input a run would check, checked against the revision still to be registered —
 * the `task-definition` file deploy-ecs register-only will register from, else the service's
 * current task definition (the template deploy-ecs renders without a file) — with read-only calls
 * only (DescribeServices, DescribeTaskDefinition). Nothing is run, registered or tagged: a workflow
 * runs this before `register-only`, so a bad migration input changes nothing in AWS.
 *
 * The containers of the new revision are those of its template: rendering sets images and
 * environment variables on existing containers, never adds or renames one.
 */
import { DescribeTaskDefinitionCommand, type ContainerDefinition, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { describeServiceOrFail } from '../../../lib/ecs/release';
import { InputError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import type { Inputs } from './inputs';
import { describePlacement, resolveContainer, shortArn, taskPlacement, type PlacementShape } from './run';

export interface CheckDeps {
  ecs: ECSClient;
  log: Logger;
}

export interface CheckResult {
  cluster: string;
  /** What the container was checked against, for people: the file as given, or `web:7 (service web's current task definition)`. */
  template: string;
  /** The service's current revision, when it was the template. */
  templateArn?: string;
  container: string;
  command: string[];
  /** Where a run would place the task (`describePlacement`). */
  placement: string;
  timeoutSeconds: number;
}

export async function checkTask(inputs: Inputs, deps: CheckDeps): Promise<CheckResult> {
  const { ecs, log } = deps;
  const service: Service | undefined = inputs.service ? await describeServiceOrFail(ecs, inputs.cluster, inputs.service) : undefined;
  let template: string;
  let templateArn: string | undefined;
  let containers: readonly ContainerDefinition[];
  let shape: PlacementShape;
  const file = inputs['task-definition'];
  if (file) {
    template = file.source;
    containers = file.definition.containerDefinitions ?? [];
    shape = file.definition;
    log.info(`Checking against ${file.source}, the task definition file the new revision is registered from.`);
  } else {
    // getInputs refuses check-only with neither a file nor a service.
    const current = service?.taskDefinition;
    if (!current) {
      throw new InputError(
        'GANTRY-RUNTASK-044',
        'task-definition',
        undefined,
        `a task definition file: service ${inputs.service} has no task definition to make the new revision from`,
      );
    }
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current }));
    templateArn = described.taskDefinition?.taskDefinitionArn ?? current;
    template = `${shortArn(templateArn)} (service ${inputs.service}'s current task definition)`;
    containers = described.taskDefinition?.containerDefinitions ?? [];
    shape = described.taskDefinition ?? {};
    log.info(`Checking against ${templateArn}, service ${inputs.service}'s current task definition: the new revision is made from it.`);
  }
  const container = resolveContainer(containers, inputs.container, template);
  const placement = describePlacement({ ...taskPlacement(inputs, service, shape, template), startedBy: inputs['started-by'] });
  // getInputs refuses check-only without a command.
  const command = inputs.command as string[];
  log.info(
    `Checked: container ${container} would run ${JSON.stringify(command)}${placement}, for at most ${inputs['timeout-seconds']} s. Nothing was run, registered or tagged.`,
  );
  return { cluster: inputs.cluster, template, templateArn, container, command, placement, timeoutSeconds: inputs['timeout-seconds'] };
}
