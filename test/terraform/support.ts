/**
 * Test support for actions/terraform: temporary workspaces holding configurations built only
 * from `terraform_data`, locals, variables and outputs (no provider download needed), and a
 * local stand-in for GitHub's issue-comments REST API.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../lib/runner/logger';
import { TerraformCli, findTerraform } from '../../actions/terraform/src/terraform-cli';

/** Two resources, a variable and outputs, one of them sensitive. */
export function baseConfig({ size = 'small', secret = 'hunter2-correct-horse', replaceKey = 'v1' } = {}): string {
  return `
variable "size" {
  type    = string
  default = "${size}"
}

variable "secret" {
  type      = string
  default   = "${secret}"
  sensitive = true
}

locals {
  name = "shop-\${var.size}"
}

resource "terraform_data" "service" {
  input = { name = local.name, desired_count = var.size == "large" ? 3 : 1 }
}

resource "terraform_data" "credentials" {
  input            = { user = "app" }
  triggers_replace = ["${replaceKey}"]
}

output "service_name" {
  value = terraform_data.service.output.name
}

output "database_password" {
  value     = var.secret
  sensitive = true
}
`;
}

export interface TfWorkspace {
  /** GITHUB_WORKSPACE. */
  root: string;
  /** The configuration's directory, `<root>/infra`. */
  dir: string;
  write(relative: string, content: string): string;
  read(relative: string): string;
  exists(relative: string): boolean;
  /** Resource addresses in a local state file (relative to the root). */
  stateResources(relative?: string): string[];
  stateSerial(relative?: string): number | undefined;
  remove(): void;
}

export function tfWorkspace(config = baseConfig()): TfWorkspace {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gantry-tf-'));
  const dir = path.join(root, 'infra');
  mkdirSync(dir);
  const ws: TfWorkspace = {
    root,
    dir,
    write(relative, content) {
      const file = path.join(root, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    read: (relative) => readFileSync(path.join(root, relative), 'utf8'),
    exists: (relative) => existsSync(path.join(root, relative)),
    stateResources(relative = 'infra/terraform.tfstate') {
      if (!ws.exists(relative)) return [];
      const state = JSON.parse(ws.read(relative)) as { resources?: { type: string; name: string; instances: unknown[] }[] };
      return (state.resources ?? []).map((r) => `${r.type}.${r.name}`).sort();
    },
    stateSerial(relative = 'infra/terraform.tfstate') {
      return ws.exists(relative) ? (JSON.parse(ws.read(relative)) as { serial: number }).serial : undefined;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  ws.write('infra/main.tf', config);
  return ws;
}

/**
 * Only what terraform needs: no TF_CLI_CONFIG_FILE or other settings from the machine, and no
 * checkpoint call to hashicorp.com (tests talk only to 127.0.0.1).
 */
export function terraformEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), CHECKPOINT_DISABLE: '1' };
}

export function cliIn(dir: string, log: Logger): TerraformCli {
  return new TerraformCli({ binary: findTerraform(terraformEnv()), cwd: dir, env: terraformEnv(), log });
}

export interface StoredComment {
  id: number;
  body: string;
  /** Login of the author (default github-actions[bot], the GITHUB_TOKEN's identity). */
  author?: string;
}

export interface GitHubApiStandIn {
  url: string;
  comments: StoredComment[];
  requests: { method: string; url: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

/**
 * GitHub's issue-comments REST API for one repository, as Octokit uses it: list (paginated
 * with `Link` headers), create, update; 401 without a token; 422 for bodies over 65,536 characters.
 */
export async function startGitHubApi(repository = 'acme/shop', issue = 7): Promise<GitHubApiStandIn> {
  const comments: StoredComment[] = [];
  const requests: GitHubApiStandIn['requests'] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? '', url: url.pathname + url.search, authorization: req.headers.authorization });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      if (!req.headers.authorization?.startsWith('token ')) return send(401, { message: 'Requires authentication' });
      const view = (c: StoredComment) => ({ id: c.id, body: c.body, user: { login: c.author ?? 'github-actions[bot]' } });
      const listPath = `/repos/${repository}/issues/${issue}/comments`;
      const single = new RegExp(`^/repos/${repository}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (url.pathname === listPath && req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const pages = Math.max(1, Math.ceil(comments.length / perPage));
        const headers: Record<string, string> = {};
        if (page < pages) {
          const next = new URL(url.toString());
          next.host = req.headers.host ?? next.host;
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.toString()}>; rel="next", <${next.toString().replace(/page=\d+/, `page=${pages}`)}>; rel="last"`;
        }
        return send(200, comments.slice((page - 1) * perPage, page * perPage).map(view), headers);
      }
      const body = raw ? ((JSON.parse(raw) as { body?: string }).body ?? '') : '';
      if (body.length > 65_536)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }],
        });
      if (url.pathname === listPath && req.method === 'POST') {
        const created = { id: nextId++, body };
        comments.push(created);
        return send(201, view(created));
      }
      if (single && req.method === 'PATCH') {
        const found = comments.find((c) => c.id === Number(single[1]));
        if (!found) return send(404, { message: 'Not Found' });
        found.body = body;
        return send(200, view(found));
      }
      return send(404, { message: `Not Found: ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
