/**
 * Rollout layer: a small HTTP proxy on 127.0.0.1 in front of moto_server that adds what moto does
 * not model — ECS rolling-update deployments over time (see rollout-model.ts for what exactly is
 * and is not modelled), the service-deployment APIs, stopped tasks with reasons, and throttling.
 *
 * Every request goes to moto unchanged (ECS, Secrets Manager, /moto-api/…), except these ECS
 * operations, which the layer augments or answers itself:
 *   CreateService, UpdateService, DescribeServices (one poll = one tick per described service),
 *   DeleteService, ListTasks, DescribeTasks, ListServiceDeployments, DescribeServiceDeployments,
 *   StopServiceDeployment, ContinueServiceDeployment, DescribeServiceRevisions.
 * Services whose deploymentConfiguration.strategy is BLUE_GREEN / LINEAR / CANARY get service
 * deployments with lifecycle stages, PAUSE hooks, alarms and test/production traffic weights
 * (rollout-native.ts); `minuteMs` scales their configured minutes (bake times, hook timeouts).
 *
 * What a new deployment does — precedence: explicit control (the newest matching
 * `setScenario` / POST /_rollout/scenario rule) > image tag of the new task definition
 * (`rollback-immediate`, `fail-rollback`, `fail`, `hang`, checked in that order) > `complete`.
 * Rollback deployments always complete (after `rollbackTicks`, default 2).
 *
 * RunTask, StopTask and DescribeTasks of one-off tasks: see rollout-tasks.ts (PROVISIONING →
 * RUNNING → STOPPED with an exit code per `setTaskScenario` rule, log lines written into moto's
 * CloudWatch Logs).
 *
 * Control endpoints (not forwarded, not counted):
 *   POST /_rollout/scenario  ScenarioRequest JSON      GET /_rollout/state  → RolloutSnapshot
 *   POST /_rollout/reset     (also resets moto)        POST /_rollout/settle {service?}
 *   POST /_rollout/task-scenario  TaskScenarioRequest JSON
 * Throttling: `{throttle: N, operation?}` answers the next N ECS calls (to `operation`, if given)
 * with HTTP 400 ThrottlingException "Rate exceeded", as ECS does, without forwarding.
 * Denial: `{deny: 'logs:GetLogEvents'}` answers every call of that operation (service prefix as in
 * IAM: `ecs:` or `logs:`) with HTTP 400 AccessDeniedException, as a role without the permission gets.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  RolloutModel,
  SCENARIO_KINDS,
  type Effect,
  type Plan,
  type ScenarioKind,
  type ServiceRecord,
  type TaskDefInfo,
} from './rollout-model';
import { handleEcs, type EcsContext, type MotoReply } from './rollout-ecs';
import { trafficOf } from './rollout-native';
import { TaskRuns, type LogEvent, type OneOffTaskSnapshot, type TaskScenarioRequest } from './rollout-tasks';

export type { ScenarioKind, Plan } from './rollout-model';
export type { TaskScenarioRequest, OneOffTaskSnapshot } from './rollout-tasks';

export interface ScenarioRequest {
  /** What the matching deployments do. Optional when only `throttle` is given. */
  kind?: ScenarioKind;
  /** Only deployments of this service (name or ARN). */
  service?: string;
  /** Only deployments whose task definition has an image containing this string. */
  image?: string;
  /** Polls until COMPLETED / FAILED (default 2; rollback-immediate 1). */
  ticks?: number;
  /** Polls until a rollback deployment completes (default 2). */
  rollbackTicks?: number;
  /** Answer the next N ECS calls with ThrottlingException. */
  throttle?: number;
  /** Restrict `throttle` to one ECS operation, e.g. "DescribeServices". */
  operation?: string;
  /** kind alarm (BLUE_GREEN / LINEAR / CANARY): the lifecycle stage at which the alarm fires (default BAKE_TIME) and its name. */
  alarmAt?: string;
  alarmName?: string;
  /** Log lines each failing task's container writes (fail kinds); default a Node.js crash. */
  logs?: string[];
  /** Refuse every call of this IAM action (`logs:GetLogEvents`, `ecs:StopTask`) with AccessDeniedException. */
  deny?: string;
}

export interface DeploymentSnapshot {
  id: string;
  status: string;
  taskDefinition: string;
  rolloutState: string;
  rolloutStateReason: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  isRollback: boolean;
  ticks: number;
  plan: Plan;
  serviceDeploymentArn: string;
}

export interface RolloutSnapshot {
  /** Requests received per operation: ECS ops by bare name, others as sent (`secretsmanager.GetSecretValue`). */
  calls: Record<string, number>;
  throttled: Record<string, number>;
  scenarios: ScenarioRequest[];
  pendingThrottles: { operation?: string; remaining: number }[];
  denied: string[];
  /** One-off tasks started with RunTask, oldest first. */
  tasks: OneOffTaskSnapshot[];
  taskScenarios: TaskScenarioRequest[];
  services: {
    cluster: string;
    service: string;
    serviceArn: string;
    taskDefinition?: string;
    desiredCount: number;
    deployments: DeploymentSnapshot[];
    serviceDeployments: {
      arn: string;
      status: string;
      statusReason?: string;
      targetTaskDefinition?: string;
      /** BLUE_GREEN / LINEAR / CANARY: the current stage, every stage entered with the traffic to green, the hooks. */
      lifecycleStage?: string;
      stages?: { stage: string; productionWeight: number; testWeight: number }[];
      hooks?: { hookId: string; stage: string; status: string; timeoutAction: string }[];
    }[];
    /** Traffic weights (%) per task definition on the production and test listeners. */
    traffic: { production: Record<string, number>; test: Record<string, number> };
    events: string[];
  }[];
}

export interface RolloutLayer {
  url: string;
  port: number;
  motoUrl: string;
  setScenario(scenario: ScenarioRequest): void;
  /** What the next one-off tasks (RunTask) do. */
  setTaskScenario(scenario: TaskScenarioRequest): void;
  state(): RolloutSnapshot;
  /** Where the production and test listeners of `service` send traffic now (task definition → %). */
  traffic(service: string): { production: Record<string, number>; test: Record<string, number> };
  /** Completes in-progress deployments now (of `service`, or all). */
  settle(service?: string): void;
  /** Forgets scenarios, throttles, counts and deployments, and resets moto. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const DEFAULT_TICKS: Record<ScenarioKind, number> = {
  complete: 2,
  fail: 2,
  'fail-rollback': 2,
  'rollback-immediate': 1,
  hang: 0,
  alarm: 2,
};
const LOGS_TARGET_PREFIX = 'Logs_20140328.';
const TAG_KINDS: ScenarioKind[] = ['rollback-immediate', 'fail-rollback', 'fail', 'hang'];

/**
 * `region`: the AWS region the layer's own calls to moto are signed for (moto keeps one backend per
 * region, chosen by the credential scope) — the region the actions use (default us-east-1).
 * `minuteMs`: how long a configured minute of a BLUE_GREEN / LINEAR / CANARY service lasts (default 60000).
 */
export async function startRolloutLayer(options: { motoUrl: string; region?: string; minuteMs?: number }): Promise<RolloutLayer> {
  const motoUrl = options.motoUrl.replace(/\/$/, '');
  const region = options.region ?? 'us-east-1';
  const model = new RolloutModel(options.minuteMs);
  let rules: ScenarioRequest[] = [];
  let throttles: { operation?: string; remaining: number }[] = [];
  let calls: Record<string, number> = {};
  let throttled: Record<string, number> = {};
  let denied = new Set<string>();
  const writeLogs = (group: string, stream: string, events: LogEvent[]): Promise<void> => writeLogEvents(motoUrl, group, stream, events);
  const runs = new TaskRuns(writeLogs);

  const setScenario = (scenario: ScenarioRequest): void => {
    validateScenario(scenario);
    if (scenario.throttle) throttles.push({ operation: scenario.operation, remaining: scenario.throttle });
    if (scenario.deny) denied.add(scenario.deny);
    if (scenario.kind) rules.push({ ...scenario, throttle: undefined, operation: undefined, deny: undefined });
  };
  const setTaskScenario = (scenario: TaskScenarioRequest): void => runs.setScenario(scenario);

  const planFor = (svc: ServiceRecord, taskDef: TaskDefInfo): Plan => {
    const images = taskDef.containers.map((c) => c.image);
    const rule = [...rules]
      .reverse()
      .find(
        (r) =>
          (!r.service || r.service === svc.serviceName || r.service === svc.serviceArn) &&
          (!r.image || images.some((image) => image.includes(r.image as string))),
      );
    const tags = images.map(imageTag);
    const tagKind = TAG_KINDS.find((kind) => tags.some((tag) => tag.includes(kind)));
    const kind = rule?.kind ?? tagKind ?? 'complete';
    return {
      kind,
      ticks: rule?.ticks ?? DEFAULT_TICKS[kind],
      rollbackTicks: rule?.rollbackTicks ?? 2,
      source: rule ? 'control' : tagKind ? 'image-tag' : 'default',
      ...(rule?.alarmAt || kind === 'alarm' ? { alarmAt: rule?.alarmAt ?? 'BAKE_TIME' } : {}),
      ...(rule?.alarmName ? { alarmName: rule.alarmName } : {}),
      ...(rule?.logs ? { logs: rule.logs } : {}),
    };
  };

  const settle = (service?: string): void => {
    for (const svc of model.services.values()) {
      if (!service || service === svc.serviceName || service === svc.serviceArn) model.settle(svc);
    }
  };

  const reset = async (): Promise<void> => {
    model.reset();
    runs.reset();
    denied = new Set();
    rules = [];
    throttles = [];
    calls = {};
    throttled = {};
    const reply = await forward(motoUrl, 'POST', '/moto-api/reset', {}, Buffer.alloc(0));
    if (reply.status !== 200) throw new Error(`moto reset failed: HTTP ${reply.status}`);
  };

  const ctx: EcsContext = {
    model,
    runs,
    writeLogs,
    planFor,
    motoCall: (op, payload) => motoCall(motoUrl, op, payload, region),
    forward: (req, body) => forward(motoUrl, req.method ?? 'POST', req.url ?? '/', req.headers, body),
    applyEffects: (effects: Effect[]) => applyEffects(motoUrl, effects, region),
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      if (path.startsWith('/_rollout/')) {
        return control(req.method ?? 'GET', path, body, res, { setScenario, setTaskScenario, settle, reset, snapshot });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const ecsOp = target.startsWith(ECS_TARGET_PREFIX) ? target.slice(ECS_TARGET_PREFIX.length) : undefined;
      const opName = ecsOp ?? target;
      if (opName) calls[opName] = (calls[opName] ?? 0) + 1;
      const iamAction = ecsOp
        ? `ecs:${ecsOp}`
        : target.startsWith(LOGS_TARGET_PREFIX)
          ? `logs:${target.slice(LOGS_TARGET_PREFIX.length)}`
          : undefined;
      if (iamAction && denied.has(iamAction)) {
        const message = `User: arn:aws:sts::123456789012:assumed-role/gantry-deploy/gantry is not authorized to perform: ${iamAction} because no identity-based policy allows the ${iamAction} action`;
        return sendJson(res, 400, { __type: 'AccessDeniedException', message }, 'AccessDeniedException');
      }
      if (ecsOp && takeThrottle(throttles, ecsOp)) {
        throttled[ecsOp] = (throttled[ecsOp] ?? 0) + 1;
        return sendJson(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException');
      }
      if (path.split('?')[0] === '/moto-api/reset') model.reset();
      const reply = ecsOp ? await handleEcs(ecsOp, req, body, ctx) : await ctx.forward(req, body);
      if ('json' in reply) return sendJson(res, reply.status, reply.json, reply.errorType);
      const headers = { ...reply.headers };
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'content-length']) delete headers[name];
      res.writeHead(reply.status, { ...headers, 'content-length': reply.body.length });
      res.end(reply.body);
    })().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendJson(res, 500, { __type: 'ServerException', message: `rollout layer: ${message}` }, 'ServerException');
      else res.destroy();
    });
  });

  const snapshot = (): RolloutSnapshot => ({
    calls: { ...calls },
    throttled: { ...throttled },
    scenarios: rules.map((r) => ({ ...r })),
    pendingThrottles: throttles.map((t) => ({ ...t })),
    denied: [...denied],
    tasks: runs.snapshot(),
    taskScenarios: runs.scenarios(),
    services: [...model.services.values()].map((svc) => ({
      cluster: svc.clusterName,
      service: svc.serviceName,
      serviceArn: svc.serviceArn,
      taskDefinition: svc.deployments[0]?.taskDef.arn,
      desiredCount: svc.desiredCount,
      deployments: svc.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDef.arn,
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
        desiredCount: d.desiredCount,
        runningCount: d.runningCount,
        pendingCount: d.pendingCount,
        failedTasks: d.failedTasks,
        isRollback: d.isRollback,
        ticks: d.ticks,
        plan: { ...d.plan },
        serviceDeploymentArn: d.sd.arn,
      })),
      serviceDeployments: svc.serviceDeployments.map((sd) => ({
        arn: sd.arn,
        status: sd.status,
        statusReason: sd.statusReason,
        targetTaskDefinition: svc.revisions.get(sd.targetRevisionArn)?.taskDef.arn,
        ...(sd.native
          ? {
              lifecycleStage: sd.native.stage,
              stages: sd.native.history.map((h) => ({ ...h })),
              hooks: sd.native.hooks.map((h) => ({ hookId: h.hookId, stage: h.stage, status: h.status, timeoutAction: h.timeoutAction })),
            }
          : {}),
      })),
      traffic: trafficOf(svc),
      events: svc.events.map((e) => e.message),
    })),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    motoUrl,
    setScenario,
    setTaskScenario,
    state: snapshot,
    traffic: (service) => {
      const svc = [...model.services.values()].find((s) => s.serviceName === service || s.serviceArn === service);
      return svc ? trafficOf(svc) : { production: {}, test: {} };
    },
    settle,
    reset,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function validateScenario(s: ScenarioRequest): void {
  if (s.kind !== undefined && !SCENARIO_KINDS.includes(s.kind)) {
    throw new Error(`scenario kind must be one of ${SCENARIO_KINDS.join(', ')}; got ${JSON.stringify(s.kind)}`);
  }
  if (s.kind === undefined && !s.throttle && !s.deny) throw new Error('scenario needs a kind, a throttle count or an action to deny');
  if (s.deny !== undefined && !/^(ecs|logs):[A-Za-z]+$/.test(s.deny))
    throw new Error(`scenario deny must be an IAM action such as logs:GetLogEvents; got ${JSON.stringify(s.deny)}`);
  for (const field of ['ticks', 'rollbackTicks', 'throttle'] as const) {
    const value = s[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`scenario ${field} must be a non-negative integer; got ${JSON.stringify(value)}`);
    }
  }
}

/** The tag of an image reference ("" for none): `registry:5000/app:v1-fail@sha256:…` → `v1-fail`. */
function imageTag(image: string): string {
  const name = image.split('@')[0].split('/').pop() ?? '';
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : '';
}

function takeThrottle(throttles: { operation?: string; remaining: number }[], op: string): boolean {
  const budget = throttles.find((t) => t.remaining > 0 && (!t.operation || t.operation === op));
  if (!budget) return false;
  budget.remaining -= 1;
  if (budget.remaining === 0) throttles.splice(throttles.indexOf(budget), 1);
  return true;
}

interface ControlApi {
  setScenario(s: ScenarioRequest): void;
  setTaskScenario(s: TaskScenarioRequest): void;
  settle(service?: string): void;
  reset(): Promise<void>;
  snapshot(): RolloutSnapshot;
}

async function control(method: string, path: string, body: Buffer, res: http.ServerResponse, api: ControlApi): Promise<void> {
  try {
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const route = `${method} ${path.split('?')[0]}`;
    if (route === 'GET /_rollout/state') return sendJson(res, 200, api.snapshot());
    if (route === 'POST /_rollout/scenario') api.setScenario(input as ScenarioRequest);
    else if (route === 'POST /_rollout/task-scenario') api.setTaskScenario(input as TaskScenarioRequest);
    else if (route === 'POST /_rollout/settle') api.settle(typeof input.service === 'string' ? input.service : undefined);
    else if (route === 'POST /_rollout/reset') await api.reset();
    else return sendJson(res, 404, { message: `unknown control route ${route}` });
    sendJson(res, 200, { ok: true });
  } catch (error) {
    sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}

function sendJson(res: http.ServerResponse, status: number, json: unknown, errorType?: string): void {
  const body = Buffer.from(JSON.stringify(json));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(motoUrl: string, method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<MotoReply> {
  const target = new URL(motoUrl);
  const outHeaders: http.OutgoingHttpHeaders = { ...headers, host: target.host, 'content-length': body.length };
  delete outHeaders.connection;
  delete outHeaders['transfer-encoding'];
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, method, path, headers: outHeaders, agent: false },
      (response) => {
        readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** An ECS call the layer itself makes to moto; resolves to the parsed JSON or throws moto's error. */
async function motoCall(motoUrl: string, op: string, payload: Record<string, unknown>, region: string): Promise<Record<string, unknown>> {
  const reply = await forward(
    motoUrl,
    'POST',
    '/',
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${ECS_TARGET_PREFIX}${op}`,
      // moto routes by the credential scope; the signature itself is not checked.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${region}/ecs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    Buffer.from(JSON.stringify(payload)),
  );
  const text = reply.body.toString('utf8');
  if (reply.status !== 200) throw new Error(`moto ${op} failed: HTTP ${reply.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function applyEffects(motoUrl: string, effects: Effect[], region: string): Promise<void> {
  for (const effect of effects) {
    await motoCall(
      motoUrl,
      'UpdateService',
      { cluster: effect.cluster, service: effect.service, taskDefinition: effect.taskDefinition },
      region,
    );
  }
}

/** A CloudWatch Logs call the layer makes to moto (as the awslogs driver would); throws moto's error. */
async function motoLogsCall(motoUrl: string, op: string, payload: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const reply = await forward(
    motoUrl,
    'POST',
    '/',
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${LOGS_TARGET_PREFIX}${op}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0',
    },
    Buffer.from(JSON.stringify(payload)),
  );
  return { status: reply.status, text: reply.body.toString('utf8') };
}

/** Group (if missing: awslogs-create-group), stream (as the ECS agent creates it), then the events. */
async function writeLogEvents(motoUrl: string, group: string, stream: string, events: LogEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const [op, payload] of [
    ['CreateLogGroup', { logGroupName: group }],
    ['CreateLogStream', { logGroupName: group, logStreamName: stream }],
  ] as const) {
    const reply = await motoLogsCall(motoUrl, op, payload);
    if (reply.status !== 200 && !reply.text.includes('ResourceAlreadyExistsException'))
      throw new Error(`moto ${op} failed: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
  }
  const reply = await motoLogsCall(motoUrl, 'PutLogEvents', { logGroupName: group, logStreamName: stream, logEvents: events });
  if (reply.status !== 200) throw new Error(`moto PutLogEvents failed: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
}
