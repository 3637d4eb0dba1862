/**
 * Standalone moto + rollout layer for the demo and for poking at by hand:
 *
 *   npx tsx test/support/rollout-layer-cli.ts [--json] [--minute-ms N]
 *
 * Prints the layer URL (use it as AWS_ENDPOINT_URL / the `endpoint-url` input) and the
 * environment to export; with --json prints one JSON line {url, motoUrl, env} instead, for
 * scripts. --minute-ms N: a configured minute of a BLUE_GREEN / LINEAR / CANARY service (bake time,
 * hook timeout) lasts N ms (default 60000). Runs until SIGINT/SIGTERM, then stops both.
 * Control: curl -XPOST $URL/_rollout/scenario -d '{"kind":"fail","service":"web"}'; curl $URL/_rollout/state
 */
import { awsTestEnv, startMoto } from './moto';
import { startRolloutLayer } from './rollout-layer';

const minuteArg = process.argv.indexOf('--minute-ms');
const minuteMs = minuteArg > 0 ? Number(process.argv[minuteArg + 1]) : undefined;
if (minuteMs !== undefined && !(minuteMs > 0)) throw new Error(`--minute-ms must be a positive number of milliseconds; got ${process.argv[minuteArg + 1]}`);
const moto = await startMoto();
const layer = await startRolloutLayer({ motoUrl: moto.url, minuteMs });
const env = awsTestEnv(layer.url);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ url: layer.url, motoUrl: moto.url, env }));
} else {
  console.log(`rollout layer: ${layer.url}  (moto: ${moto.url})`);
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`);
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
