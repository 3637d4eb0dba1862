/**
 * Every input of deploy-ecs, parsed and validated in one place before any AWS call: a bad input
 * fails with a message naming it and changes nothing (no revision registered, no service touched).
 */
import { checkArnScope, checkServiceInCluster, readAccountId } from '../../../lib/aws/arns';
import { awsClientConfig } from '../../../lib/aws/config';
import { InputError } from '../../../lib/runner/errors';
import { InputReader, resolveWorkspaceFile, workspaceDir, type Env } from '../../../lib/runner/inputs';
import { entryLabel, parseServiceList, refuseWithList } from '../../../lib/ecs/service-list';
import { normalizeGitSha, normalizeVersion } from '../../../lib/ecs/metadata';
import { readGateInputs, type GateInputs } from './gate-inputs';
import { readTemplateFile, type TaskDefinitionTemplate } from '../../../lib/ecs/task-definition-template';

/** One image for one container; `container` undefined means "the task's only essential container". */
export interface ImageAssignment {
  container?: string;
  image: string;
  /** The input the assignment came from, for error messages. */
  input: 'image' | 'images';
}

export interface Inputs extends GateInputs {
  cluster: string;
  service: string;
  /** From `image` (+ `container-name`) or `images`; empty for a `task-definition-arn` promotion. */
  images: ImageAssignment[];
  'task-definition'?: TaskDefinitionTemplate;
  'task-definition-arn'?: string;
  'environment-variables': Map<string, string>;
  'git-sha': string;
  version?: string;
  environment?: string;
  wait: boolean;
  'timeout-seconds': number;
  'poll-interval-seconds': number;
  'force-new-deployment': boolean;
  'dry-run': boolean;
  /** Register the revision and stop: no UpdateService (the revision a migration runs before the rollout). */
  'register-only'?: boolean;
  /** Last log lines per stopped task shown with a failure (lib/ecs/task-logs.ts). */
  'log-lines'?: number;
  'aws-region'?: string;
  'endpoint-url'?: string;
  /**
   * The `services` list (multi.ts): several services of the cluster released together. `service`,
   * `task-definition` and the image's container then come from each entry (`inputsFor`).
   */
  services?: ServiceRelease[];
}

/** One entry of `services`: the service, its own task definition file and the container that gets the image. */
export interface ServiceRelease {
  index: number;
  service: string;
  'task-definition'?: TaskDefinitionTemplate;
  'container-name'?: string;
  /** Deploy exactly this revision (a list register-only registered it: `deploy-services`); nothing rendered or registered. */
  'task-definition-arn'?: string;
}

/** The single-service inputs of one entry of the list. */
export function inputsFor(inputs: Inputs, entry: ServiceRelease): Inputs {
  return {
    ...inputs,
    service: entry.service,
    'task-definition': entry['task-definition'],
    'task-definition-arn': entry['task-definition-arn'],
    images: entry['task-definition-arn'] ? [] : inputs.images.map((i) => ({ ...i, container: entry['container-name'] })),
    services: undefined,
  };
}

/** Environment variables gantry owns on the target containers. */
export const RESERVED_ENV = ['DEPLOY_GIT_SHA', 'DEPLOY_VERSION'] as const;

const IMAGE_EXPECTED = 'an image URI with a tag or digest: registry/repo:tag, registry/repo@sha256:<64 hex> or both';
const NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${NAME_COMPONENT}(?:\\.${NAME_COMPONENT})*(?::\\d{1,5})?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
/** The docker reference grammar (distribution/reference), digest limited to sha256 as ECS pins it. */
const IMAGE_URI = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@sha256:[a-f0-9]{64})?$`);
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TASK_DEFINITION_ARN = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:\d+$/;

export function isValidImageUri(value: string): boolean {
  if (value.length > 1024 || !IMAGE_URI.test(value)) return false;
  const lastSegment = value.split('@')[0].split('/').pop() ?? '';
  return value.includes('@') || lastSegment.includes(':');
}

export function getInputs(env: Env = process.env): Inputs {
  const read = new InputReader(env);
  const cluster = read.ecsNameOrArn('cluster', 'cluster');
  if (read.has('services')) return serviceListInputs(read, env, cluster);
  const service = read.ecsNameOrArn('service', 'service');
  const gate = readGateInputs(read);
  if (gate['gate-action']) return gateAnswerInputs(read, env, cluster, service, gate);
  const taskDefinitionArn = read.optional('task-definition-arn');
  if (taskDefinitionArn !== undefined && !TASK_DEFINITION_ARN.test(taskDefinitionArn)) {
    throw new InputError(
      'GANTRY-DEPLOY-013',
      'task-definition-arn',
      taskDefinitionArn,
      'a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or <family>:<revision>',
    );
  }
  const images = readImages(read, taskDefinitionArn !== undefined);
  const templatePath = read.file('task-definition');
  const environmentVariables = readEnvironmentVariables(read);
  const registerOnly = read.boolean('register-only', false);
  if (registerOnly && taskDefinitionArn !== undefined) {
    throw new InputError(
      'GANTRY-DEPLOY-015',
      'register-only',
      read.raw('register-only'),
      'false when task-definition-arn is given (a promotion registers nothing)',
    );
  }
  refuseRegisterOnlyDryRun(read, registerOnly);
  if (taskDefinitionArn !== undefined) {
    for (const conflicting of ['task-definition', 'environment-variables'] as const) {
      if (read.has(conflicting)) {
        // environment-variables is described by its keys only: its values may be credentials.
        const shown =
          conflicting === 'environment-variables'
            ? [...environmentVariables.keys()].map((key) => `${key}=…`).join(', ')
            : read.raw(conflicting);
        throw new InputError(
          'GANTRY-DEPLOY-017',
          conflicting,
          shown,
          `nothing when task-definition-arn is given (a promotion deploys that revision as it is)`,
        );
      }
    }
  }

  const release = readRelease(read, env);

  checkArns(read, env, cluster, service, taskDefinitionArn);

  return {
    cluster,
    service,
    images,
    'task-definition': templatePath === undefined ? undefined : readTemplateFile(read.raw('task-definition'), templatePath),
    'task-definition-arn': taskDefinitionArn,
    'environment-variables': environmentVariables,
    ...release,
    'register-only': registerOnly,
    ...readRunFlags(read),
    ...gate,
  };
}

/**
 * `services`: one release (image, git SHA, version, environment variables) for several services
 * of the cluster, each with its own task definition file and container. Gates, promotions and
 * register-only are single-service features (docs/infra/multi-service.md says why).
 */
function serviceListInputs(read: InputReader, env: Env, cluster: string): Inputs {
  refuseWithList(
    (name) => read.has(name),
    (name) => read.raw(name),
    ['service', 'task-definition', 'container-name'],
  );
  const refuse = (name: string, why: string): void => {
    if (read.has(name)) throw new InputError('GANTRY-DEPLOY-101', name, read.raw(name), `nothing when 'services' is given (${why})`);
  };
  refuse('images', "a release shares one 'image'; each entry names the container that gets it with 'container-name'");
  refuse('task-definition-arn', "each entry names its own revision with its 'task-definition-arn'");
  for (const name of ['gate-action', 'gate-stages', 'service-deployment-arn', 'hook-id'])
    refuse(name, 'blue/green, linear and canary gates are answered one service at a time');
  const registerOnly = read.boolean('register-only', false);
  const workspace = workspaceDir(env);
  const parsed = parseServiceList(read.raw('services'), cluster, ['task-definition', 'container-name', 'task-definition-arn']);
  const promotion = checkListRevisions(read, parsed, registerOnly);
  const services = parsed.map((entry): ServiceRelease => {
    const label = entryLabel(entry);
    if (promotion) return { index: entry.index, service: entry.service, 'task-definition-arn': entry.fields['task-definition-arn'] };
    const containerName = entry.fields['container-name'];
    if (containerName !== undefined && !CONTAINER_NAME.test(containerName)) {
      throw new InputError(
        'GANTRY-DEPLOY-103',
        'services',
        `${label} container-name=${containerName}`,
        'a container name of letters, digits, "_" and "-"',
      );
    }
    const file = entry.fields['task-definition'];
    let template: TaskDefinitionTemplate | undefined;
    if (file !== undefined) {
      try {
        template = readTemplateFile(file, resolveWorkspaceFile('task-definition', file, workspace));
      } catch (err) {
        if (err instanceof InputError) throw new InputError(err.code, 'services', `${label} task-definition=${file}`, err.expected);
        throw err;
      }
      const names = (template.definition.containerDefinitions ?? []).map((c) => c.name ?? '');
      if (containerName !== undefined && !names.includes(containerName)) {
        throw new InputError(
          'GANTRY-DEPLOY-104',
          'services',
          `${label} container-name=${containerName}`,
          `a container of ${file}: one of ${names.map((n) => `'${n}'`).join(', ')}`,
        );
      }
    }
    return { index: entry.index, service: entry.service, 'task-definition': template, 'container-name': containerName };
  });
  const images = readImages(read, promotion);
  const environmentVariables = readEnvironmentVariables(read);
  const release = readRelease(read, env);
  const account = readAccountId('aws-account-id', read.optional('aws-account-id'));
  const arns = [
    { input: 'cluster', value: cluster },
    ...services.flatMap((s) => [
      { input: 'services', value: s.service },
      ...(s['task-definition-arn']?.startsWith('arn:') ? [{ input: 'services', value: s['task-definition-arn'] }] : []),
    ]),
  ];
  if (account || arns.some((a) => a.value.startsWith('arn:'))) {
    const { region } = awsClientConfig({ region: read.optional('aws-region'), endpointUrl: read.optional('endpoint-url') }, env);
    checkArnScope(arns, { region, account });
  }
  return {
    cluster,
    service: '',
    services,
    images,
    'environment-variables': environmentVariables,
    ...release,
    'register-only': registerOnly,
    ...readRunFlags(read),
  };
}

/** The release every service of a deploy shares: git SHA, version, environment, and the timing of the wait. */
function readRelease(read: InputReader, env: Env) {
  const gitShaRaw = read.optional('git-sha') ?? env.GITHUB_SHA;
  if (!gitShaRaw)
    throw new InputError('GANTRY-DEPLOY-018', 'git-sha', undefined, 'a git commit SHA (set git-sha, or run where GITHUB_SHA is set)');
  const version = read.optional('version');
  const environment = readEnvironmentName(read);
  const { timeoutSeconds, pollIntervalSeconds } = readTiming(read);
  return {
    'git-sha': normalizeGitSha(gitShaRaw),
    version: version === undefined ? undefined : normalizeVersion(version),
    environment,
    'timeout-seconds': timeoutSeconds,
    'poll-interval-seconds': pollIntervalSeconds,
  };
}

/** How the run behaves, the same for one service and a list. */
function readRunFlags(read: InputReader) {
  return {
    wait: read.boolean('wait', true),
    'force-new-deployment': read.boolean('force-new-deployment', false),
    'dry-run': read.boolean('dry-run', false),
    'log-lines': read.integer('log-lines', { default: 20, min: 0, max: 1000 }),
    'aws-region': read.optional('aws-region'),
    'endpoint-url': read.optional('endpoint-url'),
  };
}

function readEnvironmentVariables(read: InputReader): Map<string, string> {
  const environmentVariables = read.keyValues('environment-variables', ENV_KEY);
  for (const name of RESERVED_ENV) {
    if (environmentVariables.has(name)) {
      throw new InputError(
        'GANTRY-DEPLOY-014',
        'environment-variables',
        `${name}=…`,
        `no ${RESERVED_ENV.join(' or ')}: gantry sets them from git-sha and version`,
      );
    }
  }
  return environmentVariables;
}

function readEnvironmentName(read: InputReader): string | undefined {
  const environment = read.optional('environment');
  if (environment !== undefined && !ENVIRONMENT_NAME.test(environment)) {
    throw new InputError(
      'GANTRY-DEPLOY-019',
      'environment',
      environment,
      'an environment name of letters, digits, ".", "_" and "-" (at most 64 characters), such as staging',
    );
  }
  return environment;
}

function readTiming(read: InputReader): { timeoutSeconds: number; pollIntervalSeconds: number } {
  const timeoutSeconds = read.seconds('timeout-seconds', { default: 900, min: 1, max: 6 * 3600 });
  const pollIntervalSeconds = read.seconds('poll-interval-seconds', { default: 10, min: 1, max: 300 });
  if (pollIntervalSeconds > timeoutSeconds) {
    throw new InputError(
      'GANTRY-DEPLOY-020',
      'poll-interval-seconds',
      read.raw('poll-interval-seconds'),
      `at most timeout-seconds (${timeoutSeconds})`,
    );
  }
  return { timeoutSeconds, pollIntervalSeconds };
}

/** gate-action: answer a paused deployment; nothing is rendered or registered. */
function gateAnswerInputs(read: InputReader, env: Env, cluster: string, service: string, gate: GateInputs): Inputs {
  if (read.boolean('dry-run', false))
    throw new InputError(
      'GANTRY-DEPLOY-021',
      'dry-run',
      read.raw('dry-run'),
      'false when gate-action is given (answering a hook cannot be rehearsed)',
    );
  const { timeoutSeconds, pollIntervalSeconds } = readTiming(read);
  checkArns(read, env, cluster, service, undefined, [{ input: 'service-deployment-arn', value: gate['service-deployment-arn'] }]);
  return {
    cluster,
    service,
    images: [],
    'environment-variables': new Map(),
    'git-sha': '',
    wait: true,
    'timeout-seconds': timeoutSeconds,
    'poll-interval-seconds': pollIntervalSeconds,
    'force-new-deployment': false,
    'dry-run': false,
    'aws-region': read.optional('aws-region'),
    'endpoint-url': read.optional('endpoint-url'),
    ...gate,
  };
}

/** ARNs of another region or account are refused before any AWS call (lib/aws/arns.ts says why). */
function checkArns(
  read: InputReader,
  env: Env,
  cluster: string,
  service: string,
  taskDefinitionArn: string | undefined,
  more: { input: string; value: string | undefined }[] = [],
): void {
  checkServiceInCluster(cluster, service);
  const account = readAccountId('aws-account-id', read.optional('aws-account-id'));
  const arns = [
    { input: 'cluster', value: cluster },
    { input: 'service', value: service },
    { input: 'task-definition-arn', value: taskDefinitionArn },
    ...more,
  ];
  if (!account && !arns.some((a) => a.value?.startsWith('arn:'))) return;
  const { region } = awsClientConfig({ region: read.optional('aws-region'), endpointUrl: read.optional('endpoint-url') }, env);
  checkArnScope(arns, { region, account });
}

function readImages(read: InputReader, promotion: boolean): ImageAssignment[] {
  const image = read.optional('image');
  const containerName = read.optional('container-name');
  const hasImages = read.has('images');
  if (promotion) {
    for (const name of ['image', 'images', 'container-name'] as const) {
      if (read.has(name))
        throw new InputError(
          'GANTRY-DEPLOY-017',
          name,
          read.raw(name),
          'nothing when task-definition-arn is given (a promotion deploys that revision as it is)',
        );
    }
    return [];
  }
  if (hasImages && image !== undefined)
    throw new InputError('GANTRY-DEPLOY-022', 'images', read.raw('images'), "either 'images' or 'image', not both");
  if (hasImages && containerName !== undefined) {
    throw new InputError(
      'GANTRY-DEPLOY-023',
      'container-name',
      containerName,
      "nothing when 'images' is given (name the containers in 'images')",
    );
  }
  if (containerName !== undefined && !CONTAINER_NAME.test(containerName)) {
    throw new InputError('GANTRY-DEPLOY-024', 'container-name', containerName, 'a container name of letters, digits, "_" and "-"');
  }
  if (hasImages) {
    const pairs = read.keyValues('images', CONTAINER_NAME);
    if (pairs.size === 0) throw new InputError('GANTRY-DEPLOY-025', 'images', read.raw('images'), 'lines of the form container=image');
    return [...pairs].map(([container, value]) => {
      if (!isValidImageUri(value)) throw new InputError('GANTRY-DEPLOY-026', 'images', `${container}=${value}`, IMAGE_EXPECTED);
      return { container, image: value, input: 'images' as const };
    });
  }
  if (image === undefined) {
    throw new InputError(
      'GANTRY-DEPLOY-027',
      'image',
      undefined,
      `${IMAGE_EXPECTED} (required unless 'images' or 'task-definition-arn' is given)`,
    );
  }
  if (!isValidImageUri(image)) throw new InputError('GANTRY-DEPLOY-037', 'image', image, IMAGE_EXPECTED);
  return [{ container: containerName, image, input: 'image' }];
}

/** register-only and dry-run exclude each other (one service or a list). */
function refuseRegisterOnlyDryRun(read: InputReader, registerOnly: boolean): void {
  if (registerOnly && read.boolean('dry-run', false)) {
    throw new InputError(
      'GANTRY-DEPLOY-016',
      'register-only',
      read.raw('register-only'),
      'false with dry-run: true (a dry run registers nothing; use one or the other)',
    );
  }
}

/**
 * A list's revisions: `task-definition-arn` in every entry (deploy exactly those,
 * as deploy.yml does after a list's register-only) or in none, never beside a file or a container of
 * its own, never with register-only or environment-variables. Returns whether the list is of revisions.
 */
function checkListRevisions(read: InputReader, entries: ReturnType<typeof parseServiceList>, registerOnly: boolean): boolean {
  const withArn = entries.filter((e) => e.fields['task-definition-arn'] !== undefined);
  refuseRegisterOnlyDryRun(read, registerOnly);
  if (withArn.length === 0) return false;
  if (withArn.length !== entries.length) {
    const without = entries.find((e) => e.fields['task-definition-arn'] === undefined) as (typeof entries)[number];
    throw new InputError(
      'GANTRY-DEPLOY-110',
      'services',
      entryLabel(without),
      "a 'task-definition-arn' in every entry or in none (a release deploys given revisions, or registers new ones)",
    );
  }
  for (const entry of withArn) {
    const arn = entry.fields['task-definition-arn'] as string;
    if (!TASK_DEFINITION_ARN.test(arn)) {
      throw new InputError(
        'GANTRY-DEPLOY-111',
        'services',
        `${entryLabel(entry)} task-definition-arn=${arn}`,
        'a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or <family>:<revision>',
      );
    }
    for (const key of ['task-definition', 'container-name']) {
      if (entry.fields[key] !== undefined) {
        throw new InputError(
          'GANTRY-DEPLOY-112',
          'services',
          `${entryLabel(entry)} ${key}=${entry.fields[key]}`,
          `no '${key}' beside 'task-definition-arn' (that revision is deployed as it is)`,
        );
      }
    }
  }
  if (registerOnly) {
    throw new InputError(
      'GANTRY-DEPLOY-113',
      'register-only',
      read.raw('register-only'),
      "false when the entries of 'services' name their task-definition-arn (a promotion registers nothing)",
    );
  }
  if (read.has('environment-variables')) {
    throw new InputError(
      'GANTRY-DEPLOY-114',
      'environment-variables',
      [...read.keyValues('environment-variables', ENV_KEY).keys()].map((key) => `${key}=…`).join(', '),
      "nothing when the entries of 'services' name their task-definition-arn (those revisions are deployed as they are)",
    );
  }
  return true;
}
