/**
 * Every input of the release gate, per command, validated before any GitHub or AWS call: a bad input
 * fails naming it, and nothing is asked or changed.
 */
import { checkArnScope } from '../../../lib/aws/arns';
import { awsClientConfig } from '../../../lib/aws/config';
import { InputError } from '../../../lib/runner/errors';
import { InputReader, type Env } from '../../../lib/runner/inputs';
import { parseVersion } from '../../../lib/ecs/metadata';
import { MAX_SERVICES, parseServiceList, serviceName } from '../../../lib/ecs/service-list';

export const COMMANDS = ['resolve', 'promotion', 'image', 'record', 'services'] as const;
export type Command = (typeof COMMANDS)[number];
export const VERDICTS = ['not-required', 'proven', 'overridden'] as const;
export type Verdict = (typeof VERDICTS)[number];

const ENVIRONMENT_NAME = /^[A-Za-z0-9_-]+$/;
const FULL_SHA = /^[0-9a-f]{40}$/;
const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** git check-ref-format, the part a branch name in an API path needs: no spaces, no `..`, no control characters. */
const BRANCH_NAME = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;
const ECR_REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
const IMAGE_BY_DIGEST = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
/** A ref the caller may ask for: a SHA, a tag or branch name (what actions/checkout takes). */
const REF = /^[A-Za-z0-9._/+-]{1,200}$/;

/** The rule for an override reason: long enough to say something, and pointing at the record of why. */
export const OVERRIDE_REASON_MIN = 20;
const OVERRIDE_REASON_MAX = 1024;
const REASON_REFERENCE = /\b[A-Z][A-Z0-9]+-\d+\b|(?:^|\s)#\d+\b|\bhttps:\/\/\S+/;
export const OVERRIDE_REASON_EXPECTED = `a reason of at least ${OVERRIDE_REASON_MIN} characters that names the ticket, incident or change behind it: a key such as INC-123, an issue such as #123, or an https:// link`;

/** Environments that must be promoted into: any name containing "prod", in any case (production, Prod, prod-eu, production-eu). */
export function isProductionName(environment: string): boolean {
  return /prod/i.test(environment);
}

export interface Common {
  command: Command;
  environment: string;
  token: string;
  repository: string;
  apiUrl: string;
  serverUrl: string;
}

export interface ResolveInputs extends Common {
  command: 'resolve';
  ref: string | undefined;
  version: string | undefined;
  promoteFrom: string | undefined;
  productionBranch: string;
  runSha: string;
}

export interface PromotionInputs extends Common {
  command: 'promotion';
  sha: string;
  promoteFrom: string | undefined;
  promoteFromBranch: string;
  allowUnpromoted: boolean;
  reason: string | undefined;
  gantry: string;
  actor: string;
}

export interface ImageInputs extends Common {
  command: 'image';
  sha: string;
  ecrRepository: string;
  digest: string;
  region: string | undefined;
  endpointUrl: string | undefined;
}

export interface RecordInputs extends Common {
  command: 'record';
  sha: string;
  /** The one revision deployed (`task-definition-arn`), or the first of `task-definition-arns`. */
  taskDefinitionArn: string;
  /** Every revision the release deployed: `[taskDefinitionArn]` for one service, `task-definition-arns` for a list. */
  taskDefinitionArns: string[];
  /** Whether the revisions came as a list (`task-definition-arns`): the annotation then names them all. */
  list: boolean;
  image: string;
  promotion: Verdict;
  reason: string | undefined;
  /** How long the record may take, reading it back included (its AWS calls end at this deadline). */
  timeoutSeconds: number;
  region: string | undefined;
  endpointUrl: string | undefined;
}

/** The list a workflow call deploys or rolls back, to name the call (services.ts). */
export interface ServicesInputs extends Common {
  command: 'services';
  cluster: string;
  /** Each entry's service, in list order. */
  services: string[];
  /** Each entry's `task-definition` file (deploy-ecs lists), in list order; undefined where it has none. */
  taskDefinitions: (string | undefined)[];
  /** deploy.yml's migration-service: which entry's revision the migration runs from (by name or ARN); undefined = the first. */
  migrationService: string | undefined;
}

export type Inputs = ResolveInputs | PromotionInputs | ImageInputs | RecordInputs | ServicesInputs;

/** The keys an entry of the list may carry besides `service`: deploy-ecs's (as deploy.yml passes them on) or rollback's. */
export const SERVICE_LIST_KEYS = { 'deploy-ecs': ['task-definition', 'container-name'], rollback: ['target'] } as const;

function environmentName(read: InputReader, name: string, required: boolean): string | undefined {
  const value = required ? read.required(name, 'an environment name (letters, digits, - and _)') : read.optional(name);
  if (value !== undefined && !ENVIRONMENT_NAME.test(value))
    throw new InputError('GANTRY-GATE-011', name, value, 'an environment name (letters, digits, - and _)');
  return value;
}

function fullSha(read: InputReader): string {
  const value = read.required('sha', "the full 40-character commit SHA (the resolve job's sha output)");
  if (!FULL_SHA.test(value)) throw new InputError('GANTRY-GATE-012', 'sha', value, 'a full 40-character lower-case commit SHA');
  return value;
}

function branch(read: InputReader, name: string, fallback: string): string {
  const value = read.optional(name) ?? fallback;
  if (!BRANCH_NAME.test(value)) throw new InputError('GANTRY-GATE-013', name, value, 'a branch name (letters, digits, . _ / -)');
  return value;
}

/** The override reason, checked against the rule whenever the override is asked for. */
export function checkOverrideReason(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text.length < OVERRIDE_REASON_MIN || !REASON_REFERENCE.test(text))
    throw new InputError('GANTRY-GATE-014', 'override-reason', text, OVERRIDE_REASON_EXPECTED);
  if (text.length > OVERRIDE_REASON_MAX)
    throw new InputError('GANTRY-GATE-015', 'override-reason', text, `at most ${OVERRIDE_REASON_MAX} characters (it has ${text.length})`);
  return text;
}

function common(read: InputReader, env: Env, command: Command, needsToken: boolean): Common {
  const environment = environmentName(read, 'environment', true) as string;
  const token = read.optional('github-token') ?? '';
  if (needsToken && token === '')
    throw new InputError(
      'GANTRY-GATE-016',
      'github-token',
      undefined,
      'a token that can read the repository, its deployments, Actions runs and checks (github.token)',
    );
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (needsToken && !REPOSITORY_NAME.test(repository))
    throw new InputError('GANTRY-GATE-017', 'GITHUB_REPOSITORY', repository, 'owner/name (set by the runner)');
  return {
    command,
    environment,
    token,
    repository,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
  };
}

export function getInputs(env: Env = process.env): Inputs {
  const read = new InputReader(env);
  const command = read.choice('command', COMMANDS);
  if (command === 'resolve') {
    const base = common(read, env, command, false);
    const ref = read.optional('ref');
    if (ref !== undefined && !REF.test(ref))
      throw new InputError('GANTRY-GATE-018', 'ref', ref, 'a commit SHA, tag or branch name (letters, digits, . _ / + -)');
    const version = read.optional('version');
    // Written to GITHUB_OUTPUT and tags: one semantic version, nothing else (a newline would inject outputs).
    if (version !== undefined && parseVersion(version) === undefined)
      throw new InputError('GANTRY-GATE-019', 'version', version, 'a semantic version such as 1.2.3 or v1.2.3-rc.1');
    const promoteFrom = environmentName(read, 'promote-from', false);
    const runSha = env.GITHUB_SHA ?? '';
    if (!FULL_SHA.test(runSha))
      throw new InputError('GANTRY-GATE-020', 'GITHUB_SHA', runSha, 'the full commit SHA of the run (set by the runner)');
    const resolve: ResolveInputs = {
      ...base,
      command,
      ref,
      version,
      promoteFrom,
      productionBranch: branch(read, 'production-branch', 'main'),
      runSha,
    };
    if (promoteFrom !== undefined || isProductionName(base.environment)) {
      if (resolve.token === '')
        throw new InputError(
          'GANTRY-GATE-021',
          'github-token',
          undefined,
          'a token that can read the repository (to check the commit is reachable from production-branch)',
        );
      if (!REPOSITORY_NAME.test(resolve.repository))
        throw new InputError('GANTRY-GATE-017', 'GITHUB_REPOSITORY', resolve.repository, 'owner/name (set by the runner)');
    }
    return resolve;
  }
  if (command === 'promotion') {
    const promoteFrom = environmentName(read, 'promote-from', false);
    const base = common(read, env, command, promoteFrom !== undefined);
    const sha = fullSha(read);
    if (promoteFrom !== undefined && promoteFrom === base.environment) {
      throw new InputError(
        'GANTRY-GATE-022',
        'promote-from',
        promoteFrom,
        `the environment that must deploy a commit before ${base.environment} (e.g. staging), not ${base.environment} itself`,
      );
    }
    const allowUnpromoted = read.boolean('allow-unpromoted', false);
    const rawReason = read.optional('override-reason');
    const reason = allowUnpromoted ? checkOverrideReason(rawReason) : rawReason;
    const gantry = read.optional('gantry-repository') ?? '';
    if (promoteFrom !== undefined && !REPOSITORY_NAME.test(gantry)) {
      throw new InputError(
        'GANTRY-GATE-023',
        'gantry-repository',
        gantry,
        'owner/name of gantry (job.workflow_repository): the repository whose deploy workflow a staging deployment must come from',
      );
    }
    return {
      ...base,
      command,
      sha,
      promoteFrom,
      promoteFromBranch: branch(read, 'promote-from-branch', 'develop'),
      allowUnpromoted,
      reason,
      gantry,
      actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || 'unknown',
    };
  }
  if (command === 'image') {
    const base = common(read, env, command, false);
    const sha = fullSha(read);
    const ecrRepository = read.required('ecr-repository', 'the ECR repository name');
    if (!ECR_REPOSITORY.test(ecrRepository))
      throw new InputError(
        'GANTRY-GATE-024',
        'ecr-repository',
        ecrRepository,
        'an ECR repository name (lower-case letters, digits, . _ - and /)',
      );
    const digest = read.required(
      'image-digest',
      "the sha256 digest to deploy: the first environment's build, the staging evidence's (a proven promotion), or override-image-digest (an override)",
    );
    if (!DIGEST.test(digest))
      throw new InputError(
        'GANTRY-GATE-025',
        'image-digest',
        digest,
        'sha256:<64 lower-case hex> (the digest of the build, or of the staging evidence)',
      );
    return {
      ...base,
      command,
      sha,
      ecrRepository,
      digest,
      region: read.optional('aws-region'),
      endpointUrl: read.optional('endpoint-url'),
    };
  }
  if (command === 'services') {
    const base = common(read, env, command, false);
    const cluster = read.ecsNameOrArn('cluster', 'cluster');
    const keys = SERVICE_LIST_KEYS[read.choice('services-for', ['deploy-ecs', 'rollback'] as const, 'deploy-ecs')];
    const entries = parseServiceList(read.required('services', 'a YAML list of services'), cluster, keys);
    const services = entries.map((e) => e.service);
    const taskDefinitions = entries.map((e) => e.fields['task-definition']);
    const migrationService = read.optional('migration-service');
    if (migrationService !== undefined && !services.some((s) => serviceName(s) === serviceName(migrationService)))
      throw new InputError(
        'GANTRY-GATE-045',
        'migration-service',
        migrationService,
        `one of the services of the list (${services.map(serviceName).join(', ')}): the entry whose new revision runs the migration`,
      );
    return { ...base, command, cluster, services, taskDefinitions, migrationService };
  }
  const base = common(read, env, command, false);
  const sha = fullSha(read);
  const taskDefinitionArns = readTaskDefinitionArns(read);
  // An ARN of another region than the client's is refused before any AWS call (lib/aws/arns.ts says why).
  checkArnScope(
    taskDefinitionArns.arns.map((value) => ({ input: taskDefinitionArns.input, value })),
    { region: awsClientConfig({ region: read.optional('aws-region'), endpointUrl: read.optional('endpoint-url') }, env).region },
  );
  const taskDefinitionArn = taskDefinitionArns.arns[0] as string;
  const image = read.required('image', 'the image deployed, repo@sha256:<digest>');
  if (!IMAGE_BY_DIGEST.test(image))
    throw new InputError('GANTRY-GATE-027', 'image', image, 'an image by digest: <registry>/<repository>@sha256:<64 hex>');
  const promotion = read.choice('promotion', VERDICTS);
  const rawReason = read.optional('override-reason');
  const reason = promotion === 'overridden' ? checkOverrideReason(rawReason) : undefined;
  const timeoutSeconds = read.seconds('timeout-seconds', { default: 60, min: 1, max: 3600 });
  return {
    ...base,
    command,
    sha,
    taskDefinitionArn,
    taskDefinitionArns: taskDefinitionArns.arns,
    list: taskDefinitionArns.input === 'task-definition-arns',
    image,
    promotion,
    reason,
    timeoutSeconds,
    region: read.optional('aws-region'),
    endpointUrl: read.optional('endpoint-url'),
  };
}

const TASK_DEFINITION_ARN_EXPECTED = 'a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)';

/**
 * `task-definition-arn` (one service) or `task-definition-arns` (a list's revisions, separated by
 * spaces, commas or new lines: what deploy.yml joins from deploy-ecs's `services` output); exactly one.
 */
function readTaskDefinitionArns(read: InputReader): { input: 'task-definition-arn' | 'task-definition-arns'; arns: string[] } {
  if (read.has('task-definition-arns')) {
    if (read.has('task-definition-arn'))
      throw new InputError(
        'GANTRY-GATE-040',
        'task-definition-arn',
        read.raw('task-definition-arn'),
        "nothing when task-definition-arns is given (one input names the release's revisions)",
      );
    const arns = read
      .raw('task-definition-arns')
      .split(/[\s,]+/)
      .filter((arn) => arn !== '');
    if (arns.length > MAX_SERVICES)
      throw new InputError(
        'GANTRY-GATE-041',
        'task-definition-arns',
        `${arns.length} ARNs`,
        `at most ${MAX_SERVICES} revisions (one per service of a release)`,
      );
    const seen = new Set<string>();
    for (const arn of arns) {
      if (!TASK_DEFINITION_ARN.test(arn))
        throw new InputError('GANTRY-GATE-042', 'task-definition-arns', arn, TASK_DEFINITION_ARN_EXPECTED);
      if (seen.has(arn)) throw new InputError('GANTRY-GATE-043', 'task-definition-arns', arn, 'each revision once');
      seen.add(arn);
    }
    return { input: 'task-definition-arns', arns };
  }
  const arn = read.required('task-definition-arn', 'the task definition ARN deploy-ecs deployed');
  if (!TASK_DEFINITION_ARN.test(arn)) throw new InputError('GANTRY-GATE-026', 'task-definition-arn', arn, TASK_DEFINITION_ARN_EXPECTED);
  return { input: 'task-definition-arn', arns: [arn] };
}
