/**
 * Release history for the rollback tests, made by the REAL deploy-ecs code (its `deploy()` with
 * inputs read the way the runner passes them) against moto_server behind the rollout layer: a
 * service created on a revision from before gantry (web:1), then releases 1, 2, 3 … as
 * web:2, web:3, web:4 …, each with gantry's release metadata.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { deploy } from '../../actions/deploy-ecs/src/deploy';
import { getInputs as getDeployInputs } from '../../actions/deploy-ecs/src/inputs';
import { getInputs as getRollbackInputs } from '../../actions/rollback/src/inputs';
import { rollback } from '../../actions/rollback/src/rollback';
import { FakeClock } from '../../lib/util/clock';
import { inputEnvName } from '../../lib/runner/inputs';
import { memoryLogger } from '../../lib/runner/logger';
import { runnerContext } from '../../lib/ecs/metadata';
import { setReleaseStatus } from '../../lib/ecs/release';
import { createEcsService } from '../support/ecs-emulator';

export const CLUSTER = 'shop';
export const SERVICE = 'web';
export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop';
/** What the runner sets, and AWS_REGION as configure-aws-credentials does (ARN inputs are checked against it). */
export const RUNNER_ENV = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SERVER_URL: 'https://github.com',
  AWS_REGION: 'us-east-1',
};

/** Release n: commit `n` repeated 40 times (short SHA = 7 × n), version 1.n.0, image tag 1.n.0. */
export const release = (n: number) => ({
  sha: String(n).repeat(40),
  shortSha: String(n).repeat(7),
  version: `1.${n}.0`,
  image: `${REGISTRY}/web:1.${n}.0`,
});
export const revisionArn = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;

/** Cluster, the pre-gantry revision web:1 and the service on it (circuit breaker with rollback, as gantry recommends). */
export function createService(ecs: ECSClient): Promise<string> {
  return createEcsService(ecs, {
    cluster: CLUSTER,
    service: SERVICE,
    containers: [
      { name: 'app', image: `${REGISTRY}/web:0.9.0`, essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] },
    ],
  });
}

/** web:1 before gantry, releases 1, 2, 3 deployed by deploy-ecs (web:2, web:3, web:4), release 3 then marked failed (say, by a smoke test). */
export async function createHistory(ecs: ECSClient): Promise<void> {
  await createService(ecs);
  for (const n of [1, 2, 3]) await deployRelease(ecs, n);
  await setReleaseStatus(ecs, revisionArn(4), 'failed');
}

function runnerEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...RUNNER_ENV };
  for (const [name, value] of Object.entries({ cluster: CLUSTER, service: SERVICE, 'poll-interval-seconds': '1', ...inputs }))
    env[inputEnvName(name)] = value;
  return env;
}

/** Deploy release `n` with deploy-ecs (waits for the rollout unless told otherwise). */
export async function deployRelease(ecs: ECSClient, n: number, inputs: Record<string, string> = {}) {
  const { sha, version, image } = release(n);
  const env = runnerEnv({ image, 'git-sha': sha, version, environment: 'staging', ...inputs });
  const result = await deploy(getDeployInputs(env), {
    ecs,
    clock: new FakeClock(Date.parse(`2024-05-0${n}T10:00:00Z`)),
    log: memoryLogger(),
    context: runnerContext(env),
  });
  if (result.status !== 'deployed') throw new Error(`release ${n} did not deploy: ${result.status} ${result.reason ?? ''}`);
  return result;
}

/** Run the rollback in-process, inputs read the way the runner passes them. */
export async function rollbackTo(ecs: ECSClient, inputs: Record<string, string>) {
  const log = memoryLogger();
  const clock = new FakeClock(Date.parse('2024-06-01T10:00:00Z'));
  const result = await rollback(getRollbackInputs(runnerEnv(inputs)), { ecs, clock, log });
  return { result, log, clock };
}

export async function serviceTaskDefinition(ecs: ECSClient): Promise<string | undefined> {
  return (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services?.[0]?.taskDefinition;
}

export async function tagsOf(ecs: ECSClient, arn: string): Promise<Record<string, string>> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}
