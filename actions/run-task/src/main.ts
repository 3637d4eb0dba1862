/** Wiring only: inputs → clients → runTask → outputs and job summary. */
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../../lib/aws';
import { systemClock } from '../../../lib/clock';
import { coreLogger, setOutputs, writeSummary } from '../../../lib/github';
import { runnerContext } from '../../../lib/metadata';
import { cloudWatchLogs } from '../../../lib/task-logs';
import { getInputs } from './inputs';
import { runTask } from './run';
import { failureOf, renderErrorSummary, renderSummary } from './summary';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const config = awsClientConfig({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'] });
  const ecs = new ECSClient(config);
  // Task polls: no SDK retries, so each poll is one request and throttling is handled per poll.
  const pollEcs = new ECSClient({ ...config, maxAttempts: 1 });
  const logs = cloudWatchLogs(config);
  let result;
  try {
    result = await runTask(inputs, { ecs, pollEcs, logs, clock: systemClock, log: coreLogger, context: runnerContext() });
  } catch (err) {
    await writeSummary(renderErrorSummary(inputs, err));
    throw err;
  }
  setOutputs({
    'task-arn': result.taskArn,
    status: result.status,
    'exit-code': result.exitCode,
    'stop-code': result.stopCode,
  });
  await writeSummary(renderSummary(inputs, result));
  if (result.status !== 'succeeded') throw failureOf(inputs, result);
}
