/**
 * Standalone moto + rollout layer for the demo and for poking at by hand:
 *
 *   npx tsx test/support/rollout-layer-cli.ts [--json] [--region eu-west-1]
 *
 * Prints the layer URL (use it as AWS_ENDPOINT_URL / the `endpoint-url` input) and the
 * environment to export; with --json prints one JSON line {url, motoUrl, env} instead, for
 * scripts. Runs until SIGINT/SIGTERM, then stops both. The region (default AWS_REGION, else us-east-1)
 * is the one to use for the actions and the AWS CLI: moto keeps a separate state per region.
 * Control: curl -XPOST $URL/_rollout/scenario -d '{"kind":"fail","service":"web"}'; curl $URL/_rollout/state
 */
import { awsTestEnv, startMoto, TEST_REGION } from './moto';
import { startRolloutLayer } from './rollout-layer';

const regionFlag = process.argv.indexOf('--region');
const region = (regionFlag >= 0 ? process.argv[regionFlag + 1] : undefined) ?? process.env.AWS_REGION ?? TEST_REGION;
if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
  console.error(`--region '${region}' is not an AWS region name such as eu-west-1`);
  process.exit(2);
}
const moto = await startMoto();
const layer = await startRolloutLayer({ motoUrl: moto.url, region });
const env = awsTestEnv(layer.url, region);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ url: layer.url, motoUrl: moto.url, env }));
} else {
  console.log(`rollout layer: ${layer.url}  (moto: ${moto.url})`);
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`);
  console.log(`export AWS_DEFAULT_REGION=${region}   # for the AWS CLI v1, which reads only this one`);
  console.log(`scenarios: curl -XPOST ${layer.url}/_rollout/scenario -d '{"kind":"fail"}'   state: curl ${layer.url}/_rollout/state`);
  console.log('Ctrl-C to stop.');
}

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await layer.stop();
  await moto.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
