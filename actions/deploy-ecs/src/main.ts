/** Wiring only: inputs → clients → deploy → outputs and job summary. */
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws';
import { systemClock } from '../../../lib/clock';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/github';
import { runnerContext } from '../../../lib/metadata';
import { cloudWatchLogs, explainStoppedTasks } from '../../../lib/task-logs';
import { deploy } from './deploy';
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
    result = await deploy(inputs, { ecs, pollEcs, clock: systemClock, log: coreLogger, context: runnerContext() });
  } catch (err) {
    await writeSummary(renderErrorSummary(inputs, err));
    throw err;
  }
  if (result.status === 'failed' || result.status === 'timed-out') {
    await explainStoppedTasks({
      describeTaskDefinition: async (arn) => (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition,
      logs: cloudWatchLogs(config), tasks: result.rollout?.stoppedTasks ?? [], limit: inputs['log-lines'] ?? 20, log: coreLogger,
    });
  }
  setOutputs({
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    revision: result.revision,
    'deployment-id': result.deploymentId,
    status: result.status,
  });
  await writeSummary(renderSummary(inputs, result));
  if (result.status === 'failed' || result.status === 'timed-out') throw failureOf(result);
}
