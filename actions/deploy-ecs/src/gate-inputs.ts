/** The gate inputs of deploy-ecs (native strategies' PAUSE hooks), validated before any AWS call. */
import { InputError } from '../../../lib/runner/errors';
import type { InputReader } from '../../../lib/runner/inputs';
import { PAUSE_STAGES, isPauseStage, type PauseStage } from '../../../lib/ecs/strategy';

export interface GateInputs {
  /** Stages to stop at; undefined = every stage with a PAUSE hook; [] = none (`none`). */
  'gate-stages'?: PauseStage[];
  'gate-action'?: 'continue' | 'rollback';
  'service-deployment-arn'?: string;
  'hook-id'?: string;
}

const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/;
const HOOK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}$/;
/** Inputs that make a new release; a gate answer deploys nothing new. */
const RELEASE_INPUTS = ['image', 'images', 'container-name', 'task-definition', 'task-definition-arn', 'environment-variables'] as const;

export function readGateInputs(read: InputReader): GateInputs {
  const stagesRaw = read.optional('gate-stages');
  let stages: PauseStage[] | undefined;
  if (stagesRaw !== undefined) {
    const names = stagesRaw.split(/[\s,]+/).filter(Boolean);
    if (names.length === 1 && names[0].toLowerCase() === 'none') stages = [];
    else {
      for (const name of names) {
        if (!isPauseStage(name))
          throw new InputError(
            'GANTRY-DEPLOY-003',
            'gate-stages',
            name,
            `lifecycle stages where ECS can pause (${PAUSE_STAGES.join(', ')}), or none`,
          );
      }
      stages = [...new Set(names as PauseStage[])];
    }
  }
  const action = read.optional('gate-action');
  if (action !== undefined && action !== 'continue' && action !== 'rollback') {
    throw new InputError('GANTRY-DEPLOY-004', 'gate-action', action, "'continue' or 'rollback' (the answer to the paused lifecycle hook)");
  }
  const arn = read.optional('service-deployment-arn');
  const hookId = read.optional('hook-id');
  if (action === undefined) {
    for (const [name, value] of [
      ['service-deployment-arn', arn],
      ['hook-id', hookId],
    ] as const) {
      if (value !== undefined)
        throw new InputError(
          'GANTRY-DEPLOY-005',
          name,
          value,
          'nothing unless gate-action is given (it names the paused deployment to answer)',
        );
    }
    return { 'gate-stages': stages };
  }
  if (arn === undefined || !SERVICE_DEPLOYMENT_ARN.test(arn)) {
    throw new InputError(
      'GANTRY-DEPLOY-006',
      'service-deployment-arn',
      arn,
      'the service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>) from the service-deployment-arn output of the step that stopped at the gate',
    );
  }
  if (hookId !== undefined && !HOOK_ID.test(hookId))
    throw new InputError(
      'GANTRY-DEPLOY-007',
      'hook-id',
      hookId,
      'a lifecycle hook id (the hook-id output of the step that stopped at the gate)',
    );
  for (const name of RELEASE_INPUTS) {
    if (read.has(name))
      throw new InputError(
        'GANTRY-DEPLOY-008',
        name,
        read.raw(name),
        `nothing when gate-action is given (it answers the paused deployment ${arn}, deploying nothing new)`,
      );
  }
  return { 'gate-stages': stages, 'gate-action': action, 'service-deployment-arn': arn, 'hook-id': hookId };
}
