/**
 * The ECS operations the rollout layer (rollout-layer.ts) augments or answers itself. Anything
 * not listed in HANDLERS goes to moto unchanged. Services that moto knows but the layer has not
 * seen (created directly against moto) are adopted as steady: one COMPLETED deployment.
 */
import type http from 'node:http';
import { serviceKey, type Effect, type Plan, type RolloutModel, type ServiceRecord, type TaskDefInfo } from './rollout-model';
import type { LogWriter, TaskRuns } from './rollout-tasks';
import {
  renderService,
  renderServiceDeployment,
  renderServiceDeploymentBrief,
  renderServiceRevision,
  renderTask,
  selectTasks,
} from './rollout-render';

type Json = Record<string, unknown>;

export interface MotoReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
export type EcsReply = MotoReply | { status: number; json: unknown; errorType?: string };

export interface EcsContext {
  model: RolloutModel;
  /** One-off tasks started with RunTask (rollout-tasks.ts). */
  runs: TaskRuns;
  /** Writes log events into moto's CloudWatch Logs (as the awslogs driver would). */
  writeLogs: LogWriter;
  planFor(svc: ServiceRecord, taskDef: TaskDefInfo): Plan;
  /** The layer's own ECS call to moto; throws on a non-200 answer. */
  motoCall(op: string, payload: Json): Promise<Json>;
  forward(req: http.IncomingMessage, body: Buffer): Promise<MotoReply>;
  applyEffects(effects: Effect[]): Promise<void>;
}

interface Call extends EcsContext {
  /** Forwards the client's request to moto: unchanged, or with a rewritten payload. */
  send(payload?: Json): Promise<MotoReply>;
}

/** ECS defaults for a service created without a deploymentConfiguration (moto drops it entirely). */
const DEFAULT_DEPLOYMENT_CONFIGURATION: Json = {
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
};

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const ok = (json: unknown): EcsReply => ({ status: 200, json });
const fail = (errorType: string, message: string): EcsReply => ({ status: 400, json: { __type: errorType, message }, errorType });
const parse = (reply: MotoReply): Json => JSON.parse(reply.body.toString('utf8')) as Json;

const HANDLERS: Record<string, (p: Json, call: Call) => Promise<EcsReply>> = {
  async CreateService(p, call) {
    const reply = await call.send();
    if (reply.status !== 200) return reply;
    const service = parse(reply).service as Json;
    if (!isEcsControlled(service)) return reply;
    const svc = call.model.addService({
      ...identity(service),
      desiredCount: typeof p.desiredCount === 'number' ? p.desiredCount : 0,
      launchType: typeof service.launchType === 'string' ? service.launchType : 'FARGATE',
      deploymentConfiguration: {
        ...DEFAULT_DEPLOYMENT_CONFIGURATION,
        ...(isObject(p.deploymentConfiguration) ? p.deploymentConfiguration : {}),
      },
    });
    const taskDef = typeof service.taskDefinition === 'string' ? await taskDefInfo(call, service.taskDefinition) : undefined;
    if (taskDef) call.model.startDeployment(svc, taskDef, call.planFor(svc, taskDef));
    return ok({ service: renderService(svc, service) });
  },

  async UpdateService(p, call) {
    const svc = await ensureService(call, p.cluster, p.service);
    const taskDef = typeof p.taskDefinition === 'string' ? await taskDefInfo(call, p.taskDefinition) : undefined;
    // moto would store "family" literally; give it the resolved ARN, as ECS reports it.
    const reply = await call.send(taskDef ? { ...p, taskDefinition: taskDef.arn } : undefined);
    if (reply.status !== 200 || !svc) return reply;
    const service = parse(reply).service as Json;
    if (isObject(p.deploymentConfiguration)) svc.deploymentConfiguration = { ...svc.deploymentConfiguration, ...p.deploymentConfiguration };
    if (typeof p.desiredCount === 'number') call.model.setDesiredCount(svc, p.desiredCount);
    const current = svc.deployments[0]?.taskDef;
    const force = p.forceNewDeployment === true;
    const next = taskDef ?? (force ? current : undefined);
    if (next && (force || next.arn !== current?.arn)) call.model.startDeployment(svc, next, call.planFor(svc, next));
    return ok({ service: renderService(svc, service) });
  },

  async DescribeServices(_p, call) {
    const reply = await call.send();
    if (reply.status !== 200) return reply;
    const parsed = parse(reply);
    const ticked = new Set<ServiceRecord>();
    const effects: Effect[] = [];
    const services: Json[] = [];
    for (const service of (parsed.services ?? []) as Json[]) {
      const svc =
        service.status === 'ACTIVE'
          ? (call.model.get(String(service.clusterArn), String(service.serviceName)) ?? (await adopt(call, service)))
          : undefined;
      if (svc && !ticked.has(svc)) {
        ticked.add(svc);
        effects.push(...call.model.tick(svc));
        await writeCrashLogs(call, svc);
      }
      services.push(svc ? renderService(svc, service) : service);
    }
    await call.applyEffects(effects);
    return ok({ ...parsed, services });
  },

  async DeleteService(p, call) {
    const reply = await call.send();
    if (reply.status === 200 && typeof p.service === 'string') {
      call.model.services.delete(serviceKey(typeof p.cluster === 'string' ? p.cluster : undefined, p.service));
    }
    return reply;
  },

  async ListTasks(p, call) {
    const reply = await call.send();
    if (reply.status !== 200) return reply;
    const parsed = parse(reply);
    const ours = [...call.model.services.values()].flatMap((svc) => selectTasks(svc.tasks, p)).map((t) => t.arn);
    return ok({ ...parsed, taskArns: [...strings(parsed.taskArns), ...ours] });
  },

  async DescribeTasks(p, call) {
    const all = [...call.model.services.values()].flatMap((svc) => svc.tasks);
    const ours = [];
    const runs = [];
    const others: string[] = [];
    for (const ref of strings(p.tasks)) {
      const task = all.find((t) => t.arn === ref || t.arn.endsWith(`/${ref}`));
      const run = task ? undefined : call.runs.find(ref);
      if (task) ours.push(task);
      else if (run) runs.push(run);
      else others.push(ref);
    }
    if (ours.length === 0 && runs.length === 0) return call.send();
    let fromMoto: Json = { tasks: [], failures: [] };
    if (others.length > 0) {
      const reply = await call.send({ ...p, tasks: others });
      if (reply.status !== 200) return reply;
      fromMoto = parse(reply);
    }
    await call.runs.tick(runs);
    return ok({
      tasks: [...ours.map(renderTask), ...runs.map((r) => call.runs.render(r)), ...((fromMoto.tasks ?? []) as Json[])],
      failures: fromMoto.failures ?? [],
    });
  },

  async RunTask(p, call) {
    // ECS's idempotency: a retry with the same clientToken gets the tasks the first request started.
    const again = call.runs.startedWith(p.clientToken);
    if (again) return ok({ tasks: again.map((run) => call.runs.render(run)), failures: [] });
    const reply = await call.send();
    if (reply.status !== 200) return reply;
    const parsed = parse(reply);
    const tasks = (parsed.tasks ?? []) as Json[];
    if (tasks.length === 0) return reply;
    const described = await call.motoCall('DescribeTaskDefinition', {
      taskDefinition: String(tasks[0].taskDefinitionArn ?? p.taskDefinition),
    });
    call.runs.started(p, tasks, described.taskDefinition as Json);
    return ok({
      ...parsed,
      tasks: tasks.map((t) => {
        const run = call.runs.find(String(t.taskArn));
        return run ? call.runs.render(run) : t;
      }),
    });
  },

  async StopTask(p, call) {
    const run = typeof p.task === 'string' ? call.runs.find(p.task) : undefined;
    const reply = await call.send();
    if (!run || reply.status !== 200) return reply;
    call.runs.stopTask(run, typeof p.reason === 'string' ? p.reason : '');
    return ok({ task: call.runs.render(run) });
  },

  async ListServiceDeployments(p, call) {
    if (typeof p.service !== 'string') return fail('InvalidParameterException', 'service must be specified.');
    const svc = await ensureService(call, p.cluster, p.service);
    if (!svc) return fail('ServiceNotFoundException', 'Service not found.');
    const statuses = strings(p.status);
    const createdAt = isObject(p.createdAt) ? p.createdAt : {};
    const list = svc.serviceDeployments.filter(
      (sd) =>
        (statuses.length === 0 || statuses.includes(sd.status)) &&
        (typeof createdAt.after !== 'number' || sd.createdAt.getTime() / 1000 >= createdAt.after) &&
        (typeof createdAt.before !== 'number' || sd.createdAt.getTime() / 1000 <= createdAt.before),
    );
    const max = typeof p.maxResults === 'number' ? p.maxResults : 20;
    return ok({ serviceDeployments: list.slice(0, max).map(renderServiceDeploymentBrief) });
  },

  async DescribeServiceDeployments(p, call) {
    const arns = strings(p.serviceDeploymentArns);
    const found = arns.map((arn) => call.model.findServiceDeployment(arn));
    return ok({
      serviceDeployments: found.flatMap((f) => (f ? [renderServiceDeployment(f.svc, f.sd)] : [])),
      failures: arns.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: 'MISSING' })),
    });
  },

  async StopServiceDeployment(p, call) {
    const arn = String(p.serviceDeploymentArn ?? '');
    const found = call.model.findServiceDeployment(arn);
    if (!found) return fail('ServiceDeploymentNotFoundException', `Service deployment ${arn} was not found.`);
    if (p.stopType !== undefined && p.stopType !== 'ROLLBACK') {
      return fail('InvalidParameterException', `stopType ${String(p.stopType)} is not supported; the valid value is ROLLBACK.`);
    }
    let effects: Effect[];
    try {
      effects = call.model.stopServiceDeployment(found.svc, found.sd);
    } catch (error) {
      return fail('ConflictException', error instanceof Error ? error.message : String(error));
    }
    await call.applyEffects(effects);
    return ok({ serviceDeploymentArn: arn });
  },

  async ContinueServiceDeployment(p, call) {
    const arn = String(p.serviceDeploymentArn ?? '');
    const found = call.model.findServiceDeployment(arn);
    if (!found) return fail('ServiceDeploymentNotFoundException', `Service deployment ${arn} was not found.`);
    if (typeof p.hookId !== 'string') return fail('InvalidParameterException', 'hookId must be specified.');
    const action = p.action ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK')
      return fail('InvalidParameterException', `action ${String(action)} is not valid; CONTINUE or ROLLBACK.`);
    let effects: Effect[];
    try {
      effects = call.model.continueServiceDeployment(found.svc, found.sd, p.hookId, action);
    } catch (error) {
      return fail('ConflictException', error instanceof Error ? error.message : String(error));
    }
    await call.applyEffects(effects);
    return ok({ serviceDeploymentArn: arn });
  },

  async DescribeServiceRevisions(p, call) {
    const arns = strings(p.serviceRevisionArns);
    const revisions = arns.map((arn) => {
      for (const svc of call.model.services.values()) {
        const revision = renderServiceRevision(svc, arn);
        if (revision) return revision;
      }
      return undefined;
    });
    return ok({
      serviceRevisions: revisions.filter((r) => r !== undefined),
      failures: arns.filter((_, i) => !revisions[i]).map((arn) => ({ arn, reason: 'MISSING' })),
    });
  },
};

export async function handleEcs(op: string, req: http.IncomingMessage, body: Buffer, ctx: EcsContext): Promise<EcsReply> {
  const handler = HANDLERS[op];
  if (!handler) return ctx.forward(req, body);
  let payload: Json;
  try {
    payload = JSON.parse(body.length > 0 ? body.toString('utf8') : '{}') as Json;
  } catch {
    return ctx.forward(req, body);
  }
  const send = (rewritten?: Json): Promise<MotoReply> => ctx.forward(req, rewritten ? Buffer.from(JSON.stringify(rewritten)) : body);
  return handler(payload, { ...ctx, send });
}

const isEcsControlled = (service: Json): boolean => !isObject(service.deploymentController) || service.deploymentController.type === 'ECS';

function identity(service: Json): Pick<ServiceRecord, 'clusterArn' | 'serviceArn' | 'serviceName'> {
  return { clusterArn: String(service.clusterArn), serviceArn: String(service.serviceArn), serviceName: String(service.serviceName) };
}

async function taskDefInfo(call: EcsContext, ref: string): Promise<TaskDefInfo | undefined> {
  try {
    const td = (await call.motoCall('DescribeTaskDefinition', { taskDefinition: ref })).taskDefinition as Json;
    const containers = (Array.isArray(td.containerDefinitions) ? td.containerDefinitions : []) as Json[];
    return {
      arn: String(td.taskDefinitionArn),
      containers: containers.map((c) => {
        const log =
          isObject(c.logConfiguration) && c.logConfiguration.logDriver === 'awslogs' && isObject(c.logConfiguration.options)
            ? c.logConfiguration.options
            : undefined;
        return {
          name: String(c.name),
          image: String(c.image ?? ''),
          essential: c.essential !== false,
          ...(log && typeof log['awslogs-group'] === 'string' ? { logGroup: log['awslogs-group'] } : {}),
          ...(log && typeof log['awslogs-stream-prefix'] === 'string' ? { logStreamPrefix: log['awslogs-stream-prefix'] } : {}),
        };
      }),
    };
  } catch {
    return undefined; // let moto report the bad reference when the request is forwarded
  }
}

/** A service moto has but the layer never saw: adopt it with one COMPLETED deployment. */
async function adopt(call: EcsContext, service: Json): Promise<ServiceRecord | undefined> {
  if (!isEcsControlled(service)) return undefined;
  const svc = call.model.addService({
    ...identity(service),
    desiredCount: typeof service.desiredCount === 'number' ? service.desiredCount : 0,
    launchType: typeof service.launchType === 'string' ? service.launchType : 'FARGATE',
    deploymentConfiguration: {
      ...DEFAULT_DEPLOYMENT_CONFIGURATION,
      ...(isObject(service.deploymentConfiguration) ? service.deploymentConfiguration : {}),
    },
  });
  const taskDef = typeof service.taskDefinition === 'string' ? await taskDefInfo(call, service.taskDefinition) : undefined;
  if (taskDef) {
    call.model.startDeployment(svc, taskDef, { kind: 'complete', ticks: 1, rollbackTicks: 2, source: 'default' });
    call.model.settle(svc);
  }
  return svc;
}

async function ensureService(call: EcsContext, cluster: unknown, service: unknown): Promise<ServiceRecord | undefined> {
  if (typeof service !== 'string') return undefined;
  const clusterName = typeof cluster === 'string' ? cluster : 'default';
  const known = call.model.get(clusterName, service);
  if (known) return known;
  try {
    const described = await call.motoCall('DescribeServices', { cluster: clusterName, services: [service] });
    const found = ((described.services ?? []) as Json[]).find((s) => s.status === 'ACTIVE');
    return found ? adopt(call, found) : undefined;
  } catch {
    return undefined;
  }
}

/** Default last words of a crashing container (a `fail` plan without `logs`). */
const CRASH_LINES = ['Starting server on :8080', "Error: Cannot find module '/app/dist/server.js'", 'Node.js v24.11.0'];

/**
 * The log lines of the tasks that failed at this tick, written where the awslogs driver writes
 * them: the first essential container's `<prefix>/<container>/<task id>` stream.
 */
async function writeCrashLogs(call: EcsContext, svc: ServiceRecord): Promise<void> {
  for (const task of svc.tasks) {
    if (!task.failed || task.logged) continue;
    task.logged = true;
    const container = task.taskDef.containers.find((c) => c.essential) ?? task.taskDef.containers[0];
    if (!container?.logGroup || !container.logStreamPrefix) continue;
    const lines = svc.deployments.find((d) => d.id === task.deploymentId)?.plan.logs ?? CRASH_LINES;
    const base = (task.stoppedAt ?? new Date()).getTime() - lines.length;
    await call.writeLogs(
      container.logGroup,
      `${container.logStreamPrefix}/${container.name}/${task.arn.split('/').pop()}`,
      lines.map((message, i) => ({ timestamp: base + i, message })),
    );
  }
}
