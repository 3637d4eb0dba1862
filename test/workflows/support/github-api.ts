/**
 * A stand-in for the GitHub REST endpoints the release gate reads, on 127.0.0.1: deployments and their
 * statuses (newest first, paginated with Link headers like GitHub), workflow runs, jobs, check-run
 * annotations and the compare endpoint. State is plain data the tests set up.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStatus {
  state: string;
  created_at: string;
  description?: string;
  log_url?: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  created_at: string;
  creator: { login: string; type: string };
  /** Oldest first, as they were created. */
  statuses: FakeStatus[];
}

export interface FakeRun {
  id: number;
  path: string;
  head_sha: string;
  head_branch: string;
  event: string;
  status: string;
  conclusion: string | null;
  html_url: string;
  referenced_workflows: Array<{ path: string; sha: string; ref?: string }>;
}

export interface FakeJob {
  id: number;
  run_id: number;
  name: string;
  status: string;
  conclusion: string | null;
}

export interface FakeAnnotation {
  title: string;
  message: string;
  annotation_level: string;
}

export class FakeGitHubApi {
  deployments: FakeDeployment[] = [];
  runs = new Map<number, FakeRun>();
  jobs = new Map<number, FakeJob>();
  annotations = new Map<number, FakeAnnotation[]>();
  /** `${base}...${head}` → compare status (ahead, behind, identical, diverged); absent answers 404. */
  comparisons = new Map<string, string>();
  failRunsWith: { status: number; message: string } | undefined;
  failWith: { status: number; message: string } | undefined;
  requests: Array<{ url: string; authorization: string | undefined }> = [];
  pageSize = 100;
  url = '';
  private server: Server | undefined;

  constructor(private readonly repository = 'acme/shop') {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const reply = this.handle(request);
      response.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.link ? { link: reply.link } : {}) });
      response.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.deployments = [];
    this.runs = new Map();
    this.jobs = new Map();
    this.annotations = new Map();
    this.comparisons = new Map();
    this.requests = [];
    this.pageSize = 100;
    this.failWith = undefined;
    this.failRunsWith = undefined;
  }

  private handle(request: IncomingMessage): { status: number; body: unknown; link?: string } {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({ url: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
    if (this.failWith) return { status: this.failWith.status, body: { message: this.failWith.message } };
    const repo = `/repos/${this.repository}`;
    if (!url.pathname.startsWith(`${repo}/`)) return { status: 404, body: { message: 'Not Found' } };
    const rest = url.pathname.slice(repo.length);
    const run = /^\/actions\/runs\/(\d+)$/.exec(rest);
    if (run) {
      if (this.failRunsWith) return { status: this.failRunsWith.status, body: { message: this.failRunsWith.message } };
      const found = this.runs.get(Number(run[1]));
      return found ? { status: 200, body: found } : { status: 404, body: { message: 'Not Found' } };
    }
    const job = /^\/actions\/jobs\/(\d+)$/.exec(rest);
    if (job) {
      const found = this.jobs.get(Number(job[1]));
      return found ? { status: 200, body: found } : { status: 404, body: { message: 'Not Found' } };
    }
    const compare = /^\/compare\/(.+)$/.exec(rest);
    if (compare) {
      const status = this.comparisons.get(decodeURIComponent(compare[1] ?? ''));
      return status ? { status: 200, body: { status, ahead_by: 0, behind_by: 0 } } : { status: 404, body: { message: 'Not Found' } };
    }
    let items: unknown[];
    const annotations = /^\/check-runs\/(\d+)\/annotations$/.exec(rest);
    const statuses = /^\/deployments\/(\d+)\/statuses$/.exec(rest);
    if (annotations) {
      items = this.annotations.get(Number(annotations[1])) ?? [];
    } else if (rest === '/deployments') {
      const sha = url.searchParams.get('sha');
      const environment = url.searchParams.get('environment');
      items = this.deployments
        .filter((d) => (!sha || d.sha === sha) && (!environment || d.environment === environment))
        .sort((a, b) => b.id - a.id)
        .map(({ id, sha: deploymentSha, environment: env, created_at, creator }) => ({
          id,
          sha: deploymentSha,
          environment: env,
          created_at,
          creator,
        }));
    } else if (statuses) {
      const deployment = this.deployments.find((d) => d.id === Number(statuses[1]));
      if (!deployment) return { status: 404, body: { message: 'Not Found' } };
      items = deployment.statuses.map((status, index) => ({ id: deployment.id * 100 + index, ...status })).reverse();
    } else {
      return { status: 404, body: { message: 'Not Found' } };
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Math.min(this.pageSize, Number(url.searchParams.get('per_page') ?? '30'));
    const body = items.slice((page - 1) * size, page * size);
    if (page * size >= items.length) return { status: 200, body };
    const next = new URL(url.href);
    next.searchParams.set('page', String(page + 1));
    return { status: 200, body, link: `<${next.href}>; rel="next"` };
  }
}
