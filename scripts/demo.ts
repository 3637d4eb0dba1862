/**
 * `npm run demo`: the whole gantry story on this machine, with the real bundled actions run
 * through the same runner harness the tests use (INPUT_* variables, output and summary files):
 *
 *   1. parity-check: staging vs production example config (in parity), then a production-ahead toggle
 *   2. terraform: plan and apply of the example configuration (terraform_data, local state)
 *   3. deploy-ecs 1.0.0 + smoke-test
 *   4. release 1.1.0 has a database migration, run as deploy.yml runs it: run-task check-only (a
 *      misspelt container is refused first, nothing registered) → deploy-ecs register-only →
 *      run-task; the first commit's migration exits 1 (its log lines shown) and the service is read
 *      back untouched (same task definition, same release tags); the fixed commit's migration succeeds,
 *      then deploy-ecs deploys exactly the revision it ran from (task-definition-arn) + smoke-test
 *   5. deploy-ecs 1.2.0 whose /health fails → smoke-test fails → rollback to 1.1.0 → smoke-test passes
 *   6. an `api` and a `worker` service of one image (scripts/demo-multi.ts): release 2.0.0 of both by one
 *      deploy-ecs run (`services`), a fix of the api alone, then release 2.1.0 whose worker crashes —
 *      the worker's own log lines (password masked), rollback given deploy-ecs's rollback-services, each
 *      service read back on its own previous revision
 *   7. the service switches to ECS blue/green with a PAUSE hook; deploy-ecs 1.3.0 (broken) stops at the
 *      test-traffic gate → smoke-test on the test listener fails → ROLLBACK at the gate; the sample
 *      service of 1.3.0 reports how many production requests it served: 0
 *   8. a table of every step and the service's revision history with gantry's tags
 *
 * AWS is moto_server behind the test rollout layer (deployments that progress over time).
 * moto runs no containers: the demo starts the sample service itself from the task definition
 * the ECS service points to — its stand-in for Fargate. One-off tasks (the migration) are played by
 * the rollout layer: PROVISIONING → RUNNING → STOPPED with the exit code and log lines (written into
 * moto's CloudWatch Logs) that the demo sets for each migration.
 *
 * Flags: --keep (or GANTRY_DEMO_KEEP=1) leaves the emulator running at the end until Ctrl-C.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  UpdateServiceCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import '../test/support/quiet-node-notice';
import { awsTestEnv, ecsClientFor, startMoto } from '../test/support/moto';
import { defaultNetwork } from '../test/run-task/moto-setup';
import { startRolloutLayer } from '../test/support/rollout-layer';
import { repoRoot, runAction, type ActionResult } from '../test/support/harness';
import { colours, plain, renderMarkdown, useColour } from './terminal-markdown';
import { BlueGreenStandIn } from './demo-bluegreen';
import { multiServiceRelease } from './demo-multi';
import {
  FargateStandIn,
  cleanup,
  onCleanup,
  runnerView,
  serviceChanges,
  serviceSnapshot,
  shortArn,
  stopDescendants,
  tempDir,
  toTable,
} from './demo-support';

const style = useColour(process.stdout) ? colours : plain;
const keep = process.argv.includes('--keep') || process.env.GANTRY_DEMO_KEEP === '1';
const verbose = process.argv.includes('--verbose');
const CLUSTER = 'demo';
const SERVICE = 'shop';
const IMAGE_REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop';

interface StepRecord {
  step: string;
  expected: 'pass' | 'fail';
  exitCode: number;
  durationMs: number;
  ok: boolean;
}
const steps: StepRecord[] = [];

/** Set by Ctrl-C (SIGINT) or SIGTERM: no new step starts, and the one in flight prints nothing more. */
let interrupted: NodeJS.Signals | undefined;
const never = (): Promise<never> => new Promise(() => undefined);

let runnerFiles: string | undefined;
/** One directory for every step's runner files, removed at exit and on Ctrl-C. */
function runnerTemp(): string {
  runnerFiles ??= tempDir('gantry-demo-runner-');
  return runnerFiles;
}

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function sha(n: number): string {
  // A deterministic fake commit SHA per release, so the demo output is stable.
  return `${n}`
    .repeat(40)
    .slice(0, 40)
    .replace(/[^0-9a-f]/g, 'a');
}

/** A check the demo makes itself (no action runs), recorded in the steps table. */
function check(title: string, ok: boolean): void {
  steps.push({ step: title, expected: 'pass', exitCode: ok ? 0 : 1, durationMs: 0, ok });
}

async function step(
  title: string,
  action: string,
  inputs: Record<string, string | number | boolean | undefined>,
  env: Record<string, string>,
  expected: 'pass' | 'fail' = 'pass',
  workspace?: string,
  onStdout?: (chunk: string) => void,
): Promise<ActionResult> {
  if (interrupted) return never();
  say('');
  say(style.bold(`▶ ${title}`) + style.dim(`  (actions/${action}/dist/index.js)`));
  const result = await runAction(action, inputs, {
    env,
    workspace,
    tempRoot: runnerTemp(),
    node: process.execPath,
    timeoutMs: 120_000,
    onStdout,
  });
  if (interrupted) return never();
  const ok = expected === 'pass' ? result.exitCode === 0 : result.exitCode !== 0;
  steps.push({ step: title, expected, exitCode: result.exitCode, durationMs: result.durationMs, ok });
  if (verbose) say(style.dim(runnerView(result.stdout).trimEnd()));
  // The step's summary (its header first), then its errors under it.
  if (result.summary.trim()) say(renderMarkdown(result.summary, style, '  ', { collapseDetails: !verbose }));
  const errors = result.annotations.filter((a) => a.level === 'error');
  for (const a of errors) say(`  ${style.red('error:')} ${a.message}`);
  const verdict = result.exitCode === 0 ? style.green('passed') : style.red(`failed (exit ${result.exitCode})`);
  const expectation = ok ? style.dim(expected === 'fail' ? ' — as expected' : '') : style.red(' — NOT what the story expects');
  say(`  ${verdict}${expectation} in ${(result.durationMs / 1000).toFixed(1)}s`);
  if (!ok && !verbose) {
    // What went wrong: the end of the step's log, and anything the bundle printed on stderr (a crash).
    say(style.dim(runnerView(result.stdout).trimEnd().split('\n').slice(-25).join('\n')));
    if (result.stderr.trim()) say(style.red(result.stderr.trimEnd().split('\n').slice(-15).join('\n')));
  }
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  say(style.bold('gantry demo') + ' — deploy, smoke-test and roll back a service with the real bundled actions');
  say(style.dim('AWS is moto_server (an emulator) behind a rollout layer; moto runs no containers, so the demo'));
  say(style.dim('starts the sample service (examples/service) from the task definition the ECS service points to.'));

  const moto = await startMoto();
  onCleanup(() => moto.stop());
  // A configured minute (blue/green bake time) lasts one second here.
  const layer = await startRolloutLayer({ motoUrl: moto.url, minuteMs: 1000 });
  onCleanup(() => layer.stop());
  const env = awsTestEnv(layer.url);
  const ecs = ecsClientFor(layer.url, 3);
  say(style.dim(`emulator: ${moto.url}   rollout layer (the endpoint the actions use): ${layer.url}`));

  // 1. parity
  const workspace = tempDir('gantry-demo-ws-');
  cpSync(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'), { recursive: true });
  const cfg = 'examples/config';
  const parityInputs = {
    'base-var-files': `${cfg}/staging.tfvars`,
    'target-var-files': `${cfg}/production.tfvars`,
    'base-toggles': `${cfg}/staging.toggles.json`,
    'target-toggles': `${cfg}/production.toggles.json`,
    'base-env-file': `${cfg}/staging.env`,
    'target-env-file': `${cfg}/production.env`,
    'values-must-match': 'service_name\ncontainer_port\npostgres_version',
  };
  await step('parity-check: staging vs production', 'parity-check', parityInputs, env, 'pass', workspace);
  const toggles = JSON.parse(readFileSync(path.join(workspace, cfg, 'production.toggles.json'), 'utf8')) as Record<string, unknown>;
  const offInStaging = JSON.parse(readFileSync(path.join(workspace, cfg, 'staging.toggles.json'), 'utf8')) as Record<string, unknown>;
  const ahead = Object.keys(offInStaging).find(
    (k) => offInStaging[k] === false || (offInStaging[k] as { enabled?: boolean })?.enabled === false,
  );
  const name = ahead ?? 'new-checkout';
  toggles[name] = true;
  if (!ahead) offInStaging[name] = false;
  writeFileSync(path.join(workspace, cfg, 'production-ahead.toggles.json'), JSON.stringify(toggles, null, 2));
  writeFileSync(path.join(workspace, cfg, 'staging-ahead-base.toggles.json'), JSON.stringify(offInStaging, null, 2));
  await step(
    `parity-check: production turns on '${name}' before staging`,
    'parity-check',
    { ...parityInputs, 'base-toggles': `${cfg}/staging-ahead-base.toggles.json`, 'target-toggles': `${cfg}/production-ahead.toggles.json` },
    env,
    'fail',
    workspace,
  );

  // 2. terraform
  const tf = 'examples/terraform';
  const plan = await step(
    'terraform plan (staging)',
    'terraform',
    {
      command: 'plan',
      'working-directory': tf,
      'var-files': `${tf}/staging.tfvars`,
      'plan-file': 'staging.tfplan',
      'comment-on-pull-request': 'false',
    },
    env,
    'pass',
    workspace,
  );
  await step(
    'terraform apply of the reviewed plan',
    'terraform',
    { command: 'apply', 'working-directory': tf, 'plan-file': 'staging.tfplan', 'expected-plan-hash': plan.outputs['plan-hash'] },
    env,
    'pass',
    workspace,
  );

  // The ECS cluster and service Terraform would create with the AWS provider (not downloadable here):
  // a Fargate service in awsvpc mode runs in subnets with security groups — moto's default VPC's here,
  // which is where run-task starts the migration too (moto's RunTask refuses an awsvpc task without them).
  const template = JSON.parse(
    readFileSync(path.join(repoRoot, 'examples', 'task-definition.json'), 'utf8'),
  ) as RegisterTaskDefinitionCommandInput;
  const network = await defaultNetwork(moto.url);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const bootstrap = await ecs.send(new RegisterTaskDefinitionCommand(template));
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: bootstrap.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [network.subnet], securityGroups: [network.securityGroup], assignPublicIp: 'DISABLED' },
      },
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
    }),
  );
  const fargate = new FargateStandIn(ecs, CLUSTER, SERVICE);

  const deployCommon = { cluster: CLUSTER, service: SERVICE, environment: 'staging', 'poll-interval-seconds': 1, 'timeout-seconds': 60 };
  const smoke = async (title: string, expectSha: string, expected: 'pass' | 'fail') => {
    const live = await fargate.sync();
    return step(
      title,
      'smoke-test',
      {
        'base-url': live.url,
        'checks-file': 'examples/smoke-checks.yml',
        'expect-version': expectSha,
        'version-field': 'gitSha',
        'timeout-seconds': expected === 'fail' ? 4 : 20,
        'interval-seconds': 1,
      },
      env,
      expected,
      workspace,
    );
  };

  /** Revisions of the family shop, read from moto: what a refused check must leave as it is. */
  const shopRevisions = async (): Promise<number> =>
    (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop' }))).taskDefinitionArns?.length ?? 0;
  /** run-task check-only, as deploy.yml's "Check the migration inputs": read-only, before anything is registered. */
  const checkMigration = (title: string, container: string, expected: 'pass' | 'fail') =>
    step(
      title,
      'run-task',
      { 'check-only': true, cluster: CLUSTER, service: SERVICE, container, command: 'npm run migrate', 'timeout-seconds': 60 },
      env,
      expected,
      workspace,
    );

  /**
   * A release with a database migration, as deploy.yml runs it: check the migration inputs (read-only),
   * register the revision without touching the service, run the migration from exactly that revision,
   * deploy exactly it only if the migration succeeded. With `typo`, a check with a misspelt container
   * comes first: refused, with no revision registered (read back from moto). Returns the registered
   * revision when the migration succeeded.
   */
  const migrate = async (
    title: string,
    version: string,
    gitSha: string,
    migration: { exitCode: number; logs: string[] },
    typo?: string,
  ): Promise<string | undefined> => {
    say('');
    say(style.bold(title));
    if (typo) {
      const revisions = await shopRevisions();
      await checkMigration(
        `run-task check-only: migration-container '${typo}' (a typo) is refused before anything is registered`,
        typo,
        'fail',
      );
      const unchanged = (await shopRevisions()) === revisions;
      check('the refused migration check registered nothing', unchanged);
      say(
        unchanged
          ? style.green(`nothing registered (read back from moto): family shop still has ${revisions} revisions`)
          : style.red(`a revision was registered although the migration check refused its inputs`),
      );
    }
    const checked = await checkMigration(`run-task check-only: the migration inputs of ${version} (read-only)`, 'app', 'pass');
    if (checked.exitCode !== 0) return undefined;
    const registered = await step(
      `deploy-ecs ${version} register-only: the revision the migration runs (service not updated)`,
      'deploy-ecs',
      { ...deployCommon, image: `${IMAGE_REPO}:${gitSha}`, 'git-sha': gitSha, version, 'register-only': true },
      env,
      'pass',
      workspace,
    );
    const arn = registered.outputs['task-definition-arn'];
    if (!arn) return undefined;
    // moto runs no containers: the rollout layer plays this migration task (its exit code, its log lines).
    layer.setTaskScenario({ family: 'shop', exitCode: migration.exitCode, logs: migration.logs });
    const expected = migration.exitCode === 0 ? 'pass' : 'fail';
    const ran = await step(
      `run-task: the migration of ${version} (${gitSha.slice(0, 7)})${expected === 'fail' ? ', which exits 1' : ''}`,
      'run-task',
      {
        cluster: CLUSTER,
        service: SERVICE,
        'task-definition-arn': arn,
        container: 'app',
        command: 'npm run migrate',
        'poll-interval-seconds': 1,
        'timeout-seconds': 60,
        'log-lines': 10,
      },
      env,
      expected,
      workspace,
    );
    return ran.exitCode === 0 ? arn : undefined;
  };

  // 3–5. releases
  const releases = [
    { version: '1.0.0', n: 1, broken: false },
    { version: '1.1.0', n: 2, broken: false, migration: true },
    { version: '1.2.0', n: 3, broken: true },
  ];
  for (const release of releases) {
    const gitSha = sha(release.n);
    let migrated: string | undefined;
    if (release.migration) {
      // The first commit of 1.1.0 ships a migration that fails: the service must not change at all.
      const before = await serviceSnapshot(ecs, CLUSTER, SERVICE);
      const brokenSha = sha(5);
      await migrate(
        `Release ${release.version} has a database migration (deploy.yml's migration input): check → register → migrate → deploy`,
        release.version,
        brokenSha,
        {
          exitCode: 1,
          logs: [
            `> shop@${release.version} migrate`,
            'Applying 0007_orders_discount: ALTER TABLE orders ADD COLUMN discount numeric NOT NULL',
            'ERROR: column "discount" of relation "orders" contains null values',
            'Migration 0007_orders_discount rolled back; schema still at 0006',
          ],
        },
        'ap',
      );
      const after = await serviceSnapshot(ecs, CLUSTER, SERVICE);
      const changes = serviceChanges(before, after);
      const untouched = changes.length === 0;
      check('the service after the failed migration: untouched', untouched);
      say('');
      say(
        untouched
          ? style.bold(
              `service ${SERVICE} untouched by the failed migration (read back from moto): still ${shortArn(after.taskDefinitionArn)} — ` +
                `${after.tags['gantry:version'] ?? '?'}, gantry:status ${after.tags['gantry:status'] ?? '?'}, the same release tags and deployments`,
            ) + style.dim('; deploy.yml skips the deploy step, and there is nothing to roll back')
          : style.red(`service ${SERVICE} CHANGED although its migration failed: ${changes.join('; ')}`),
      );
      migrated = await migrate(
        `The migration fixed (commit ${gitSha.slice(0, 7)}): check → register → migrate → deploy`,
        release.version,
        gitSha,
        {
          exitCode: 0,
          logs: [
            `> shop@${release.version} migrate`,
            'Applying 0007_orders_discount: ALTER TABLE orders ADD COLUMN discount numeric NOT NULL DEFAULT 0',
            'Applied 0007_orders_discount in 38 ms',
            'Schema at 0007',
          ],
        },
      );
      // Not what the story expects (the step says so): the service is not deployed without its migration.
      if (!migrated) continue;
    }
    await step(
      `deploy-ecs ${release.version}${release.broken ? ' (its /health is broken)' : ''}${migrated ? `: exactly ${shortArn(migrated)}, the revision the migration ran` : ''}`,
      'deploy-ecs',
      migrated
        ? // As deploy.yml does after a migration: the registered revision as it is, no image or variables again.
          { ...deployCommon, 'task-definition-arn': migrated, 'git-sha': gitSha, version: release.version }
        : {
            ...deployCommon,
            image: `${IMAGE_REPO}:${gitSha}`,
            'git-sha': gitSha,
            version: release.version,
            'environment-variables': release.broken ? 'SIMULATE_FAILURE=health' : undefined,
          },
      env,
      'pass',
      workspace,
    );
    const result = await smoke(`smoke-test ${release.version}`, gitSha, release.broken ? 'fail' : 'pass');
    if (release.broken && result.exitCode !== 0) {
      await step(
        'rollback to the last good release',
        'rollback',
        {
          cluster: CLUSTER,
          service: SERVICE,
          target: 'previous',
          reason: `smoke test of ${release.version} failed`,
          'poll-interval-seconds': 1,
          'timeout-seconds': 60,
        },
        env,
        'pass',
        workspace,
      );
      await smoke('smoke-test after the rollback (expects 1.1.0)', sha(2), 'pass');
    }
  }

  // 6. several services released together, and rolled back each to its own previous
  await multiServiceRelease({
    ecs,
    layer,
    env,
    workspace,
    cluster: CLUSTER,
    network,
    imageRepo: IMAGE_REPO,
    style,
    say,
    sha,
    check,
    step,
  });

  // 7. blue/green: the broken release is caught on the test listener and never serves production
  say('');
  say(style.bold('Blue/green: the service switches to ECS-native BLUE_GREEN with a PAUSE hook at POST_TEST_TRAFFIC_SHIFT'));
  await ecs.send(
    new UpdateServiceCommand({
      cluster: CLUSTER,
      service: SERVICE,
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 1,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        lifecycleHooks: [
          {
            targetType: 'PAUSE',
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' },
          },
        ],
      },
    }),
  );
  const lb = new BlueGreenStandIn(ecs, layer, SERVICE);
  await lb.start();
  say(style.dim(`production listener ${lb.productionUrl}   test listener ${lb.testUrl}`));
  const greenSha = sha(4);
  const paused = await step(
    'deploy-ecs 1.3.0, blue/green (its /health is broken): stops at the test-traffic gate',
    'deploy-ecs',
    {
      ...deployCommon,
      image: `${IMAGE_REPO}:${greenSha}`,
      'git-sha': greenSha,
      version: '1.3.0',
      'environment-variables': 'SIMULATE_FAILURE=health',
      'gate-stages': 'POST_TEST_TRAFFIC_SHIFT',
    },
    env,
    'pass',
    workspace,
  );
  // Users keep using production while the gate is open.
  for (let i = 0; i < 20; i += 1) await fetch(`${lb.productionUrl}/api/orders`).catch(() => undefined);
  await step(
    'smoke-test 1.3.0 on the test listener (no production traffic yet)',
    'smoke-test',
    { 'base-url': lb.testUrl, 'expect-version': greenSha, 'version-field': 'gitSha', 'timeout-seconds': 4, 'interval-seconds': 1 },
    env,
    'fail',
    workspace,
  );
  await step(
    'deploy-ecs gate-action rollback: ContinueServiceDeployment ROLLBACK',
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      'gate-action': 'rollback',
      'service-deployment-arn': paused.outputs['service-deployment-arn'],
      'poll-interval-seconds': 1,
      'timeout-seconds': 60,
    },
    env,
    'fail',
    workspace,
  );
  const greenArn = paused.outputs['task-definition-arn'];
  if (greenArn) {
    const green = await lb.served(greenArn);
    const blueArn = paused.outputs['previous-task-definition-arn'];
    const blue = blueArn ? await lb.served(blueArn) : undefined;
    say('');
    say(
      style.bold(`production served ${green.production} requests from release ${green.version}`) +
        style.dim(
          ` (it answered ${green.test} on the test listener; ${blue ? `${blue.version} served production: ${blue.production}` : ''}) — counted by the sample service itself`,
        ),
    );
  }

  // 8. the story in one table, and what ECS now holds
  say('');
  say(style.bold('Steps'));
  const rows = steps.map((s) => [
    s.ok ? '✅' : '❌',
    s.step,
    s.exitCode === 0 ? 'passed' : 'failed',
    s.expected === 'fail' ? 'failure expected' : '',
    `${(s.durationMs / 1000).toFixed(1)}s`,
  ]);
  say(renderMarkdown(toTable(['', 'step', 'result', 'note', 'duration'], rows), style));
  say('');
  say(style.bold('Revision history of the shop family (gantry tags)'));
  const list = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop', sort: 'ASC' }));
  const history: string[][] = [];
  for (const arn of list.taskDefinitionArns ?? []) {
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    const tags = Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
    const live = (await fargate.sync()).taskDefinitionArn === arn;
    history.push([
      shortArn(arn) + (live ? ' ← live' : ''),
      tags['gantry:version'] ?? '',
      (tags['gantry:git-sha'] ?? '').slice(0, 7),
      tags['gantry:status'] ?? '(bootstrap)',
      shortArn(tags['gantry:previous']),
      tags['gantry:rollback-reason'] ?? '',
    ]);
  }
  say(renderMarkdown(toTable(['revision', 'version', 'git sha', 'status', 'previous', 'rollback reason'], history), style));

  const failed = steps.filter((s) => !s.ok);
  say('');
  if (failed.length) {
    say(style.red(`The story did not go as expected: ${failed.map((s) => s.step).join('; ')}`));
    process.exitCode = 1;
  } else {
    say(style.green(`Demo complete in ${((Date.now() - started) / 1000).toFixed(0)}s: every step went as expected.`));
  }

  if (keep) {
    say('');
    say(style.bold('The emulator keeps running (--keep). Try:'));
    // AWS_DEFAULT_REGION too: the AWS CLI v1 reads only that one.
    say(`  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \\`);
    say(`    aws --endpoint-url ${layer.url} ecs describe-services --cluster ${CLUSTER} --services ${SERVICE}`);
    say(`  the sample service answers at ${fargate.current?.url ?? '—'}/health`);
    say('Press Ctrl-C to stop and clean up.');
    await new Promise(() => undefined);
  }
}

// Ctrl-C exits 130 and SIGTERM 143 (128 + the signal's number, as a shell reports them), after
// stopping everything: first whatever runs below this process (the action in flight, moto, the
// sample service), then the registered cleanups (temp dirs), then anything started meanwhile.
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    say(`\n${signal}: cleaning up…`);
    void stopDescendants()
      .then(() => cleanup())
      .then(() => stopDescendants())
      .finally(() => process.exit(SIGNAL_EXIT_CODES[signal]));
  });
}

main()
  .catch((err: unknown) => {
    if (interrupted) return;
    say(style.red(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    await stopDescendants();
  });
