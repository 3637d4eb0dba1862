/**
 * Which revision to roll back to, from release metadata alone (tags written by deploy-ecs).
 * Talks to ECS only through a `RevisionCatalog`, so the rules are tested over plain tables.
 *
 * Unlike peers that take "revision N-1 of the family" (which may be the release that just failed,
 * or one that was never live), `previous` follows the `gantry:previous` links — what was really
 * live before each release — and skips releases known to be bad.
 */
import { ActionFailure, type FailureCode, InputError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG, parseVersion } from '../../../lib/ecs/metadata';
import { shortName, type RevisionCatalog, type RevisionRecord } from './revisions';
import { describeTarget, type RollbackTarget } from './target';

/** How a release ended, read from its tags. `pre-gantry`: no gantry:* tag at all. */
export type ReleaseFate = 'deployed' | 'failed' | 'rolled-back' | 'unknown' | 'pre-gantry';

export interface Resolution {
  target: RevisionRecord;
  /** One line: how the target was found (for the log and the summary). */
  how: string;
  warnings: string[];
}

export interface ResolveOptions {
  catalog: RevisionCatalog;
  log: Logger;
  /** How many of the family's newest revisions a search looks at (default 100). */
  searchLimit?: number;
}

export const DEFAULT_SEARCH_LIMIT = 100;
/** A previous-chain longer than this is treated as broken (it would also be a loop). */
const MAX_CHAIN = 200;
/** DescribeTaskDefinition calls in flight during a search: fast, and well inside ECS's rate limits. */
const DESCRIBE_CONCURRENCY = 5;

export function releaseFate(tags: Record<string, string>): ReleaseFate {
  const status = tags[TAG.status];
  if (status === 'deployed' || status === 'failed' || status === 'rolled-back') return status;
  return Object.keys(tags).some((key) => key.startsWith('gantry:')) ? 'unknown' : 'pre-gantry';
}

/** `web:7 (deployed, sha 1a2b3c4, v1.4.2)` */
export function describeRevision(rec: RevisionRecord): string {
  const details = [rec.tags[TAG.status] ?? 'no gantry status'];
  if (rec.tags[TAG.gitSha]) details.push(`sha ${rec.tags[TAG.gitSha].slice(0, 7)}`);
  if (rec.tags[TAG.version]) details.push(`v${rec.tags[TAG.version]}`);
  if (rec.status !== 'ACTIVE') details.push(rec.status);
  return `${shortName(rec.arn)} (${details.join(', ')})`;
}

export async function resolveTarget(target: RollbackTarget, current: RevisionRecord, options: ResolveOptions): Promise<Resolution> {
  const resolver = new Resolver(target, current, options);
  const resolution = await resolver.resolve();
  for (const warning of resolution.warnings) options.log.warning(warning);
  options.log.info(`Target: ${describeRevision(resolution.target)} — ${resolution.how}`);
  return resolution;
}

class Resolver {
  private readonly warnings: string[] = [];
  private readonly limit: number;
  private readonly input: string;

  constructor(
    private readonly target: RollbackTarget,
    private readonly current: RevisionRecord,
    private readonly options: ResolveOptions,
  ) {
    this.limit = options.searchLimit ?? DEFAULT_SEARCH_LIMIT;
    this.input = describeTarget(target);
  }

  async resolve(): Promise<Resolution> {
    switch (this.target.kind) {
      case 'previous':
        return this.previous();
      case 'revision':
        return this.explicit(
          `${this.current.family}:${this.target.revision}`,
          `revision ${this.target.revision} of family ${this.current.family}`,
        );
      case 'arn':
        // Another family is a typo, except what ran right before the current revision: a deploy
        // that switched families is undone with deploy-ecs's previous-task-definition-arn output.
        if (this.target.family !== this.current.family && this.target.arn !== this.current.tags[TAG.previous]) {
          throw new InputError(
            'GANTRY-ROLLBACK-003',
            'target',
            this.target.arn,
            `a task definition of the service's family '${this.current.family}' (the service runs ${shortName(this.current.arn)}; this ARN is of family '${this.target.family}')`,
          );
        }
        return this.explicit(this.target.arn, `the task definition ${shortName(this.target.arn)}`);
      case 'sha': {
        const sha = this.target.sha;
        return this.search(
          `gantry:git-sha ${sha.length < 40 ? 'starting with ' : ''}${sha}`,
          (rec) => (rec.tags[TAG.gitSha] ?? '').toLowerCase().startsWith(sha),
          sha.length === 40,
        );
      }
      case 'version': {
        const version = this.target.version;
        return this.search(`gantry:version ${version}`, (rec) => normalizedVersion(rec.tags[TAG.version]) === version, true);
      }
    }
  }

  private done(target: RevisionRecord, how: string): Resolution {
    return { target, how, warnings: this.warnings };
  }

  private fail(code: FailureCode, message: string): ActionFailure {
    return new ActionFailure(code, `Input 'target' ('${this.input}'): ${message}`);
  }

  private assertActive(
    rec: RevisionRecord,
    hint = 'Choose another target (revision:<n>, sha:, version:) or register that revision again.',
  ): void {
    if (rec.status !== 'ACTIVE') {
      throw this.fail(
        'GANTRY-ROLLBACK-004',
        `${describeRevision(rec)} is ${rec.status} (deregistered): ECS cannot update a service to it, so it cannot be rolled back to. ${hint}`,
      );
    }
  }

  private async explicit(ref: string, what: string): Promise<Resolution> {
    const rec = await this.options.catalog.get(ref);
    if (!rec) throw this.fail('GANTRY-ROLLBACK-005', `${what} does not exist (DescribeTaskDefinition knows no ${shortName(ref)}).`);
    this.assertActive(rec);
    const fate = releaseFate(rec.tags);
    if (fate === 'failed' || fate === 'rolled-back') {
      this.warnings.push(`${describeRevision(rec)} is marked ${fate}; rolling back to it because it was named explicitly.`);
    }
    return this.done(rec, `named explicitly (${this.input})`);
  }

  /** Follow gantry:previous from the current revision to the newest release that was deployed. */
  private async previous(): Promise<Resolution> {
    const visited = new Map([[this.current.arn, this.current]]);
    const path = [shortName(this.current.arn)];
    let link = this.current;
    for (let hop = 0; hop < MAX_CHAIN; hop += 1) {
      const previousRef = link.tags[TAG.previous];
      if (!previousRef) return this.fallback(link, visited, path);
      const rec = await this.options.catalog.get(previousRef);
      if (!rec)
        throw this.fail(
          'GANTRY-ROLLBACK-006',
          `${shortName(link.arn)} names ${previousRef} as gantry:previous, but ECS does not know that revision. Choose an explicit target (revision:<n>, sha:, version:).`,
        );
      if (visited.has(rec.arn))
        throw this.fail(
          'GANTRY-ROLLBACK-007',
          `the gantry:previous links loop back to ${shortName(rec.arn)} (${path.join(' → ')}). Choose an explicit target.`,
        );
      visited.set(rec.arn, rec);
      const fate = releaseFate(rec.tags);
      if (fate === 'deployed' || fate === 'pre-gantry') {
        path.push(`${shortName(rec.arn)} (${fate === 'deployed' ? 'deployed' : 'no gantry metadata'})`);
        this.assertActive(
          rec,
          `It is the last good release on the gantry:previous chain (${path.join(' → ')}); choose an explicit older target.`,
        );
        if (fate === 'pre-gantry') {
          this.warnings.push(
            `${shortName(rec.arn)} carries no gantry metadata (deployed before gantry?); it was live before ${shortName(link.arn)}, so it is taken as the last good release.`,
          );
        }
        return this.done(rec, `previous: followed gantry:previous ${path.join(' → ')}`);
      }
      path.push(`${shortName(rec.arn)} (${fate === 'unknown' ? `${rec.tags[TAG.status] ?? 'no status'}, fate unknown` : fate}, skipped)`);
      link = rec;
    }
    throw this.fail(
      'GANTRY-ROLLBACK-008',
      `the gantry:previous chain is longer than ${MAX_CHAIN} links (${path.slice(0, 5).join(' → ')} …). Choose an explicit target.`,
    );
  }

  /**
   * No (more) gantry:previous link: take the newest ACTIVE revision of the family older than
   * every revision seen so far, skipping releases known to be bad or unfinished.
   */
  private async fallback(end: RevisionRecord, visited: Map<string, RevisionRecord>, path: string[]): Promise<Resolution> {
    const family = this.current.family;
    const floor = Math.min(...[...visited.values()].filter((r) => r.family === family).map((r) => r.revision));
    const reason =
      releaseFate(end.tags) === 'pre-gantry' ? 'carries no gantry metadata (deployed before gantry?)' : 'has no gantry:previous tag';
    const arns = (await this.options.catalog.list(family, 'ACTIVE', this.limit)).filter((arn) => !visited.has(arn));
    const candidates = arns.filter((arn) => revisionOf(arn) < floor);
    const skipped: string[] = [];
    for (const batch of chunks(candidates, DESCRIBE_CONCURRENCY)) {
      const records = await Promise.all(batch.map((arn) => this.options.catalog.get(arn)));
      for (const rec of records) {
        if (!rec || rec.status !== 'ACTIVE') continue;
        const fate = releaseFate(rec.tags);
        if (fate === 'deployed' || fate === 'pre-gantry') {
          this.warnings.push(
            `${shortName(end.arn)} ${reason}: fell back to the newest ACTIVE revision of family ${family} older than ${family}:${floor}, ${describeRevision(rec)}${skipped.length ? ` (skipped ${listSome(skipped)})` : ''}. Check it is the release you want.`,
          );
          const chain = path.length > 1 ? `followed gantry:previous ${path.join(' → ')}, then ` : '';
          return this.done(rec, `previous: ${chain}fell back to the newest ACTIVE revision of ${family} older than ${family}:${floor}`);
        }
        skipped.push(describeRevision(rec));
      }
    }
    const chain = path.length > 1 ? ` after following gantry:previous ${path.join(' → ')}` : '';
    throw this.fail(
      'GANTRY-ROLLBACK-009',
      `no good release to roll back to${chain}: ${shortName(end.arn)} ${reason}, and no ACTIVE revision of family ${family} older than ${family}:${floor} ` +
        `is deployed or untagged among the newest ${this.limit} ACTIVE revisions${skipped.length ? ` (skipped ${listSome(skipped)})` : ''}.`,
    );
  }

  /** The newest `deployed` revision matching `matches`, searching the family newest first (bounded). */
  private async search(what: string, matches: (rec: RevisionRecord) => boolean, stopAtNewest: boolean): Promise<Resolution> {
    const family = this.current.family;
    const arns = await this.options.catalog.list(family, 'ACTIVE', this.limit);
    const found: RevisionRecord[] = [];
    let searched = 0;
    for (const batch of chunks(arns, DESCRIBE_CONCURRENCY)) {
      const records = await Promise.all(batch.map((arn) => this.options.catalog.get(arn)));
      searched += batch.length;
      found.push(...records.filter((r): r is RevisionRecord => r !== undefined && matches(r)));
      // A short SHA needs the whole window to prove it is unambiguous; anything else stops at the newest hit.
      if (stopAtNewest && found.some((r) => releaseFate(r.tags) === 'deployed')) break;
    }
    if (this.target.kind === 'sha') {
      const shas = [...new Set(found.map((r) => r.tags[TAG.gitSha].toLowerCase()))];
      if (shas.length > 1) {
        const listed = shas.slice(0, 5).map(
          (sha) =>
            `${sha.slice(0, 12)} (${found
              .filter((r) => r.tags[TAG.gitSha].toLowerCase() === sha)
              .map((r) => shortName(r.arn))
              .join(', ')})`,
        );
        const more = shas.length > 5 ? ` and ${shas.length - 5} more` : '';
        throw this.fail(
          'GANTRY-ROLLBACK-010',
          `the short SHA is ambiguous: it matches ${shas.length} commits: ${listed.join(', ')}${more}. Give more characters of the SHA.`,
        );
      }
    }
    const deployed = found.find((r) => releaseFate(r.tags) === 'deployed');
    if (deployed) {
      return this.done(
        deployed,
        `the newest deployed revision with ${what} (searched ${searched} revision${searched === 1 ? '' : 's'} of ${family}, newest first)`,
      );
    }
    const window =
      arns.length === 0
        ? `family ${family} has no ACTIVE revisions`
        : `searched the newest ${arns.length} ACTIVE revision${arns.length === 1 ? '' : 's'} of family ${family} (${shortName(arns[0])} down to ${shortName(arns[arns.length - 1])})` +
          (arns.length >= this.limit ? `; older revisions were not searched — name one with revision:<n> or its ARN` : ', all there are');
    if (found.length > 0) {
      throw this.fail(
        'GANTRY-ROLLBACK-011',
        `no deployed revision has ${what}: ${listSome(found.map(describeRevision))} ${found.length === 1 ? 'has' : 'have'} it but ${found.length === 1 ? 'is' : 'are'} not marked deployed (${window}).`,
      );
    }
    const inactive = await this.findInactive(matches);
    if (inactive) this.assertActive(inactive);
    throw this.fail('GANTRY-ROLLBACK-012', `no revision has ${what} (${window}).`);
  }

  /** A deployed match among deregistered revisions, to say "it exists but is INACTIVE" rather than "not found". */
  private async findInactive(matches: (rec: RevisionRecord) => boolean): Promise<RevisionRecord | undefined> {
    const arns = await this.options.catalog.list(this.current.family, 'INACTIVE', this.limit);
    for (const batch of chunks(arns, DESCRIBE_CONCURRENCY)) {
      const records = await Promise.all(batch.map((arn) => this.options.catalog.get(arn)));
      const hit = records.find((r) => r !== undefined && matches(r) && releaseFate(r.tags) === 'deployed');
      if (hit) return hit;
    }
    return undefined;
  }
}

function normalizedVersion(tag: string | undefined): string | undefined {
  return tag ? parseVersion(tag) : undefined;
}

function revisionOf(arn: string): number {
  const match = /:(\d+)$/.exec(arn);
  return match ? Number(match[1]) : 0;
}

/** At most `max` items, then how many more: lists in messages stay readable. */
function listSome(items: readonly string[], max = 5): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
