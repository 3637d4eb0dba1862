/**
 * The few GitHub REST reads the release gate makes, over fetch: one GET, and a list that follows the
 * Link header only on the API's own origin (the token is never sent anywhere else). Every failure is an
 * ActionFailure that names the endpoint and, on 403/404, the permission the calling job must grant.
 */
import { ActionFailure } from '../../../lib/runner/errors';

export type ApiArea = 'repository' | 'deployments' | 'actions' | 'checks';

/** What each area needs from the calling job (the hint on a 403 or 404). */
const PERMISSION: Record<ApiArea, string> = {
  repository: 'contents: read',
  deployments: 'deployments: read',
  actions: 'actions: read',
  checks: 'checks: read',
};

const AREA_NAME: Record<ApiArea, string> = {
  repository: 'Repository API',
  deployments: 'Deployments API',
  actions: 'Actions API',
  checks: 'Checks API',
};

const MAX_PAGES = 20;

export class GitHubApi {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
    private readonly repository: string,
  ) {}

  private async request(url: string, path: string, area: ApiArea): Promise<Response> {
    try {
      return await fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'gantry-release-gate',
          authorization: `Bearer ${this.token}`,
        },
        redirect: 'error',
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new ActionFailure('GANTRY-GATE-001', `${AREA_NAME[area]} unreachable: GET ${path}: ${cause}. Re-run the job.`);
    }
  }

  private async fail(response: Response, path: string, area: ApiArea, hint?: string): Promise<never> {
    const body = await response.text();
    let message = body.slice(0, 300);
    try {
      message = String((JSON.parse(body) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: the start of the text
    }
    const permission =
      response.status === 403 || response.status === 404
        ? ` ${hint ?? `The job needs ${PERMISSION[area]} on ${this.repository}: the calling job must grant it (permissions: ${PERMISSION[area]}).`}`
        : ' Re-run the job.';
    throw new ActionFailure(
      'GANTRY-GATE-002',
      `${AREA_NAME[area]} error: GET ${path} answered ${response.status}: ${message}.${permission}`,
    );
  }

  /** GET one object; `hint` replaces the permission hint on 403/404. */
  async get<T extends object>(path: string, area: ApiArea, hint?: string): Promise<T> {
    const response = await this.request(`${this.apiUrl}${path}`, path, area);
    if (!response.ok) return this.fail(response, path, area, hint);
    const body: unknown = await response.json();
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ActionFailure('GANTRY-GATE-003', `${AREA_NAME[area]} error: GET ${path} did not answer with an object.`);
    return body as T;
  }

  /** GET every page of a list endpoint (at most MAX_PAGES); `key` when the list is a field of the answer. */
  async list<T>(path: string, area: ApiArea, key?: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = `${this.apiUrl}${path}`;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page += 1) {
      const response = await this.request(url, path, area);
      if (!response.ok) return this.fail(response, path, area);
      const body: unknown = await response.json();
      const list = key === undefined ? body : (body as Record<string, unknown> | null)?.[key];
      if (!Array.isArray(list))
        throw new ActionFailure('GANTRY-GATE-004', `${AREA_NAME[area]} error: GET ${path} did not answer with a list.`);
      items.push(...(list as T[]));
      url = nextPage(response.headers.get('link'), this.apiUrl);
    }
    return items;
  }
}

/** rel="next" of a Link header, only on the API's own origin. */
export function nextPage(link: string | null, apiUrl: string): string | undefined {
  const next = /<([^>]+)>\s*;\s*rel="next"/.exec(link ?? '')?.[1];
  if (!next) return undefined;
  try {
    return new URL(next).origin === new URL(apiUrl).origin ? next : undefined;
  } catch {
    return undefined;
  }
}
