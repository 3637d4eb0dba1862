/**
 * The demo's release of several services: an `api` and a `worker` of one image, each with its own
 * task-definition file (examples/api-task-definition.json, examples/worker-task-definition.json) and
 * its own history, deployed together by ONE deploy-ecs run with the `services` input:
 *
 *   1. release 2.0.0 of both services (one run, one watch for both), read back from moto
 *   2. a fix of the api alone (2.0.1): from now on the two services' histories differ
 *   3. release 2.1.0 whose worker crashes (the rollout layer fails the worker's deployment and writes
 *      its container's last log lines, with a password in a URL): the release fails, showing the
 *      worker's own lines with the password masked; rollback takes deploy-ecs's `rollback-services`
 *      output as it is, and each service is read back from moto on its own previous revision — the
 *      api on 2.0.1, the worker on 2.0.0
 *
 * Nothing here is remembered instead of read: the tables come from DescribeServices and
 * DescribeTaskDefinition, and after the rollback each service must run what it ran before the
 * release (read back then) and what deploy-ecs's `services` output named as its previous revision.
 * DescribeServices per poll: the rollout layer's own count, read at each poll line of the log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import type { ActionResult } from '../test/support/harness';
import type { RolloutLayer } from '../test/support/rollout-layer';
import { runnerView, serviceSnapshot, shortArn, toTable, type ServiceSnapshot } from './demo-support';
import { renderMarkdown, type Style } from './terminal-markdown';

/** What the demo's main script hands this part of the story. */
export interface MultiServiceStory {
  ecs: ECSClient;
  layer: RolloutLayer;
  /** The AWS environment of every step (the rollout layer's endpoint). */
  env: Record<string, string>;
  /** The workspace the steps run in: a copy of examples/. */
  workspace: string;
  cluster: string;
  network: { subnet: string; securityGroup: string };
  imageRepo: string;
  style: Style;
  say(text?: string): void;
  /** A deterministic fake commit SHA per release. */
  sha(n: number): string;
  /** Runs one bundled action as a step of the story (printed, recorded in the steps table). */
  step(
    title: string,
    action: string,
    inputs: Record<string, string | number | boolean | undefined>,
    env: Record<string, string>,
    expected: 'pass' | 'fail',
    workspace?: string,
    onStdout?: (chunk: string) => void,
  ): Promise<ActionResult>;
  /** Records a check the demo made itself (no action ran) in the steps table. */
  check(title: string, ok: boolean): void;
}

/** The two services, their files (in the workspace, copied from examples/) and the container that gets the image. */
const SERVICES = [
  { service: 'api', file: 'examples/api-task-definition.json', container: 'api' },
  { service: 'worker', file: 'examples/worker-task-definition.json', container: 'worker' },
] as const;

/** The worker's last words in release 2.1.0; the password in the URL must never reach the log or the summary. */
export const WORKER_CRASH_PASSWORD = 'w0rker-s3cret';
const WORKER_CRASH = [
  'worker starting: queue orders, concurrency 4',
  `connecting to redis://worker:${WORKER_CRASH_PASSWORD}@cache.internal:6379/0`,
  'Error: connect ECONNREFUSED 10.0.3.17:6379',
  'worker exiting with code 1',
];

export async function multiServiceRelease(story: MultiServiceStory): Promise<void> {
  const { ecs, layer, env, workspace, cluster, style, say } = story;
  say('');
  say(style.bold('Several services: an api and a worker of one image, released together by one deploy-ecs run (services)'));

  // The services Terraform would create, each on a bootstrap revision registered from its own file.
  for (const { service, file } of SERVICES) {
    const template = JSON.parse(readFileSync(path.join(workspace, file), 'utf8')) as RegisterTaskDefinitionCommandInput;
    const bootstrap = await ecs.send(new RegisterTaskDefinitionCommand(template));
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: bootstrap.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [story.network.subnet],
            securityGroups: [story.network.securityGroup],
            assignPublicIp: 'DISABLED',
          },
        },
        // No circuit-breaker rollback: rolling back is the rollback step's job here, given deploy-ecs's rollback-services.
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: false },
          minimumHealthyPercent: 100,
          maximumPercent: 200,
        },
      }),
    );
  }
  layer.settle();

  const servicesInput = SERVICES.map((s) => `- service: ${s.service}\n  task-definition: ${s.file}\n  container-name: ${s.container}`).join(
    '\n',
  );
  const release = (version: string, gitSha: string) => ({
    cluster,
    services: servicesInput,
    image: `${story.imageRepo}:${gitSha}`,
    'git-sha': gitSha,
    version,
    environment: 'staging',
    'poll-interval-seconds': 1,
    'timeout-seconds': 60,
    'log-lines': WORKER_CRASH.length,
  });

  // 1. Both services, one run.
  const polls = new PollCounter(() => layer.state().calls.DescribeServices ?? 0);
  await story.step(
    'deploy-ecs 2.0.0: api and worker in one run (services)',
    'deploy-ecs',
    release('2.0.0', story.sha(6)),
    env,
    'pass',
    workspace,
    polls.listen,
  );
  say(style.dim(`  ${polls.describe(SERVICES.length)}`));
  say('');
  say(style.bold('api and worker after release 2.0.0 (read back from moto)'));
  say(await liveTable(ecs, cluster, style));

  // 2. A fix of the api alone: the api's history moves on, the worker's does not.
  const fixSha = story.sha(7);
  await story.step(
    'deploy-ecs 2.0.1: a fix of the api alone (service: api)',
    'deploy-ecs',
    {
      cluster,
      service: 'api',
      'task-definition': SERVICES[0].file,
      'container-name': SERVICES[0].container,
      image: `${story.imageRepo}:${fixSha}`,
      'git-sha': fixSha,
      version: '2.0.1',
      environment: 'staging',
      'poll-interval-seconds': 1,
      'timeout-seconds': 60,
    },
    env,
    'pass',
    workspace,
  );

  // 3. The worker of 2.1.0 crashes at start: the release fails, then both go back, each to its own previous.
  const brokenSha = story.sha(8);
  const before = new Map<string, string>();
  for (const { service } of SERVICES) before.set(service, (await serviceSnapshot(ecs, cluster, service)).taskDefinitionArn);
  layer.setScenario({ kind: 'fail', service: 'worker', image: brokenSha.slice(0, 7), ticks: 1, logs: WORKER_CRASH });
  const failed = await story.step(
    'deploy-ecs 2.1.0: api and worker (the worker crashes at start)',
    'deploy-ecs',
    release('2.1.0', brokenSha),
    env,
    'fail',
    workspace,
  );
  // The worker's last words are in the summary, every line of them, the password of its URL masked;
  // the password is nowhere in the log as GitHub shows it, nor in the summary.
  story.check(
    "the worker's last log lines in the release's summary, its password masked",
    lastWordsShownMasked(WORKER_CRASH, WORKER_CRASH_PASSWORD, failed),
  );
  const rollbackServices = failed.outputs['rollback-services'];
  if (!rollbackServices) {
    story.check('deploy-ecs 2.1.0 wrote rollback-services', false);
    return;
  }
  await story.step(
    'rollback api and worker: rollback-services as deploy-ecs wrote it',
    'rollback',
    {
      cluster,
      services: rollbackServices,
      reason: 'release 2.1.0 failed: the worker crashed',
      'poll-interval-seconds': 1,
      'timeout-seconds': 60,
    },
    env,
    'pass',
    workspace,
  );

  // Each service back on what it ran before the release — read back from moto, not assumed — which is
  // also what deploy-ecs reported as that service's own previous revision.
  const reported = JSON.parse(failed.outputs.services ?? '[]') as { service: string; 'previous-task-definition-arn': string | null }[];
  const back: string[] = [];
  let ok = true;
  for (const { service } of SERVICES) {
    const previous = reported.find((r) => r.service === service)?.['previous-task-definition-arn'] ?? undefined;
    const result = backOnPrevious(service, before.get(service), previous, await serviceSnapshot(ecs, cluster, service));
    ok &&= result.ok;
    back.push(result.text);
  }
  story.check('api and worker after the rollback: each on its own previous revision', ok);
  say('');
  say(
    ok
      ? style.bold(`after the rollback (read back from moto): ${back.join(', ')} — each service on its own previous revision`)
      : style.red(`after the rollback (read back from moto): ${back.join('; ')}`),
  );
  say('');
  say(style.bold('Revision history of the api and worker families (gantry tags)'));
  say(await historyTable(ecs, cluster, workspace, style));
}

/**
 * DescribeServices as the rollout layer counts them (`count`), read at each poll of a release's watch
 * as its log streams in (`[api] [..] poll N: …`; every service prints a line per poll, the first one
 * counts): the calls between two polls are that poll's own.
 */
export class PollCounter {
  private readonly before: number;
  private partial = '';
  /** The count when the log showed poll N. */
  private readonly atPoll = new Map<number, number>();

  constructor(private readonly count: () => number) {
    this.before = count();
  }

  readonly listen = (chunk: string): void => {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const poll = /^\[[^\]]+\] \[[^\]]*\] poll (\d+):/.exec(line);
      if (poll && !this.atPoll.has(Number(poll[1]))) this.atPoll.set(Number(poll[1]), this.count());
    }
  };

  describe(services: number): string {
    const total = this.count() - this.before;
    const polls = [...this.atPoll.keys()].sort((a, b) => a - b);
    const perPoll = polls.slice(1).map((n, i) => (this.atPoll.get(n) ?? 0) - (this.atPoll.get(polls[i]) ?? 0));
    const between = perPoll.length
      ? `${[...new Set(perPoll)].join(' or ')} per poll for the ${services} services after the first poll, `
      : '';
    return `DescribeServices, counted by the rollout layer: ${between}${total} in the whole run (${polls.length} poll${polls.length === 1 ? '' : 's'})`;
  }
}

/**
 * Did a failed step show the crashing container's last words? Every line is in the summary, with
 * `secret` masked (***), and `secret` itself is nowhere in the summary or in the log as GitHub shows it.
 */
export function lastWordsShownMasked(lines: readonly string[], secret: string, result: Pick<ActionResult, 'stdout' | 'summary'>): boolean {
  const shown = `${runnerView(result.stdout)}\n${result.summary}`;
  return lines.every((line) => result.summary.includes(line.split(secret).join('***'))) && !shown.includes(secret);
}

/**
 * After a rollback of a release: is the service back on what it ran before the release, which is also
 * the previous revision deploy-ecs reported for it? The sentence says where it is either way.
 */
export function backOnPrevious(
  service: string,
  ranBefore: string | undefined,
  reportedPrevious: string | undefined,
  now: ServiceSnapshot,
): { ok: boolean; text: string } {
  const ok = now.taskDefinitionArn === ranBefore && now.taskDefinitionArn === reportedPrevious;
  return ok
    ? {
        ok,
        text: `${service} on ${shortArn(now.taskDefinitionArn)} (${now.tags['gantry:version'] ?? '?'}, ${(now.tags['gantry:git-sha'] ?? '').slice(0, 7)})`,
      }
    : {
        ok,
        text: `${service} on ${shortArn(now.taskDefinitionArn)}, NOT on ${shortArn(ranBefore)} (what it ran before; deploy-ecs's previous: ${shortArn(reportedPrevious)})`,
      };
}

async function tagsOf(ecs: ECSClient, arn: string): Promise<Record<string, string>> {
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  return Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

async function liveTable(ecs: ECSClient, cluster: string, style: Style): Promise<string> {
  const rows: string[][] = [];
  for (const { service } of SERVICES) {
    const now = await serviceSnapshot(ecs, cluster, service);
    rows.push([
      service,
      shortArn(now.taskDefinitionArn),
      now.tags['gantry:version'] ?? '',
      (now.tags['gantry:git-sha'] ?? '').slice(0, 7),
      now.tags['gantry:status'] ?? '',
      shortArn(now.tags['gantry:previous']),
    ]);
  }
  return renderMarkdown(toTable(['service', 'revision', 'version', 'git sha', 'status', 'previous'], rows), style);
}

async function historyTable(ecs: ECSClient, cluster: string, workspace: string, style: Style): Promise<string> {
  const rows: string[][] = [];
  for (const { service, file } of SERVICES) {
    const { family } = JSON.parse(readFileSync(path.join(workspace, file), 'utf8')) as { family: string };
    const live = (await serviceSnapshot(ecs, cluster, service)).taskDefinitionArn;
    const list = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'ASC' }));
    for (const arn of list.taskDefinitionArns ?? []) {
      const tags = await tagsOf(ecs, arn);
      rows.push([
        service,
        shortArn(arn) + (arn === live ? ' ← live' : ''),
        tags['gantry:version'] ?? '',
        (tags['gantry:git-sha'] ?? '').slice(0, 7),
        tags['gantry:status'] ?? '(bootstrap)',
        shortArn(tags['gantry:previous']),
        tags['gantry:rollback-reason'] ?? '',
      ]);
    }
  }
  return renderMarkdown(toTable(['service', 'revision', 'version', 'git sha', 'status', 'previous', 'rollback reason'], rows), style);
}
