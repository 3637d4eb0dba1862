/** Wiring only: inputs → clients → deploy → outputs and job summary. */
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws';
import { systemClock } from '../../../lib/clock';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/github';
import { runnerContext } from '../../../lib/metadata';
import { deploy } from './deploy';
import { answerGate, gateListener } from './gate';
import { getInputs } from './inputs';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const config = awsClientConfig({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'] });
  const ecs = new ECSClient(config);
  // Rollout polls: no SDK retries, so each poll is one request and throttling is handled per poll.
  const pollEcs = new ECSClient({ ...config, maxAttempts: 1 });
  let result;
  try {
    const deps = { ecs, pollEcs, clock: systemClock, log: coreLogger, context: runnerContext() };
    result = inputs['gate-action'] ? await answerGate(inputs, deps) : await deploy(inputs, deps);
  } catch (err) {
    await writeSummary(renderErrorSummary(inputs, err));
    throw err;
  }
  setOutputs({
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    revision: result.revision,
    'deployment-id': result.deploymentId,
    status: result.status,
    'service-deployment-arn': result.strategy && result.strategy !== 'ROLLING' ? result.serviceDeploymentArn : undefined,
    'hook-id': result.gate?.hookId,
    'lifecycle-stage': result.gate?.stage ?? result.rollout?.native?.stages.at(-1)?.stage,
    'gate-listener': result.gate ? gateListener(result.gate.stage) : undefined,
  });
  await writeSummary(renderSummary(inputs, result));
  if (result.status === 'failed' || result.status === 'timed-out') throw failureOf(result);
}
