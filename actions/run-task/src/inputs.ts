/**
 * Every input of run-task, parsed and validated before any AWS call. What needs AWS to check (the
 * container exists in the task definition, the service exists) is checked in run.ts with read-only
 * calls before RunTask, so a bad input still starts nothing. With `check-only` the same inputs are
 * checked against the revision still to be registered (check.ts) and nothing is run at all.
 */
import { InputError } from '../../../lib/runner/errors';
import { InputReader, type Env } from '../../../lib/runner/inputs';
// The task definition file is loaded by the loader deploy-ecs uses: the file check-only checks is the
// file deploy-ecs register-only registers from, refused by both for the same reasons.
import { readTemplateFile, type TaskDefinitionTemplate } from '../../../lib/ecs/task-definition-template';

export const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;
export type LaunchType = (typeof LAUNCH_TYPES)[number];

export interface CapacityProviderItem {
  capacityProvider: string;
  weight: number;
  base?: number;
}

export interface Inputs {
  cluster: string;
  /** The revision to run; '' with check-only (the revision does not exist yet). */
  'task-definition-arn': string;
  /** Check every input against the revision to be registered (`task-definition`, else the service's current one) and run nothing. */
  'check-only'?: boolean;
  /** check-only: the task definition file the new revision will be registered from (deploy-ecs's loader). */
  'task-definition'?: TaskDefinitionTemplate;
  /** The container whose command is overridden; undefined: the task's only essential container. */
  container?: string;
  /** undefined: the container's own command. */
  command?: string[];
  service?: string;
  subnets: string[];
  'security-groups': string[];
  'assign-public-ip'?: 'ENABLED' | 'DISABLED';
  'launch-type'?: LaunchType;
  'capacity-provider-strategy': CapacityProviderItem[];
  'started-by': string;
  tags: Map<string, string>;
  'timeout-seconds': number;
  'poll-interval-seconds': number;
  'log-lines': number;
  'aws-region'?: string;
  'endpoint-url'?: string;
}

const TASK_DEFINITION_ARN = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:\d+$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const STARTED_BY = /^[A-Za-z0-9_/-]{1,36}$/;
const TAG_KEY = /^[\p{L}\p{N}\s+\-=._:/@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{N}\s+\-=._:/@]{0,256}$/u;
const PROVIDER = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS allows 8192 characters of overrides, JSON formatting included; leave room for the container name. */
const MAX_COMMAND_JSON = 7800;
const COMMAND_EXPECTED =
  'a command: words separated by spaces (npm run migrate) or a JSON array of strings (["sh", "-c", "npm run migrate && npm run seed"])';

export function getInputs(env: Env = process.env): Inputs {
  const read = new InputReader(env);
  const cluster = read.ecsNameOrArn('cluster', 'cluster');
  const checkOnly = read.boolean('check-only', false);
  if (checkOnly && read.has('task-definition-arn')) {
    throw new InputError(
      'GANTRY-RUNTASK-041',
      'task-definition-arn',
      read.raw('task-definition-arn'),
      'nothing when check-only is true (check-only checks the revision still to be registered, from task-definition or the service; a run of an existing revision checks its inputs itself before it starts anything)',
    );
  }
  if (!checkOnly && read.has('task-definition')) {
    throw new InputError(
      'GANTRY-RUNTASK-042',
      'task-definition',
      read.raw('task-definition'),
      'nothing unless check-only is true (a run takes a registered revision, task-definition-arn: deploy-ecs register-only registers it from the file)',
    );
  }
  const taskDefinitionArn = checkOnly
    ? ''
    : read.required('task-definition-arn', 'a task definition revision: an ARN or <family>:<revision>');
  if (!checkOnly && !TASK_DEFINITION_ARN.test(taskDefinitionArn)) {
    throw new InputError(
      'GANTRY-RUNTASK-001',
      'task-definition-arn',
      taskDefinitionArn,
      'a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or <family>:<revision>',
    );
  }
  const container = read.optional('container');
  if (container !== undefined && !CONTAINER_NAME.test(container)) {
    throw new InputError('GANTRY-RUNTASK-002', 'container', container, 'a container name of letters, digits, "_" and "-"');
  }
  const service = read.has('service') ? read.ecsNameOrArn('service', 'service') : undefined;
  const templatePath = read.file('task-definition');
  if (checkOnly && templatePath === undefined && service === undefined) {
    throw new InputError(
      'GANTRY-RUNTASK-043',
      'task-definition',
      undefined,
      "a task definition file or a service when check-only is true (the container is checked against what the new revision is made from: the file, else the service's current task definition)",
    );
  }

  const subnets = read.list('subnets');
  for (const subnet of subnets)
    if (!SUBNET.test(subnet))
      throw new InputError('GANTRY-RUNTASK-003', 'subnets', subnet, 'subnet ids such as subnet-0123456789abcdef0, one per line');
  const securityGroups = read.list('security-groups');
  for (const group of securityGroups)
    if (!SECURITY_GROUP.test(group))
      throw new InputError('GANTRY-RUNTASK-004', 'security-groups', group, 'security group ids such as sg-0123456789abcdef0, one per line');
  if (securityGroups.length > 0 && subnets.length === 0) {
    throw new InputError(
      'GANTRY-RUNTASK-005',
      'subnets',
      undefined,
      "subnets when security-groups is given (a network configuration needs both, or neither to take the service's)",
    );
  }
  if (subnets.length > 16)
    throw new InputError('GANTRY-RUNTASK-006', 'subnets', `${subnets.length} subnets`, 'at most 16 subnets (the ECS limit)');
  if (securityGroups.length > 5)
    throw new InputError(
      'GANTRY-RUNTASK-007',
      'security-groups',
      `${securityGroups.length} security groups`,
      'at most 5 security groups (the ECS limit)',
    );
  const assignPublicIp = read.has('assign-public-ip') ? read.choice('assign-public-ip', ['ENABLED', 'DISABLED'] as const) : undefined;
  if (assignPublicIp !== undefined && subnets.length === 0) {
    throw new InputError(
      'GANTRY-RUNTASK-008',
      'assign-public-ip',
      assignPublicIp,
      "nothing unless subnets is given (without subnets the service's network configuration is used as it is)",
    );
  }

  const launchType = read.has('launch-type') ? read.choice('launch-type', LAUNCH_TYPES) : undefined;
  const strategy = readCapacityProviderStrategy(read);
  if (launchType !== undefined && strategy.length > 0) {
    throw new InputError(
      'GANTRY-RUNTASK-009',
      'capacity-provider-strategy',
      read.raw('capacity-provider-strategy'),
      'nothing when launch-type is given (ECS takes one or the other)',
    );
  }

  const startedBy = read.optional('started-by') ?? defaultStartedBy(env);
  if (!STARTED_BY.test(startedBy))
    throw new InputError('GANTRY-RUNTASK-010', 'started-by', startedBy, 'at most 36 letters, digits, "-", "_" and "/" (the ECS limit)');

  const tags = read.keyValues('tags', TAG_KEY);
  if (tags.size > 40)
    throw new InputError('GANTRY-RUNTASK-011', 'tags', `${tags.size} tags`, 'at most 40 tags (ECS allows 50; gantry adds its own)');
  for (const [key, value] of tags) {
    if (/^aws:/i.test(key)) throw new InputError('GANTRY-RUNTASK-012', 'tags', `${key}=…`, 'no keys starting with aws: (reserved by AWS)');
    if (!TAG_VALUE.test(value))
      throw new InputError('GANTRY-RUNTASK-013', 'tags', `${key}=…`, 'values of at most 256 letters, digits, spaces and + - = . _ : / @');
  }

  const timeoutSeconds = read.seconds('timeout-seconds', { default: 900, min: 1, max: 6 * 3600 });
  const pollIntervalSeconds = read.seconds('poll-interval-seconds', { default: 10, min: 1, max: 300 });
  if (pollIntervalSeconds > timeoutSeconds) {
    throw new InputError(
      'GANTRY-RUNTASK-014',
      'poll-interval-seconds',
      read.raw('poll-interval-seconds'),
      `at most timeout-seconds (${timeoutSeconds})`,
    );
  }

  const command = parseCommand(read.raw('command'));
  if (checkOnly && command === undefined) {
    // A migration input of only white space passes `!= ''` in a workflow: refuse it here, before
    // anything is registered for it, rather than run the container's own command (its server).
    throw new InputError(
      'GANTRY-RUNTASK-040',
      'command',
      undefined,
      `${COMMAND_EXPECTED} when check-only is true, not an empty one or only white space (check-only checks the command a migration will run)`,
    );
  }

  return {
    cluster,
    'task-definition-arn': taskDefinitionArn,
    'check-only': checkOnly,
    'task-definition': templatePath === undefined ? undefined : readTemplateFile(read.raw('task-definition'), templatePath),
    container,
    command,
    service,
    subnets,
    'security-groups': securityGroups,
    'assign-public-ip': assignPublicIp,
    'launch-type': launchType,
    'capacity-provider-strategy': strategy,
    'started-by': startedBy,
    tags,
    'timeout-seconds': timeoutSeconds,
    'poll-interval-seconds': pollIntervalSeconds,
    'log-lines': read.integer('log-lines', { default: 20, min: 0, max: 1000 }),
    'aws-region': read.optional('aws-region'),
    'endpoint-url': read.optional('endpoint-url'),
  };
}

/**
 * `npm run migrate` → ['npm', 'run', 'migrate'] (split on white space, no shell quoting), or a JSON
 * array of strings as it is. Empty input → undefined (the container's own command).
 */
export function parseCommand(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  let words: unknown;
  if (text.startsWith('[')) {
    try {
      words = JSON.parse(text);
    } catch (err) {
      throw new InputError(
        'GANTRY-RUNTASK-015',
        'command',
        text,
        `${COMMAND_EXPECTED} (not valid JSON: ${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (!Array.isArray(words) || !words.every((w) => typeof w === 'string'))
      throw new InputError('GANTRY-RUNTASK-016', 'command', text, COMMAND_EXPECTED);
  } else {
    words = text.split(/\s+/);
  }
  const command = words as string[];
  if (command.length === 0 || command[0].trim() === '')
    throw new InputError('GANTRY-RUNTASK-017', 'command', text, `${COMMAND_EXPECTED}, not an empty one`);
  if (JSON.stringify(command).length > MAX_COMMAND_JSON) {
    throw new InputError(
      'GANTRY-RUNTASK-018',
      'command',
      text,
      `a command of at most ${MAX_COMMAND_JSON} characters as JSON (ECS allows 8192 characters of overrides)`,
    );
  }
  return command;
}

/** Lines `PROVIDER=WEIGHT` or `PROVIDER=WEIGHT:BASE`. */
function readCapacityProviderStrategy(read: InputReader): CapacityProviderItem[] {
  const pairs = read.keyValues('capacity-provider-strategy', PROVIDER);
  const expected = 'lines PROVIDER=WEIGHT or PROVIDER=WEIGHT:BASE (weight 0–1000, base 0–100000), such as FARGATE_SPOT=1';
  const items = [...pairs].map(([capacityProvider, value]) => {
    const match = /^(\d{1,4})(?::(\d{1,6}))?$/.exec(value);
    if (!match || Number(match[1]) > 1000 || (match[2] !== undefined && Number(match[2]) > 100000)) {
      throw new InputError('GANTRY-RUNTASK-019', 'capacity-provider-strategy', `${capacityProvider}=${value}`, expected);
    }
    return { capacityProvider, weight: Number(match[1]), ...(match[2] !== undefined ? { base: Number(match[2]) } : {}) };
  });
  if (items.length > 20)
    throw new InputError(
      'GANTRY-RUNTASK-020',
      'capacity-provider-strategy',
      `${items.length} providers`,
      'at most 20 capacity providers (the ECS limit)',
    );
  if (items.filter((i) => (i.base ?? 0) > 0).length > 1)
    throw new InputError(
      'GANTRY-RUNTASK-021',
      'capacity-provider-strategy',
      read.raw('capacity-provider-strategy'),
      'a base on at most one provider',
    );
  return items;
}

function defaultStartedBy(env: Env): string {
  return env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID) ? `gantry/run-task/${env.GITHUB_RUN_ID}` : 'gantry/run-task';
}
