/** Wiring only: inputs → clients → rollback → outputs and job summary. */
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws';
import { systemClock } from '../../../lib/clock';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/github';
import { cloudWatchLogs, explainStoppedTasks } from '../../../lib/task-logs';
import { getInputs } from './inputs';
import { rollback } from './rollback';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const config = awsClientConfig({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'] });
  const ecs = new ECSClient(config);
  // Rollout polls: no SDK retries, so each poll is one request and throttling is handled per poll.
  const pollEcs = new ECSClient({ ...config, maxAttempts: 1 });
  let result;
  try {
    result = await rollback(inputs, { ecs, pollEcs, clock: systemClock, log: coreLogger });
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
    // A dry run reports the revision it would roll back to.
    'task-definition-arn': result.status === 'dry-run' ? result.to.arn : result.liveArn,
    'from-task-definition-arn': result.from.arn,
    'deployment-id': result.deploymentId,
    status: result.status,
  });
  await writeSummary(renderSummary(result));
  if (result.status === 'failed' || result.status === 'timed-out') throw failureOf(result);
}
