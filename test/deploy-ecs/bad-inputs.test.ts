/**
 * Bad inputs through the bundle (runner harness) against moto_server: each one fails the step
 * with exit code 1 and a message naming the input, and the emulator holds no new task
 * definition revision afterwards (nothing registered, service untouched).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFailureCode, runAction } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { CLUSTER, REGISTRY, SERVICE, appContainer, createService, serviceTaskDefinition, taskDefinitionArns } from './moto-setup';

let moto: MotoServer;
let ecs: ECSClient;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  ecs = ecsClientFor(moto.url);
  await createService(ecs);
  await createService(ecs, {
    service: 'multi',
    family: 'multi',
    containers: [appContainer(), { name: 'worker', image: `${REGISTRY}/worker:1.0.0`, essential: true }],
  });
  workspace = mkdtempSync(path.join(os.tmpdir(), 'deploy-ecs-bad-'));
  writeFileSync(path.join(workspace, 'broken.json'), '{ "family": "web", "containerDefinitions": [ ');
  writeFileSync(
    path.join(workspace, 'web.json'),
    JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/web:1`, essential: true }] }),
  );
  writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0' }));
  const container = `{ "name": "app", "image": "${REGISTRY}/web:1", "essential": true }`;
  writeFileSync(
    path.join(workspace, 'dup-family.json'),
    `{\n  "family": "web",\n  "containerDefinitions": [${container}],\n  "family": "payments"\n}\n`,
  );
  writeFileSync(
    path.join(workspace, 'deep.json'),
    `{ "family": "web", "containerDefinitions": ${'['.repeat(100_000)}${']'.repeat(100_000)} }`,
  );
  // The shape of a public task definition that put Secrets Manager references in environment[].
  writeFileSync(
    path.join(workspace, 'value-from-in-environment.json'),
    JSON.stringify({
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: `${REGISTRY}/web:1`,
          essential: true,
          environment: [
            { name: 'POSTGRES_HOST', value: 'db' },
            { name: 'POSTGRES_USER', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-user' },
          ],
        },
      ],
    }),
  );
  writeFileSync(
    path.join(workspace, 'nul-env.json'),
    `{ "family": "web", "containerDefinitions": [{ "name": "app", "image": "${REGISTRY}/web:1", "environment": [{ "name": "A", "value": "x\\u0000y" }] }] }`,
  );
});
afterAll(async () => {
  await moto?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const good = { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:a1b2c3d` };
const SD_ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/AbCdEfGhIjKlMnOpQrStUv';

// [case, inputs (merged over a good deploy; '' removes one), input named, what the message says]
const cases: [string, Record<string, string>, string, RegExp][] = [
  ['missing cluster', { cluster: '' }, 'cluster', /is missing/],
  ['missing service', { service: '' }, 'service', /is missing/],
  ['malformed service name', { service: 'web shop' }, 'service', /an ECS service name \(1 to 255 letters/],
  ['malformed image', { image: 'Shop/Web latest' }, 'image', /image URI with a tag or digest/],
  ['image without tag or digest', { image: `${REGISTRY}/web` }, 'image', /tag or digest/],
  ['no image at all', { image: '' }, 'image', /required unless 'images' or 'task-definition-arn'/],
  ['unknown container', { 'container-name': 'api' }, 'container-name', /one of 'app'/],
  ['ambiguous container', { service: 'multi' }, 'container-name', /2 essential containers among 'app', 'worker'/],
  ['task definition file missing', { 'task-definition': 'task-definition.json' }, 'task-definition', /existing file/],
  ['task definition file invalid JSON', { 'task-definition': 'broken.json' }, 'task-definition', /not valid JSON/],
  [
    'task definition with "family" twice',
    { 'task-definition': 'dup-family.json' },
    'task-definition',
    /expected a JSON task definition \(.*dup-family\.json:4: duplicate key "family" \(lines 2 and 4\): JSON keeps only the last/,
  ],
  [
    'task definition nested 100,000 deep',
    { 'task-definition': 'deep.json' },
    'task-definition',
    /expected a JSON task definition \(.*deep\.json:1: nested more than 64 levels deep\)/,
  ],
  [
    'task definition with a NUL in a value',
    { 'task-definition': 'nul-env.json' },
    'task-definition',
    /nul-env\.json:1: a NUL character in the string at containerDefinitions\[0\]\.environment\[0\]\.value\)/,
  ],
  [
    'task definition outside the workspace',
    { 'task-definition': '../../etc/passwd' },
    'task-definition',
    /expected a path inside the workspace/,
  ],
  [
    'valueFrom inside environment[]',
    { 'task-definition': 'value-from-in-environment.json' },
    'task-definition',
    /containerDefinitions\[app\]\.environment\[POSTGRES_USER\]\.valueFrom: valueFrom belongs in secrets\[\]/,
  ],
  [
    'valueFrom inside environment[], dry-run too',
    { 'task-definition': 'value-from-in-environment.json', 'dry-run': 'true' },
    'task-definition',
    /valueFrom belongs in secrets\[\] \(\{ "name", "valueFrom" \}\), not environment\[\]: ECS would register the entry with no value/,
  ],
  ['task definition file not a task definition', { 'task-definition': 'package.json' }, 'task-definition', /task definition .* "family"/],
  ['images and image together', { images: `app=${REGISTRY}/web:a1b2c3d` }, 'images', /either 'images' or 'image'/],
  ['invalid semver', { version: '1.4' }, 'version', /semantic version/],
  ['non-numeric timeout', { 'timeout-seconds': 'ten minutes' }, 'timeout-seconds', /number of seconds/],
  ['interval below 1', { 'poll-interval-seconds': '0' }, 'poll-interval-seconds', /from 1 to 300/],
  ['unknown service', { service: 'nope' }, 'service', /existing service in cluster 'shop' \(DescribeServices reported MISSING\)/],
  ['unknown cluster', { cluster: 'nope' }, 'cluster', /existing ECS cluster/],
  [
    'unknown task definition revision',
    { image: '', 'task-definition-arn': 'web:99' },
    'task-definition-arn',
    /existing task definition revision/,
  ],
  [
    'malformed environment-variables line (never echoed)',
    { 'environment-variables': 'A=1\nghp_SECRETTOKEN1234' },
    'environment-variables',
    /^Input 'environment-variables' has value 'line 2 \(19 characters, not shown: it may hold a secret\)'/,
  ],
  ['reserved environment variable', { 'environment-variables': 'DEPLOY_VERSION=9.9.9' }, 'environment-variables', /gantry sets them/],
  ['wait not a boolean', { wait: 'yes' }, 'wait', /'true' or 'false'/],
  ['invalid region', { 'aws-region': 'moon' }, 'aws-region', /AWS region/],
  [
    'unknown gate stage',
    { 'gate-stages': 'POST_TEST_TRAFFIC_SHIFT BAKE' },
    'gate-stages',
    /has value 'BAKE': expected lifecycle stages where ECS can pause \(RECONCILE_SERVICE, .*POST_PRODUCTION_TRAFFIC_SHIFT\), or none/,
  ],
  [
    'gate at a stage PAUSE cannot hold',
    { 'gate-stages': 'PRODUCTION_TRAFFIC_SHIFT' },
    'gate-stages',
    /lifecycle stages where ECS can pause/,
  ],
  ['unknown gate action', { 'gate-action': 'approve' }, 'gate-action', /'continue' or 'rollback'/],
  [
    'gate action without the service deployment',
    { 'gate-action': 'continue', image: '' },
    'service-deployment-arn',
    /is missing: expected the service deployment ARN/,
  ],
  [
    'malformed service deployment ARN',
    { 'gate-action': 'rollback', image: '', 'service-deployment-arn': 'shop/web/123' },
    'service-deployment-arn',
    /service deployment ARN \(arn:aws:ecs:/,
  ],
  [
    'service deployment without gate action',
    { 'service-deployment-arn': SD_ARN },
    'service-deployment-arn',
    /nothing unless gate-action is given/,
  ],
  ['hook id without gate action', { 'hook-id': 'hook-1' }, 'hook-id', /nothing unless gate-action is given/],
  [
    'malformed hook id',
    { 'gate-action': 'continue', image: '', 'service-deployment-arn': SD_ARN, 'hook-id': 'bad id' },
    'hook-id',
    /a lifecycle hook id/,
  ],
  [
    'gate action with an image',
    { 'gate-action': 'continue', 'service-deployment-arn': SD_ARN },
    'image',
    /nothing when gate-action is given \(it answers the paused deployment/,
  ],
  [
    'service deployment of another region',
    { 'gate-action': 'continue', image: '', 'service-deployment-arn': SD_ARN.replace('us-east-1', 'eu-west-1') },
    'service-deployment-arn',
    /an ARN in the region the action calls, us-east-1 \(this ARN is in eu-west-1\)/,
  ],
  [
    'gate action with dry-run',
    { 'gate-action': 'continue', image: '', 'service-deployment-arn': SD_ARN, 'dry-run': 'true' },
    'dry-run',
    /false when gate-action is given/,
  ],
  ['log-lines not a number', { 'log-lines': 'all' }, 'log-lines', /an integer from 0 to 1000/],
  [
    'register-only with a promotion',
    { image: '', 'task-definition-arn': 'web:1', 'register-only': 'true' },
    'register-only',
    /false when task-definition-arn is given/,
  ],
  ['register-only with dry-run', { 'register-only': 'true', 'dry-run': 'true' }, 'register-only', /false with dry-run: true/],
  ['register-only not a boolean', { 'register-only': 'yes' }, 'register-only', /'true' or 'false'/],
  [
    'task definition ARN of another region',
    { image: '', 'task-definition-arn': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1' },
    'task-definition-arn',
    /expected an ARN in the region the action calls, us-east-1 \(this ARN is in eu-west-1\): set aws-region \(or AWS_REGION\) to eu-west-1/,
  ],
  [
    'cluster ARN of another account than aws-account-id',
    { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/shop', 'aws-account-id': '210987654321' },
    'cluster',
    /an ARN of account 210987654321, as aws-account-id says \(this ARN is of account 123456789012\)/,
  ],

  // services: a release of several services; '' service so that only the list names them.
  ...(
    [
      ['services with service', { service: SERVICE }, 'service', /nothing when 'services' is given \(name each service/],
      ['services with task-definition', { 'task-definition': 'web.json' }, 'task-definition', /nothing when 'services' is given/],
      ['services with container-name', { 'container-name': 'app' }, 'container-name', /nothing when 'services' is given/],
      ['services with images', { image: '', images: `app=${REGISTRY}/web:a1b2c3d` }, 'images', /a release shares one 'image'/],
      [
        'services with task-definition-arn',
        { image: '', 'task-definition-arn': 'web:1' },
        'task-definition-arn',
        /each entry names its own revision with its 'task-definition-arn'/,
      ],
      ['services with gate-action', { 'gate-action': 'continue' }, 'gate-action', /gates are answered one service at a time/],
      [
        'services: register-only with dry-run',
        { 'register-only': 'true', 'dry-run': 'true' },
        'register-only',
        /false with dry-run: true \(a dry run registers nothing/,
      ],
      [
        'services: register-only of given revisions',
        { image: '', 'register-only': 'true', services: '- service: web\n  task-definition-arn: web:1' },
        'register-only',
        /false when the entries of 'services' name their task-definition-arn/,
      ],
      [
        'services: task-definition-arn in some entries only',
        { image: '', services: '- service: web\n  task-definition-arn: web:1\n- service: multi\n  container-name: app' },
        'services',
        /'services\[2\] \(multi\)': expected a 'task-definition-arn' in every entry or in none/,
      ],
      [
        'services: a malformed task-definition-arn',
        { image: '', services: '- service: web\n  task-definition-arn: web' },
        'services',
        /services\[1\] \(web\) task-definition-arn=web.*a task definition ARN/,
      ],
      [
        'services: task-definition-arn beside a file',
        { image: '', services: '- service: web\n  task-definition-arn: web:1\n  task-definition: web.json' },
        'services',
        /no 'task-definition' beside 'task-definition-arn'/,
      ],
      [
        'services: task-definition-arn with an image',
        { services: '- service: web\n  task-definition-arn: web:1' },
        'image',
        /nothing when task-definition-arn is given \(a promotion deploys that revision as it is\)/,
      ],
      [
        'services: task-definition-arn with environment-variables',
        { image: '', 'environment-variables': 'LOG_LEVEL=debug', services: '- service: web\n  task-definition-arn: web:1' },
        'environment-variables',
        /'LOG_LEVEL=…': expected nothing when the entries of 'services' name their task-definition-arn/,
      ],
      [
        'services: a task-definition-arn of another region',
        { image: '', services: '- service: web\n  task-definition-arn: arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1' },
        'services',
        /an ARN in the region the action calls, us-east-1/,
      ],
      [
        'services: unknown container in its file',
        { services: '- service: web\n  task-definition: web.json\n  container-name: api' },
        'services',
        /services\[1\] \(web\) container-name=api.*expected a container of web\.json: one of 'app'/,
      ],
      [
        'services: unknown container in the live revision',
        { services: '- service: web\n- service: multi\n  container-name: api' },
        'services',
        /services\[2\] \(multi\) container-name=api.*one of 'app', 'worker'/,
      ],
      [
        'services: ambiguous container',
        { services: '- service: multi' },
        'services',
        /services\[1\] \(multi\) container-name.*2 essential containers/,
      ],
      [
        'services: 51 services',
        { services: Array.from({ length: 51 }, (_, i) => `- service: s${i}`).join('\n') },
        'services',
        /'51 services': expected at most 50 services in one release/,
      ],
      [
        'services: a service twice',
        { services: '- service: web\n- service: multi\n- service: web' },
        'services',
        /services\[3\]\.service=web.*each service once \(service 'web' is also services\[1\]\)/,
      ],
      [
        'services: a name and an ARN of one service',
        { services: `- service: web\n- service: arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/web` },
        'services',
        /each service once/,
      ],
      [
        'services: an unknown key',
        { services: '- service: web\n  container: app' },
        'services',
        /services\[1\]\.container.*only the keys 'service', 'task-definition', 'container-name'/,
      ],
      ['services: not a list', { services: 'service: web' }, 'services', /a YAML list of services, each '- service: <name or ARN>'/],
      ['services: an empty list', { services: '[]' }, 'services', /the list is empty/],
      [
        'services: an entry without service',
        { services: '- container-name: app' },
        'services',
        /a 'service' \(an ECS service name or ARN\) in every entry/,
      ],
      [
        'services: a malformed service name',
        { services: '- service: web shop' },
        'services',
        /services\[1\]\.service=web shop.*an ECS service name/,
      ],
      [
        'services: a service of another cluster',
        { services: `- service: arn:aws:ecs:us-east-1:123456789012:service/other/web` },
        'services',
        /a service of cluster 'shop'/,
      ],
      [
        'services: a service that does not exist',
        { services: '- service: web\n- service: ghost' },
        'services',
        /services\[2\] \(ghost\).*an existing service in cluster 'shop'/,
      ],
      ['services: not YAML', { services: '- service: [web' }, 'services', /a YAML list of services:/],
      ['services: a duplicate key', { services: '- service: web\n  service: multi' }, 'services', /duplicate key/],
      [
        'services: a task definition outside the workspace',
        { services: '- service: web\n  task-definition: ../../etc/passwd' },
        'services',
        /services\[1\] \(web\) task-definition=/,
      ],
      [
        'services: a list where a string belongs',
        { services: '- service: web\n  container-name: [app]' },
        'services',
        /a string for 'container-name' \(got a list\)/,
      ],
    ] as [string, Record<string, string>, string, RegExp][]
  ).map(([name, overrides, input, message]): [string, Record<string, string>, string, RegExp] => [
    name,
    { service: '', services: '- service: web\n- service: multi\n  container-name: app', ...overrides },
    input,
    message,
  ]),
];

/** The failure code each case fails with (docs/infra/runbook.md#<code in lower case> explains it). */
const CODES: Record<string, string> = {
  'services with service': 'GANTRY-ECS-018',
  'services with task-definition': 'GANTRY-ECS-018',
  'services with container-name': 'GANTRY-ECS-018',
  'services with images': 'GANTRY-DEPLOY-101',
  'services with task-definition-arn': 'GANTRY-DEPLOY-101',
  'services with gate-action': 'GANTRY-DEPLOY-101',
  'services: register-only with dry-run': 'GANTRY-DEPLOY-016',
  'services: register-only of given revisions': 'GANTRY-DEPLOY-113',
  'services: task-definition-arn in some entries only': 'GANTRY-DEPLOY-110',
  'services: a malformed task-definition-arn': 'GANTRY-DEPLOY-111',
  'services: task-definition-arn beside a file': 'GANTRY-DEPLOY-112',
  'services: task-definition-arn with an image': 'GANTRY-DEPLOY-017',
  'services: task-definition-arn with environment-variables': 'GANTRY-DEPLOY-114',
  'services: a task-definition-arn of another region': 'GANTRY-AWS-003',
  'services: unknown container in its file': 'GANTRY-DEPLOY-104',
  'services: unknown container in the live revision': 'GANTRY-DEPLOY-032',
  'services: ambiguous container': 'GANTRY-DEPLOY-031',
  'services: 51 services': 'GANTRY-ECS-011',
  'services: a service twice': 'GANTRY-ECS-016',
  'services: a name and an ARN of one service': 'GANTRY-ECS-016',
  'services: an unknown key': 'GANTRY-ECS-013',
  'services: not a list': 'GANTRY-ECS-009',
  'services: an empty list': 'GANTRY-ECS-010',
  'services: an entry without service': 'GANTRY-ECS-014',
  'services: a malformed service name': 'GANTRY-ECS-015',
  'services: a service of another cluster': 'GANTRY-AWS-006',
  'services: a service that does not exist': 'GANTRY-DEPLOY-107',
  'services: not YAML': 'GANTRY-ECS-008',
  'services: a duplicate key': 'GANTRY-ECS-008',
  'services: a task definition outside the workspace': 'GANTRY-INPUT-010',
  'services: a list where a string belongs': 'GANTRY-ECS-017',
  'missing cluster': 'GANTRY-INPUT-001',
  'missing service': 'GANTRY-INPUT-001',
  'malformed service name': 'GANTRY-INPUT-007',
  'malformed image': 'GANTRY-DEPLOY-037',
  'image without tag or digest': 'GANTRY-DEPLOY-037',
  'no image at all': 'GANTRY-DEPLOY-027',
  'unknown container': 'GANTRY-DEPLOY-032',
  'ambiguous container': 'GANTRY-DEPLOY-031',
  'task definition file missing': 'GANTRY-INPUT-011',
  'task definition file invalid JSON': 'GANTRY-DEPLOY-028',
  'task definition with "family" twice': 'GANTRY-DEPLOY-028',
  'task definition nested 100,000 deep': 'GANTRY-DEPLOY-028',
  'task definition with a NUL in a value': 'GANTRY-DEPLOY-028',
  'task definition outside the workspace': 'GANTRY-INPUT-010',
  'valueFrom inside environment[]': 'GANTRY-DEPLOY-029',
  'valueFrom inside environment[], dry-run too': 'GANTRY-DEPLOY-029',
  'task definition file not a task definition': 'GANTRY-DEPLOY-029',
  'images and image together': 'GANTRY-DEPLOY-022',
  'invalid semver': 'GANTRY-ECS-002',
  'non-numeric timeout': 'GANTRY-INPUT-004',
  'interval below 1': 'GANTRY-INPUT-004',
  'unknown service': 'GANTRY-ECS-004',
  'unknown cluster': 'GANTRY-ECS-003',
  'unknown task definition revision': 'GANTRY-DEPLOY-002',
  'malformed environment-variables line (never echoed)': 'GANTRY-INPUT-005',
  'reserved environment variable': 'GANTRY-DEPLOY-014',
  'wait not a boolean': 'GANTRY-INPUT-002',
  'invalid region': 'GANTRY-AWS-008',
  'unknown gate stage': 'GANTRY-DEPLOY-003',
  'gate at a stage PAUSE cannot hold': 'GANTRY-DEPLOY-003',
  'unknown gate action': 'GANTRY-DEPLOY-004',
  'gate action without the service deployment': 'GANTRY-DEPLOY-006',
  'malformed service deployment ARN': 'GANTRY-DEPLOY-006',
  'service deployment without gate action': 'GANTRY-DEPLOY-005',
  'hook id without gate action': 'GANTRY-DEPLOY-005',
  'malformed hook id': 'GANTRY-DEPLOY-007',
  'gate action with an image': 'GANTRY-DEPLOY-008',
  'service deployment of another region': 'GANTRY-AWS-003',
  'gate action with dry-run': 'GANTRY-DEPLOY-021',
  'log-lines not a number': 'GANTRY-INPUT-003',
  'register-only with a promotion': 'GANTRY-DEPLOY-015',
  'register-only with dry-run': 'GANTRY-DEPLOY-016',
  'register-only not a boolean': 'GANTRY-INPUT-002',
  'task definition ARN of another region': 'GANTRY-AWS-003',
  'cluster ARN of another account than aws-account-id': 'GANTRY-AWS-004',
};

describe('deploy-ecs bad inputs (bundle, moto_server)', () => {
  it.each(cases)('%s → exit 1 naming the input, nothing registered', async (_name, overrides, input, message) => {
    const before = await taskDefinitionArns(ecs);
    const services = [SERVICE, 'multi'];
    const servicesBefore = await Promise.all(services.map((s) => serviceTaskDefinition(ecs, s)));
    const result = await runAction('deploy-ecs', { ...good, ...overrides }, { env: awsTestEnv(moto.url), workspace });
    expect(result.exitCode).toBe(1);
    const { code, text: error } = splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe(CODES[_name]);
    expect(error).toMatch(new RegExp(`^Input '${input}'`));
    expect(error).toMatch(message);
    expect(result.outputs).toEqual({});
    expect(await taskDefinitionArns(ecs)).toEqual(before);
    expect(await Promise.all(services.map((s) => serviceTaskDefinition(ecs, s)))).toEqual(servicesBefore);
    expect(servicesBefore.every((arn) => arn !== undefined)).toBe(true);
  });
});
