import { describe, expect, it } from 'vitest';
import { ActionFailure, InputError } from '../../../lib/runner/errors';
import { memoryLogger } from '../../../lib/runner/logger';
import { TAG } from '../../../lib/ecs/metadata';
import { releaseFate, resolveTarget } from './resolve';
import type { ListStatus, RevisionCatalog, RevisionRecord } from './revisions';
import { parseTarget } from './target';

const arn = (n: number, family = 'web'): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`;

/** One revision of the table: gantry status, sha, version, previous (a revision number of `web` or an ARN). */
interface Row {
  rev: number;
  family?: string;
  status?: string;
  sha?: string;
  version?: string;
  previous?: number | string;
  inactive?: boolean;
  /** No gantry tag at all (deployed before gantry). */
  bare?: boolean;
}

const SHA = {
  a: 'aaaaaaa1111111111111111111111111111111111'.slice(0, 40),
  b: 'bbbbbbb2222222222222222222222222222222222'.slice(0, 40),
  c: 'ccccccc3333333333333333333333333333333333'.slice(0, 40),
  a2: 'aaaaaaa4444444444444444444444444444444444'.slice(0, 40),
};

function tableCatalog(rows: Row[]): RevisionCatalog & { gets: string[] } {
  const records = new Map<string, RevisionRecord>();
  for (const row of rows) {
    const family = row.family ?? 'web';
    const tags: Record<string, string> = { team: 'shop' };
    if (!row.bare) {
      tags[TAG.gitSha] = row.sha ?? `${String(row.rev).padStart(7, '0')}${'f'.repeat(33)}`;
      if (row.version) tags[TAG.version] = row.version;
      if (row.status) tags[TAG.status] = row.status;
      if (row.previous !== undefined) tags[TAG.previous] = typeof row.previous === 'number' ? arn(row.previous) : row.previous;
    }
    records.set(arn(row.rev, family), {
      arn: arn(row.rev, family),
      family,
      revision: row.rev,
      status: row.inactive ? 'INACTIVE' : 'ACTIVE',
      tags,
    });
  }
  const gets: string[] = [];
  return {
    gets,
    async get(ref) {
      gets.push(ref);
      const full = ref.startsWith('arn:') ? ref : arn(Number(ref.split(':')[1]), ref.split(':')[0]);
      return records.get(full);
    },
    async list(family: string, status: ListStatus, limit: number) {
      return [...records.values()]
        .filter((r) => r.family === family && r.status === status)
        .sort((x, y) => y.revision - x.revision)
        .slice(0, limit)
        .map((r) => r.arn);
    },
  };
}

async function resolve(rows: Row[], current: number, target: string, searchLimit?: number) {
  const catalog = tableCatalog(rows);
  const log = memoryLogger();
  const currentRecord = await catalog.get(arn(current));
  if (!currentRecord) throw new Error(`table has no current revision ${current}`);
  catalog.gets.length = 0;
  const resolution = await resolveTarget(parseTarget(target), currentRecord, { catalog, log, searchLimit });
  return { revision: resolution.target.revision, how: resolution.how, warnings: resolution.warnings, log, gets: catalog.gets };
}

async function failure(rows: Row[], current: number, target: string, searchLimit?: number): Promise<Error> {
  try {
    await resolve(rows, current, target, searchLimit);
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected the resolution to fail');
}

describe('releaseFate', () => {
  it.each([
    [{ [TAG.status]: 'deployed' }, 'deployed'],
    [{ [TAG.status]: 'failed' }, 'failed'],
    [{ [TAG.status]: 'rolled-back' }, 'rolled-back'],
    [{ [TAG.status]: 'pending', [TAG.gitSha]: 'x' }, 'unknown'],
    [{ [TAG.gitSha]: 'x' }, 'unknown'],
    [{ team: 'shop' }, 'pre-gantry'],
    [{}, 'pre-gantry'],
  ])('%j → %s', (tags, fate) => expect(releaseFate(tags)).toBe(fate));
});

describe('previous: following gantry:previous', () => {
  it.each<[string, Row[], number, number]>([
    [
      'one step back',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'deployed', previous: 1 },
        { rev: 3, status: 'deployed', previous: 2 },
      ],
      3,
      2,
    ],
    [
      'the current revision may itself be failed',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'deployed', previous: 1 },
        { rev: 3, status: 'failed', previous: 2 },
      ],
      3,
      2,
    ],
    [
      'skips failed and rolled-back links',
      [
        { rev: 2, status: 'deployed' },
        { rev: 3, status: 'rolled-back', previous: 2 },
        { rev: 4, status: 'failed', previous: 3 },
        { rev: 5, status: 'deployed', previous: 4 },
      ],
      5,
      2,
    ],
    [
      'skips a pending release (fate never recorded)',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'pending', previous: 1 },
        { rev: 3, status: 'deployed', previous: 2 },
      ],
      3,
      1,
    ],
    [
      'follows what was live, not revision N-1: goes back, never forward',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'deployed', previous: 1 },
        { rev: 3, status: 'rolled-back', previous: 2 },
        { rev: 4, status: 'deployed', previous: 2 },
      ],
      4,
      2,
    ],
    [
      'a second rollback after the first goes further back',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'deployed', previous: 1 },
        { rev: 3, status: 'rolled-back', previous: 2 },
      ],
      2,
      1,
    ],
    [
      'skips revisions registered but never live (not on the chain)',
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'deployed' },
        { rev: 3, status: 'deployed', previous: 1 },
      ],
      3,
      1,
    ],
  ])('%s', async (_name, rows, current, expected) => {
    const result = await resolve(rows, current, 'previous');
    expect(result.revision).toBe(expected);
    expect(result.warnings).toEqual([]);
    expect(result.how).toMatch(/^previous: followed gantry:previous web:/);
  });

  it('explains the path it took, skipped links included', async () => {
    const result = await resolve(
      [
        { rev: 1, status: 'deployed' },
        { rev: 2, status: 'failed', previous: 1 },
        { rev: 3, status: 'deployed', previous: 2 },
      ],
      3,
      'previous',
    );
    expect(result.how).toBe('previous: followed gantry:previous web:3 → web:2 (failed, skipped) → web:1 (deployed)');
  });

  it('may follow a link into another family (the service changed family)', async () => {
    const rows: Row[] = [
      { rev: 7, family: 'legacy', status: 'deployed' },
      { rev: 1, status: 'deployed', previous: arn(7, 'legacy') },
    ];
    const catalog = tableCatalog(rows);
    const current = (await catalog.get(arn(1))) as RevisionRecord;
    const resolution = await resolveTarget({ kind: 'previous' }, current, { catalog, log: memoryLogger() });
    expect(resolution.target.arn).toBe(arn(7, 'legacy'));
  });
});

describe('previous: missing metadata falls back to the family', () => {
  it('no metadata at all: newest ACTIVE revision older than the current one, with a warning', async () => {
    const result = await resolve(
      [
        { rev: 3, bare: true },
        { rev: 4, bare: true },
        { rev: 5, bare: true },
        { rev: 6, bare: true },
      ],
      5,
      'previous',
    );
    expect(result.revision).toBe(4);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /web:5 carries no gantry metadata .*fell back to the newest ACTIVE revision of family web older than web:5, web:4/,
    );
    expect(result.log.warnings).toEqual(result.warnings);
  });

  it('the fallback skips deregistered revisions and ones tagged failed, rolled-back or pending', async () => {
    const rows: Row[] = [
      { rev: 1, bare: true },
      { rev: 2, bare: true, inactive: true },
      { rev: 3, status: 'failed' },
      { rev: 4, status: 'pending' },
      { rev: 5, status: 'rolled-back' },
      { rev: 6, bare: true },
    ];
    const result = await resolve(rows, 6, 'previous');
    expect(result.revision).toBe(1);
    expect(result.warnings[0]).toMatch(/skipped web:5 \(rolled-back.*web:4 \(pending.*web:3 \(failed/);
  });

  it('a chain that reaches a revision from before gantry takes it, with a warning', async () => {
    const result = await resolve(
      [
        { rev: 1, bare: true },
        { rev: 2, bare: true },
        { rev: 3, status: 'deployed', previous: 2 },
      ],
      3,
      'previous',
    );
    expect(result.revision).toBe(2);
    expect(result.warnings[0]).toMatch(/web:2 carries no gantry metadata .*live before web:3/);
  });

  it('a chain that ends in bad releases continues below the oldest one seen', async () => {
    const rows: Row[] = [
      { rev: 1, bare: true },
      { rev: 2, bare: true },
      { rev: 3, status: 'failed' },
      { rev: 4, status: 'deployed', previous: 3 },
    ];
    const result = await resolve(rows, 4, 'previous');
    expect(result.revision).toBe(2);
    expect(result.how).toMatch(/followed gantry:previous web:4 → web:3 \(failed, skipped\), then fell back .* older than web:3/);
  });
});

describe('previous: errors', () => {
  it.each<[string, Row[], number, RegExp]>([
    [
      'the last good release is INACTIVE',
      [
        { rev: 1, status: 'deployed', inactive: true },
        { rev: 2, status: 'deployed', previous: 1 },
      ],
      2,
      /web:1 \(deployed, sha 0000001, INACTIVE\) is INACTIVE \(deregistered\).*cannot be rolled back to/,
    ],
    [
      'a link names a revision ECS does not know',
      [{ rev: 2, status: 'deployed', previous: 1 }],
      2,
      /web:2 names .*web:1 as gantry:previous, but ECS does not know that revision/,
    ],
    [
      'links that loop',
      [
        { rev: 1, status: 'failed', previous: 2 },
        { rev: 2, status: 'deployed', previous: 1 },
      ],
      2,
      /loop back to web:2/,
    ],
    [
      'nothing good anywhere',
      [
        { rev: 1, status: 'failed' },
        { rev: 2, status: 'deployed', previous: 1 },
      ],
      2,
      /no good release to roll back to after following gantry:previous web:2 → web:1 \(failed, skipped\)/,
    ],
    ['the only revision, no metadata', [{ rev: 1, bare: true }], 1, /no good release to roll back to: web:1 carries no gantry metadata/],
  ])('%s', async (_name, rows, current, message) => {
    const err = await failure(rows, current, 'previous');
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toMatch(/^Input 'target' \('previous'\): /);
    expect(err.message).toMatch(message);
  });
});

describe('sha: and version: search the family newest first', () => {
  const history: Row[] = [
    { rev: 1, status: 'deployed', sha: SHA.a, version: '1.0.0' },
    { rev: 2, status: 'deployed', sha: SHA.b, version: 'v1.1.0', previous: 1 },
    { rev: 3, status: 'failed', sha: SHA.c, version: '1.2.0', previous: 2 },
    { rev: 4, status: 'deployed', sha: SHA.b, version: '1.1.0', previous: 2 },
    { rev: 5, status: 'deployed', sha: SHA.c, version: '1.2.1', previous: 4 },
  ];

  it.each<[string, number]>([
    [`sha:${SHA.a}`, 1],
    [`sha:${SHA.a.slice(0, 7)}`, 1],
    [`sha:${SHA.b.slice(0, 9).toUpperCase()}`, 4], // redeployed: the newest deployed revision of that commit
    ['version:1.0.0', 1],
    ['version:v1.1.0', 4],
    ['version:1.2.1', 5], // the current revision: main.ts reports noop
  ])('%s → revision %i', async (target, expected) => {
    expect((await resolve(history, 5, target)).revision).toBe(expected);
  });

  it('a full SHA stops at the newest deployed hit instead of describing the whole window', async () => {
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({ rev: i + 1, status: 'deployed', sha: i === 27 ? SHA.a : undefined }));
    const result = await resolve(rows, 30, `sha:${SHA.a}`);
    expect(result.revision).toBe(28);
    expect(result.gets.length).toBe(5);
  });

  it('an ambiguous short SHA is an error listing the candidates', async () => {
    const err = await failure([...history, { rev: 6, status: 'deployed', sha: SHA.a2 }], 6, 'sha:aaaaaaa');
    expect(err.message).toMatch(
      /short SHA is ambiguous: it matches 2 commits: aaaaaaa44444 \(web:6\), aaaaaaa11111 \(web:1\)\. Give more characters/,
    );
  });

  it('a match that is not marked deployed is named in the error', async () => {
    const rows: Row[] = [
      { rev: 1, status: 'deployed' },
      { rev: 2, status: 'failed', sha: SHA.c, previous: 1 },
      { rev: 3, status: 'deployed', previous: 1 },
    ];
    const err = await failure(rows, 3, 'sha:ccccccc');
    expect(err.message).toMatch(
      /no deployed revision has gantry:git-sha starting with ccccccc: web:2 \(failed, sha ccccccc\) has it but is not marked deployed/,
    );
  });

  it.each<[string, number | undefined, RegExp]>([
    [
      'sha:deadbee',
      undefined,
      /no revision has gantry:git-sha starting with deadbee \(searched the newest 5 ACTIVE revisions of family web \(web:5 down to web:1\), all there are\)/,
    ],
    ['version:9.9.9', undefined, /no revision has gantry:version 9\.9\.9 \(searched the newest 5 ACTIVE revisions/],
    [
      'version:1.0.0',
      3,
      /no revision has gantry:version 1\.0\.0 \(searched the newest 3 ACTIVE revisions of family web \(web:5 down to web:3\); older revisions were not searched — name one with revision:<n> or its ARN\)/,
    ],
  ])('%s not found (limit %s)', async (target, limit, message) => {
    const err = await failure(history, 5, target, limit);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toMatch(new RegExp(`^Input 'target' \\('${target.replace(/\./g, '\\.')}'\\)`));
    expect(err.message).toMatch(message);
  });

  it('a match that was deregistered says INACTIVE, not "not found"', async () => {
    const err = await failure(
      [
        { rev: 1, status: 'deployed', version: '0.9.0', inactive: true },
        { rev: 2, status: 'deployed', previous: 1 },
      ],
      2,
      'version:0.9.0',
    );
    expect(err.message).toMatch(/web:1 \(deployed, .*v0\.9\.0, INACTIVE\) is INACTIVE \(deregistered\)/);
  });
});

describe('revision: and ARN targets', () => {
  const rows: Row[] = [
    { rev: 1, status: 'deployed', inactive: true },
    { rev: 2, status: 'deployed', previous: 1 },
    { rev: 3, status: 'failed', previous: 2 },
    { rev: 4, status: 'deployed', previous: 2 },
  ];

  it.each<[string, number]>([
    ['revision:2', 2],
    [arn(2), 2],
    ['revision:4', 4],
  ])('%s → revision %i', async (target, expected) => {
    const result = await resolve(rows, 4, target);
    expect(result.revision).toBe(expected);
    expect(result.warnings).toEqual([]);
  });

  it('a revision marked failed is allowed when named explicitly, with a warning', async () => {
    const result = await resolve(rows, 4, 'revision:3');
    expect(result.revision).toBe(3);
    expect(result.warnings[0]).toMatch(/web:3 .* is marked failed; rolling back to it because it was named explicitly/);
  });

  it.each<[string, RegExp]>([
    ['revision:1', /web:1 .* is INACTIVE \(deregistered\)/],
    [arn(1), /web:1 .* is INACTIVE \(deregistered\)/],
    ['revision:9', /revision 9 of family web does not exist/],
    [arn(9), /the task definition web:9 does not exist/],
  ])('%s is an error', async (target, message) => {
    const err = await failure(rows, 4, target);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toMatch(message);
  });

  it('an ARN of another family is accepted when it is what ran before the current revision (gantry:previous)', async () => {
    const switched: Row[] = [
      { rev: 7, family: 'legacy', status: 'deployed' },
      { rev: 1, status: 'failed', previous: arn(7, 'legacy') },
    ];
    expect((await resolve(switched, 1, arn(7, 'legacy'))).revision).toBe(7);
  });

  it('an ARN of another family is an input error naming target', async () => {
    const err = await failure(rows, 4, arn(2, 'api'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(
      /^Input 'target' has value '.*task-definition\/api:2': expected a task definition of the service's family 'web'/,
    );
  });
});
