import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/runner/errors';
import { diffTaskDefinitions } from './diff';
import type { ImageAssignment } from './inputs';
import { mergeEnvironment, renderTaskDefinition, resolveTargets, type ReleaseInfo } from './render';
import {
  TemplateError,
  registerView,
  templateFromDescribe,
  templateFromJson,
  type ContainerDefinitionInput,
} from '../../../lib/ecs/task-definition-template';

const registerFormat = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  containerDefinitions: [
    {
      name: 'app',
      image: 'registry.example.com/shop/web:old',
      essential: true,
      environment: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'EMPTY', value: '' },
        { name: 'DEPLOY_VERSION', value: '0.9.0' },
      ],
      dockerLabels: { team: 'shop', 'org.opencontainers.image.version': '0.9.0' },
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
    },
    {
      name: 'log-router',
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
      essential: false,
      firelensConfiguration: { type: 'fluentbit' },
    },
  ],
  tags: [
    { key: 'team', value: 'shop' },
    { key: 'gantry:git-sha', value: 'deadbee' },
    { key: 'gantry:status', value: 'deployed' },
  ],
  ephemeralStorage: { sizeInGiB: 30 },
};

const describeOutput = {
  taskDefinition: {
    ...registerFormat,
    tags: undefined,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6',
    revision: 6,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: '2024-05-01T10:00:00.000Z',
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/gh',
  },
  tags: [
    { key: 'team', value: 'shop' },
    { key: 'gantry:git-sha', value: 'deadbee' },
  ],
};

const release: ReleaseInfo = {
  gitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  version: '1.4.0',
  environment: 'staging',
  runUrl: 'https://github.com/acme/shop/actions/runs/4242',
  actor: 'octocat',
  sourceUrl: 'https://github.com/acme/shop',
  previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6',
  deployedAt: '2024-05-01T10:00:00.000Z',
};

const image = (value: string, container?: string): ImageAssignment => ({ image: value, container, input: container ? 'images' : 'image' });

describe('templates', () => {
  it('accepts the register format, keeping fields gantry does not touch and empty strings', () => {
    const template = templateFromJson(structuredClone(registerFormat), 'td.json');
    expect(template.tags).toEqual({ team: 'shop', 'gantry:git-sha': 'deadbee', 'gantry:status': 'deployed' });
    expect(template.definition).not.toHaveProperty('tags');
    expect(template.definition).toHaveProperty('ephemeralStorage', { sizeInGiB: 30 });
    expect(template.definition.containerDefinitions?.[0].environment).toContainEqual({ name: 'EMPTY', value: '' });
  });

  it('accepts describe-task-definition output: unwraps, drops read-only fields, keeps the tags', () => {
    const template = templateFromJson(structuredClone(describeOutput), 'td.json');
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(template.definition).not.toHaveProperty(field);
    }
    expect(template.definition.family).toBe('web');
    expect(template.tags).toEqual({ team: 'shop', 'gantry:git-sha': 'deadbee' });
  });

  it.each([
    ['an array', [], /a JSON object, got an array/],
    ['no family', { containerDefinitions: [{ name: 'a' }] }, /"family"/],
    ['no containers', { family: 'web', containerDefinitions: [] }, /non-empty "containerDefinitions"/],
    ['a container without name', { family: 'web', containerDefinitions: [{ image: 'x' }] }, /containerDefinitions\[0\] has a "name"/],
    ['bad tags', { family: 'web', containerDefinitions: [{ name: 'a' }], tags: { team: 'x' } }, /"tags" as an array/],
    // What the SDK's serializer would drop without a word is refused, so the dry-run shows what is registered.
    [
      'valueFrom inside environment[]',
      {
        family: 'web',
        containerDefinitions: [
          { name: 'db', environment: [{ name: 'POSTGRES_USER', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' }] },
        ],
      },
      'a task definition RegisterTaskDefinition accepts: containerDefinitions[db].environment[POSTGRES_USER].valueFrom: valueFrom belongs in secrets[] ({ "name", "valueFrom" }), not environment[]: ECS would register the entry with no value',
    ],
    [
      'value inside secrets[]',
      { family: 'web', containerDefinitions: [{ name: 'a', secrets: [{ name: 'TOKEN', value: 'x' }] }] },
      /containerDefinitions\[a\]\.secrets\[TOKEN\]\.value: a plain value belongs in environment\[\]/,
    ],
    [
      'a field the API does not have',
      { family: 'web', someFieldTheApiAddedLater: true, containerDefinitions: [{ name: 'a' }] },
      /someFieldTheApiAddedLater is not a field RegisterTaskDefinition accepts here \(the SDK would drop it silently\); allowed: family, containerDefinitions, /,
    ],
    [
      'an unknown container field',
      { family: 'web', containerDefinitions: [{ name: 'a', healthcheck: { command: ['x'] } }] },
      /containerDefinitions\[a\]\.healthcheck is not a field RegisterTaskDefinition accepts: did you mean "healthCheck"\?/,
    ],
    [
      'CloudFormation casing',
      { family: 'web', ContainerDefinitions: [], containerDefinitions: [{ name: 'a' }] },
      /ContainerDefinitions is not a field .* did you mean "containerDefinitions"\?/,
    ],
    [
      'a number as a string',
      { family: 'web', containerDefinitions: [{ name: 'a', memory: '512' }] },
      /containerDefinitions\[a\]\.memory must be a number \(got a string\)/,
    ],
    [
      'an environment value as a number (type only, never the value)',
      { family: 'web', containerDefinitions: [{ name: 'a', environment: [{ name: 'PIN', value: 4711 }] }] },
      'a task definition RegisterTaskDefinition accepts: containerDefinitions[a].environment[PIN].value must be a string (got a number)',
    ],
    [
      'a list where an object belongs',
      { family: 'web', containerDefinitions: [{ name: 'a', logConfiguration: [] }] },
      /containerDefinitions\[a\]\.logConfiguration must be an object \(got a list\)/,
    ],
    [
      'docker labels that are not strings',
      { family: 'web', containerDefinitions: [{ name: 'a', dockerLabels: { tier: 1 } }] },
      /containerDefinitions\[a\]\.dockerLabels\["tier"\] must be a string \(got a number\)/,
    ],
  ])('rejects %s', (_name, json, message) => {
    expect(() => templateFromJson(json, 'td.json')).toThrow(TemplateError);
    expect(() => templateFromJson(json, 'td.json')).toThrow(message);
  });

  it('uses the live revision (SDK output) with its tags as a template', () => {
    const out = {
      taskDefinition: { ...describeOutput.taskDefinition, registeredAt: new Date() },
      tags: describeOutput.tags,
    } as unknown as Parameters<typeof templateFromDescribe>[0];
    const template = templateFromDescribe(out, 'web:6');
    expect(template.definition).not.toHaveProperty('registeredAt');
    expect(template.tags.team).toBe('shop');
    expect(registerView(out).tags).toContainEqual({ key: 'team', value: 'shop' });
  });
});

describe('renderTaskDefinition', () => {
  const render = (images: ImageAssignment[], environment = new Map<string, string>(), info: ReleaseInfo = release) =>
    renderTaskDefinition({ template: templateFromJson(structuredClone(registerFormat), 'td.json'), images, environment, release: info });

  it('puts the image into the only essential container with all release metadata', () => {
    const rendered = render(
      [image('registry.example.com/shop/web:a1b2c3d')],
      new Map([
        ['LOG_LEVEL', 'debug'],
        ['FEATURE_X', 'on'],
      ]),
    );
    expect(rendered.targets).toEqual([{ container: 'app', image: 'registry.example.com/shop/web:a1b2c3d' }]);
    const [app, sidecar] = rendered.input.containerDefinitions as ContainerDefinitionInput[];
    expect(app.image).toBe('registry.example.com/shop/web:a1b2c3d');
    expect(app.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'EMPTY', value: '' },
      { name: 'DEPLOY_VERSION', value: '1.4.0' },
      { name: 'FEATURE_X', value: 'on' },
      { name: 'DEPLOY_GIT_SHA', value: release.gitSha },
    ]);
    expect(app.dockerLabels).toEqual({
      team: 'shop',
      'org.opencontainers.image.revision': release.gitSha,
      'org.opencontainers.image.version': '1.4.0',
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
    });
    expect(sidecar).toEqual(registerFormat.containerDefinitions[1]);
    expect(rendered.input).toHaveProperty('ephemeralStorage', { sizeInGiB: 30 });
    expect(rendered.tags).toEqual({
      team: 'shop',
      'gantry:git-sha': release.gitSha,
      'gantry:version': '1.4.0',
      'gantry:environment': 'staging',
      'gantry:run-url': release.runUrl,
      'gantry:actor': 'octocat',
      'gantry:previous': release.previousTaskDefinitionArn,
      'gantry:deployed-at': release.deployedAt,
      'gantry:status': 'pending',
    });
    expect(rendered.input.tags).toContainEqual({ key: 'gantry:status', value: 'pending' });
  });

  it('without a version drops the stale DEPLOY_VERSION, version label and tag of the previous release', () => {
    const rendered = render([image('registry.example.com/shop/web:a1b2c3d')], new Map(), {
      ...release,
      version: undefined,
      environment: undefined,
    });
    const app = rendered.input.containerDefinitions?.[0] as ContainerDefinitionInput;
    expect(app.environment?.map((e) => e.name)).toEqual(['LOG_LEVEL', 'EMPTY', 'DEPLOY_GIT_SHA']);
    expect(app.dockerLabels).not.toHaveProperty('org.opencontainers.image.version');
    expect(rendered.tags).not.toHaveProperty('gantry:version');
    expect(rendered.tags).not.toHaveProperty('gantry:environment');
  });

  it('sets several containers from images, env and labels on each target', () => {
    const rendered = render(
      [image('registry.example.com/shop/web:v2', 'app'), image('registry.example.com/shop/fluent-bit:v2', 'log-router')],
      new Map([['REGION', 'eu']]),
    );
    const [app, sidecar] = rendered.input.containerDefinitions as ContainerDefinitionInput[];
    expect([app.image, sidecar.image]).toEqual(['registry.example.com/shop/web:v2', 'registry.example.com/shop/fluent-bit:v2']);
    expect(sidecar.environment).toEqual([
      { name: 'REGION', value: 'eu' },
      { name: 'DEPLOY_GIT_SHA', value: release.gitSha },
      { name: 'DEPLOY_VERSION', value: '1.4.0' },
    ]);
    expect(sidecar.dockerLabels?.['org.opencontainers.image.revision']).toBe(release.gitSha);
  });

  it('never changes the template it was given', () => {
    const template = templateFromJson(structuredClone(registerFormat), 'td.json');
    const before = structuredClone(template);
    renderTaskDefinition({ template, images: [image('r/web:1')], environment: new Map(), release });
    expect(template).toEqual(before);
  });
});

describe('resolveTargets', () => {
  const containers = [{ name: 'app' }, { name: 'worker' }, { name: 'proxy', essential: false }];
  it('names the containers when the default is ambiguous', () => {
    const error = (() => {
      try {
        resolveTargets(containers, [image('r/web:1')]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^Input 'container-name' is missing: .*2 essential containers among 'app', 'worker', 'proxy'/,
    );
  });
  it('names the input that referred to an unknown container', () => {
    expect(() => resolveTargets(containers, [{ image: 'r/web:1', container: 'api', input: 'image' }])).toThrow(
      /^Input 'container-name' has value 'api': expected a container of the task definition: one of 'app', 'worker', 'proxy'/,
    );
    expect(() => resolveTargets(containers, [{ image: 'r/web:1', container: 'api', input: 'images' }])).toThrow(
      /^Input 'images' has value 'api=r\/web:1'/,
    );
  });
  it('takes the only container even when it is not marked essential', () => {
    expect(resolveTargets([{ name: 'solo', essential: false }], [image('r/web:1')])).toEqual([{ container: 'solo', image: 'r/web:1' }]);
  });
});

describe('mergeEnvironment', () => {
  it('replaces in place, appends new ones, keeps other fields', () => {
    expect(
      mergeEnvironment(
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        new Map([
          ['B', 'x'],
          ['C', ''],
        ]),
        { gitSha: 'abc1234' },
      ),
    ).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x' },
      { name: 'C', value: '' },
      { name: 'DEPLOY_GIT_SHA', value: 'abc1234' },
    ]);
  });
});

describe('diffTaskDefinitions', () => {
  it('shows changes by container and variable name', () => {
    const live = {
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: 'r/web:1',
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
      tags: [{ key: 'team', value: 'x' }],
    };
    const next = {
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: 'r/web:2',
          environment: [
            { name: 'A', value: '1' },
            { name: 'C', value: '3' },
          ],
        },
      ],
      tags: [
        { key: 'team', value: 'x' },
        { key: 'gantry:git-sha', value: 'abc' },
      ],
    };
    expect(diffTaskDefinitions(live, next)).toEqual([
      '~ containerDefinitions[app].image: "r/web:1" → "r/web:2"',
      '+ containerDefinitions[app].environment[C]: (value not shown)',
      '+ tags[gantry:git-sha]: "abc"',
      '- containerDefinitions[app].environment[B]: (value not shown)',
    ]);
    expect(diffTaskDefinitions(live, structuredClone(live))).toEqual([]);
  });

  it('never prints environment values, except the release variables gantry sets', () => {
    const container = (env: Record<string, string>) => ({
      name: 'app',
      environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    });
    const live = { containerDefinitions: [container({ DATABASE_URL: 'postgres://u:hunter2@db/x', DEPLOY_GIT_SHA: 'aaa' })] };
    const next = {
      containerDefinitions: [container({ DATABASE_URL: 'postgres://u:s3cret@db/x', DEPLOY_GIT_SHA: 'bbb', DEPLOY_VERSION: '1.2.0' })],
    };
    const lines = diffTaskDefinitions(live, next);
    expect(lines).toEqual([
      '~ containerDefinitions[app].environment[DATABASE_URL]: value changed (not shown)',
      '~ containerDefinitions[app].environment[DEPLOY_GIT_SHA]: "aaa" → "bbb"',
      '+ containerDefinitions[app].environment[DEPLOY_VERSION]: "1.2.0"',
    ]);
    expect(lines.join('\n')).not.toMatch(/hunter2|s3cret/);
  });
});
