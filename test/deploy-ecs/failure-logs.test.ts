/**
 * The failing container's own last words: when a rollout fails, deploy-ecs and rollback (bundles,
 * runner harness) show the last `log-lines` CloudWatch log lines of each stopped task they report —
 * written by the rollout layer into moto's CloudWatch Logs at the awslogs stream — in the log, the
 * step's error and the job summary. Without logs:GetLogEvents: one warning, the same verdict.
 */
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, type ActionResult } from '../support/harness';
import { TEST_REGION } from '../support/moto';
import { CLUSTER, REGISTRY, SERVICE, appContainer, createService } from './moto-setup';

const aws = useEcsEmulator({ fresh: true });

const CRASH = [
  'Starting server on :8080',
  'connecting to postgres://shop:s3cret-db-pass@db:5432/shop',
  "Error: Cannot find module '/app/dist/server.js'",
  'Node.js v24.11.0',
];
const logged = {
  ...appContainer(),
  logConfiguration: {
    logDriver: 'awslogs' as const,
    options: { 'awslogs-group': '/ecs/shop', 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': 'web' },
  },
};

async function failingDeploy(inputs: Record<string, string | number> = {}): Promise<ActionResult> {
  await createService(aws.ecs, { containers: [logged], circuitBreaker: { enable: true, rollback: false } });
  aws.layer.settle();
  aws.layer.setScenario({ kind: 'fail', ticks: 2, logs: CRASH });
  return runAction(
    'deploy-ecs',
    { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:b2c3d4e`, 'poll-interval-seconds': 1, 'log-lines': 3, ...inputs },
    { env: aws.env() },
  );
}

const errorOf = (result: ActionResult) => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const warningsOf = (result: ActionResult) => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

describe('failure log lines (bundles, moto + rollout layer + CloudWatch Logs)', () => {
  it("deploy-ecs: the crashing container's last lines in the error, the log and the summary, redacted", async () => {
    const result = await failingDeploy();
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    const error = errorOf(result);
    expect(error).toMatch(/^GANTRY-DEPLOY-034: Deployment of web:2 to service web failed/);
    expect(error).toMatch(
      /Last log lines of task \w+: app \| connecting to postgres:\/\/shop:\*\*\*@db:5432\/shop \| app \| Error: Cannot find module '\/app\/dist\/server.js' \| app \| Node.js v24.11.0/,
    );
    // The limit: the last 3 lines, not the first.
    expect(result.stdout).not.toContain('Starting server on :8080');
    expect(result.stdout).toContain("    app | Error: Cannot find module '/app/dist/server.js'");
    expect(result.summary).toMatch(
      /#### Last log lines of task \w+\n\n```\napp \| connecting to postgres:\/\/shop:\*\*\*@db:5432\/shop\napp \| Error: Cannot find module/,
    );
    expect(`${result.stdout}${result.summary}`).not.toContain('s3cret-db-pass');
  });

  it('deploy-ecs without logs:GetLogEvents: one warning naming the permission, the same failed verdict', async () => {
    aws.layer.setScenario({ deny: 'logs:GetLogEvents' });
    const result = await failingDeploy();
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(errorOf(result)).toMatch(/^GANTRY-DEPLOY-034: Deployment of web:2 to service web failed: deployment ecs-svc\/\d+ FAILED/);
    expect(errorOf(result)).not.toContain('Last log lines');
    const denied = warningsOf(result).filter((w) => w.includes('logs:GetLogEvents'));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatch(/lacks logs:GetLogEvents on log group \/ecs\/shop/);
    expect(aws.layer.state().calls['Logs_20140328.GetLogEvents']).toBe(1);
  });

  it("rollback: a rollback whose rollout fails shows the crashing container's last lines too", async () => {
    await createService(aws.ecs, { containers: [logged], circuitBreaker: { enable: true, rollback: false } });
    aws.layer.settle();
    const deployed = await runAction(
      'deploy-ecs',
      { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:c3d4e5f`, 'poll-interval-seconds': 1 },
      { env: aws.env() },
    );
    expect(deployed.outputs.status, deployed.stdout).toBe('deployed');
    // The old release (web:1, image web:1.0.0) no longer starts.
    aws.layer.setScenario({ kind: 'fail', image: 'web:1.0.0', ticks: 2, logs: ['FATAL: password authentication failed for user "shop"'] });
    const result = await runAction(
      'rollback',
      {
        cluster: CLUSTER,
        service: SERVICE,
        target: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
        reason: 'test',
        'poll-interval-seconds': 1,
        'log-lines': 5,
      },
      { env: aws.env() },
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(errorOf(result)).toMatch(/Last log lines of task \w+: app \| FATAL: password authentication failed for user "shop"/);
    expect(result.summary).toContain('app | FATAL: password authentication failed for user "shop"');
  });

  it('deploy-ecs with log-lines 0 reads no logs', async () => {
    const result = await failingDeploy({ 'log-lines': 0 });
    expect(result.outputs.status).toBe('failed');
    expect(aws.layer.state().calls['Logs_20140328.GetLogEvents']).toBeUndefined();
  });
});
