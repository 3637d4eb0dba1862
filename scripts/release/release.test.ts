/**
 * The release process end to end in a scratch clone with real git: prepare, tag, build the
 * artifacts, move the major tag on the remote; and the templates' `@v1` is what it produces.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChangelog, prepareChangelog, releaseNotes } from './changelog';
import { parse as parseYaml } from 'yaml';
import {
  buildRelease,
  majorTagDecision,
  moveMajorTag,
  parseReleaseTag,
  prepareRelease,
  publishRelease,
  releaseCreateArgs,
  releaseOutputs,
  type CommandRunner,
} from './release';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'gantry-release-'));
const origin = path.join(scratch, 'origin.git');
const clone = path.join(scratch, 'clone');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Maintainer',
      GIT_AUTHOR_EMAIL: 'm@example.com',
      GIT_COMMITTER_NAME: 'Maintainer',
      GIT_COMMITTER_EMAIL: 'm@example.com',
    },
  }).trim();

function cutRelease(version: string, date: string): string {
  prepareRelease(clone, version, date);
  git(clone, 'commit', '-qam', `release ${version}`);
  git(clone, 'tag', '-a', `v${version}`, '-m', `v${version}`);
  git(clone, 'push', '-q', 'origin', 'HEAD:main', `v${version}`);
  return git(clone, 'rev-parse', 'HEAD');
}

const remoteTags = () =>
  Object.fromEntries(
    git(origin, 'show-ref', '--tags', '-d')
      .split('\n')
      .filter((line) => line.endsWith('^{}') || !/refs\/tags\/v\d+\.\d+\.\d+$/.test(line))
      .map((line) => {
        const [sha, ref] = line.split(' ');
        return [String(ref).replace('refs/tags/', '').replace('^{}', ''), sha];
      }),
  );

beforeAll(() => {
  // The repository's own release inputs (CHANGELOG, package.json, templates, the workflows they call).
  const seed = path.join(scratch, 'seed');
  mkdirSync(seed);
  for (const file of [
    'CHANGELOG.md',
    'package.json',
    'package-lock.json',
    'workflow-templates',
    '.github/workflows',
    'actions/smoke-test/action.yml',
  ]) {
    cpSync(path.join(ROOT, file), path.join(seed, file), { recursive: true });
  }
  git(scratch, 'init', '-q', '--bare', '-b', 'main', origin);
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'seed');
  git(seed, 'push', '-q', origin, 'main');
  git(scratch, 'clone', '-q', origin, clone);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a release from a tag in a scratch clone', () => {
  let sha = '';
  const out = path.join(scratch, 'out-1.0.0');

  it('prepare → tag → build writes the notes, the source archive and its checksum', () => {
    sha = cutRelease('1.0.0', '2026-12-03');
    const manifest = buildRelease(clone, 'v1.0.0', out);
    expect(manifest).toMatchObject({ tag: 'v1.0.0', version: '1.0.0', majorTag: 'v1', sha, assets: ['gantry-1.0.0.tar.gz', 'SHA256SUMS'] });
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'gantry-1.0.0.tar.gz', 'notes.md', 'release.json']);

    const notes = readFileSync(path.join(out, 'notes.md'), 'utf8');
    expect(notes).toContain('### Added');
    expect(notes).toContain('Reusable workflows `pr-checks.yml`');
    expect(notes).toContain(`@${sha} # v1.0.0`);
    expect(notes).not.toContain('## [');

    const archive = readFileSync(path.join(out, 'gantry-1.0.0.tar.gz'));
    expect(readFileSync(path.join(out, 'SHA256SUMS'), 'utf8')).toBe(
      `${createHash('sha256').update(archive).digest('hex')}  gantry-1.0.0.tar.gz\n`,
    );
    const listing = execFileSync('tar', ['-tzf', path.join(out, 'gantry-1.0.0.tar.gz')], { encoding: 'utf8' });
    expect(listing).toContain('gantry-1.0.0/workflow-templates/deploy-staging.yml');
    const packaged = JSON.parse(
      execFileSync('tar', ['-xzOf', path.join(out, 'gantry-1.0.0.tar.gz'), 'gantry-1.0.0/package.json'], { encoding: 'utf8' }),
    ) as { version: string };
    expect(packaged.version).toBe('1.0.0');
    // The changelog now has an empty Unreleased section above the release.
    expect(parseChangelog(readFileSync(path.join(clone, 'CHANGELOG.md'), 'utf8')).map((s) => [s.name, s.date])).toEqual([
      ['Unreleased', undefined],
      ['1.0.0', '2026-12-03'],
    ]);
  });

  it('moves v1 on the remote, and every template’s `@ref` is a tag the release produced', () => {
    const tags = git(clone, 'tag', '--list', 'v*').split('\n');
    expect(moveMajorTag(out, { kind: 'remote', remote: 'origin', cwd: clone }, tags)).toEqual({
      moved: true,
      reason: `v1 → v1.0.0 (${sha})`,
    });
    expect(remoteTags()).toMatchObject({ v1: sha, 'v1.0.0': sha });
    const refs = readdirSync(path.join(ROOT, 'workflow-templates'))
      .filter((name) => name.endsWith('.yml'))
      .flatMap((name) =>
        [...readFileSync(path.join(ROOT, 'workflow-templates', name), 'utf8').matchAll(/uses:\s*\S+\/gantry\/\S+@(\S+)/g)].map((m) => m[1]),
      );
    expect(refs.length).toBeGreaterThan(4);
    for (const ref of new Set(refs)) expect(remoteTags(), `templates call @${ref}`).toHaveProperty(String(ref), sha);
  });

  it('a later release moves v1 forward; a backport below it and a prerelease leave it', () => {
    const changelog = path.join(clone, 'CHANGELOG.md');
    writeFileSync(changelog, readFileSync(changelog, 'utf8').replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- something\n'));
    const next = cutRelease('1.1.0', '2026-12-10');
    const outNext = path.join(scratch, 'out-1.1.0');
    buildRelease(clone, 'v1.1.0', outNext);
    expect(moveMajorTag(outNext, { kind: 'remote', remote: 'origin', cwd: clone }, ['v1.0.0', 'v1.1.0']).moved).toBe(true);
    expect(remoteTags().v1).toBe(next);
    expect(majorTagDecision(parseReleaseTag('v1.0.1'), ['v1.0.0', 'v1.1.0', 'v1'])).toEqual({
      move: false,
      reason: 'v1.1.0 is newer than v1.0.1: v1 stays on it.',
    });
    expect(majorTagDecision(parseReleaseTag('v1.2.0-rc.1'), ['v1.1.0']).move).toBe(false);
    expect(majorTagDecision(parseReleaseTag('v2.0.0'), ['v1.1.0', 'v2.0.0-rc.1']).move).toBe(true);
  });
});

describe('what build refuses', () => {
  it('a tag that is not vX.Y.Z, a missing or lightweight tag, a version package.json does not have', () => {
    expect(() => parseReleaseTag('1.0.0')).toThrow("'1.0.0' is not a release tag: expected vMAJOR.MINOR.PATCH");
    expect(() => parseReleaseTag('v1.0')).toThrow(/not a release tag/);
    expect(() => buildRelease(clone, 'v9.9.9', path.join(scratch, 'x'))).toThrow('tag v9.9.9 does not exist');
    git(clone, 'tag', 'v1.1.1');
    expect(() => buildRelease(clone, 'v1.1.1', path.join(scratch, 'x'))).toThrow('tag v1.1.1 is a lightweight tag');
    git(clone, 'tag', '-a', 'v1.1.2', '-m', 'v1.1.2');
    expect(() => buildRelease(clone, 'v1.1.2', path.join(scratch, 'x'))).toThrow('package.json says version 1.1.0, the tag says 1.1.2');
    git(clone, 'tag', '-a', 'v1.1.3', '-m', 'v1.1.3', 'HEAD~1');
    expect(() => buildRelease(clone, 'v1.1.3', path.join(scratch, 'x'))).toThrow(
      /^HEAD is [0-9a-f]{40}, not [0-9a-f]{40} \(the commit of v1\.1\.3\)/,
    );
  });

  it('a changelog without a dated, non-empty section for the version', () => {
    expect(() => releaseNotes('## [Unreleased]\n\n- x\n', '1.0.0')).toThrow('CHANGELOG.md has no "## [1.0.0] - YYYY-MM-DD" section');
    expect(() => releaseNotes('## [1.0.0] - 2026-01-01\n\n## [0.9.0] - 2025-01-01\n- y\n', '1.0.0')).toThrow(
      'the section of 1.0.0 is empty',
    );
    expect(() => prepareChangelog('## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n- y\n', '1.1.0', '2026-02-01')).toThrow(
      'the Unreleased section is empty',
    );
    expect(() => prepareChangelog('## [1.0.0] - 2026-01-01\n- y\n', '1.0.0', '2026-02-01')).toThrow('already has a section for 1.0.0');
  });

  it('prepare keeps the compare links in step', () => {
    const text =
      '## [Unreleased]\n\n- new\n\n## [1.0.0] - 2026-01-01\n\n- old\n\n[Unreleased]: https://github.com/o/gantry/compare/v1.0.0...HEAD\n';
    const prepared = prepareChangelog(text, '1.1.0', '2026-02-01', 'https://github.com/o/gantry');
    expect(prepared).toContain(
      '[Unreleased]: https://github.com/o/gantry/compare/v1.1.0...HEAD\n[1.1.0]: https://github.com/o/gantry/compare/v1.0.0...v1.1.0',
    );
    expect(releaseNotes(prepared, '1.1.0')).toBe('- new');
  });
});

describe('publishing', () => {
  const calls: string[][] = [];
  const fakeGh =
    (existing: boolean): CommandRunner =>
    (command, args) => {
      calls.push([command, ...args]);
      if (args[0] === 'release' && args[1] === 'view') return { ok: existing, stdout: '' };
      return { ok: true, stdout: '' };
    };

  it('creates the release with the notes and assets, latest unless a prerelease', () => {
    const dir = path.join(scratch, 'out-1.0.0');
    const args = publishRelease(dir, fakeGh(false));
    expect(args).toEqual([
      'release',
      'create',
      'v1.0.0',
      '--verify-tag',
      '--title',
      'gantry v1.0.0',
      '--notes-file',
      path.join(dir, 'notes.md'),
      '--latest',
      path.join(dir, 'gantry-1.0.0.tar.gz'),
      path.join(dir, 'SHA256SUMS'),
    ]);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'release.json'), 'utf8'));
    expect(releaseCreateArgs({ ...manifest, prerelease: 'rc.1' }, dir)).toEqual(expect.arrayContaining(['--prerelease', '--latest=false']));
  });

  it('never replaces an existing release (immutable)', () => {
    expect(() => publishRelease(path.join(scratch, 'out-1.0.0'), fakeGh(true))).toThrow(
      'a GitHub release of v1.0.0 exists already: releases are immutable, so cut the next version (1.0.1) instead.',
    );
    expect(calls.at(-1)).toEqual(['gh', 'release', 'view', 'v1.0.0', '--json', 'tagName']);
  });

  it('moves the major tag through the GitHub API: create it the first time, force-update it after', () => {
    const dir = path.join(scratch, 'out-1.0.0');
    const sha = JSON.parse(readFileSync(path.join(dir, 'release.json'), 'utf8')).sha as string;
    for (const exists of [false, true]) {
      const seen: string[][] = [];
      moveMajorTag(dir, { kind: 'github', repository: 'o/gantry' }, ['v1.0.0'], (command, args) => {
        seen.push([command, ...args]);
        return { ok: args[1] === 'repos/o/gantry/git/ref/tags/v1' ? exists : true, stdout: '' };
      });
      expect(seen.at(-1)).toEqual(
        exists
          ? ['gh', 'api', '--method', 'PATCH', 'repos/o/gantry/git/refs/tags/v1', '-f', `sha=${sha}`, '-F', 'force=true']
          : ['gh', 'api', '--method', 'POST', 'repos/o/gantry/git/refs', '-f', 'ref=refs/tags/v1', '-f', `sha=${sha}`],
      );
    }
  });
});

describe('the repository itself', () => {
  it('CHANGELOG.md has an Unreleased section with entries, and package.json a semver version', () => {
    const sections = parseChangelog(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'));
    expect(sections[0]?.name).toBe('Unreleased');
    expect(sections[0]?.body).not.toBe('');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(() => parseReleaseTag(`v${version}`)).not.toThrow();
  });
});

describe('release.yml', () => {
  const workflow = parseYaml(readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8')) as {
    jobs: Record<
      string,
      { permissions?: Record<string, string>; outputs?: Record<string, string>; steps: Array<{ uses?: string; run?: string }> }
    >;
  };

  it('the write token is only in the job that runs no repository code (no checkout, only gh on the artifact)', () => {
    expect(workflow.jobs.build?.permissions).toBeUndefined();
    expect(workflow.jobs.publish?.permissions).toEqual({ contents: 'write' });
    expect(workflow.jobs.publish?.steps.some((step) => step.uses?.startsWith('actions/checkout@'))).toBe(false);
  });

  it('runs .ci/run, then build and outputs; the publish job’s gh flags are the ones releaseCreateArgs builds', () => {
    const build = workflow.jobs.build?.steps.map((step) => step.run ?? '').join('\n') ?? '';
    expect(build).toMatch(/bash \.ci\/run[\s\S]*release\.ts build "\$TAG"[\s\S]*release\.ts outputs/);
    expect(Object.keys(workflow.jobs.build?.outputs ?? {})).toEqual(['tag', 'sha', 'title', 'prerelease', 'major-tag', 'move-major']);
    const create = workflow.jobs.publish?.steps.map((step) => step.run ?? '').join('\n') ?? '';
    const manifest = JSON.parse(readFileSync(path.join(scratch, 'out-1.0.0', 'release.json'), 'utf8'));
    for (const flag of releaseCreateArgs(manifest, 'DIR').filter((arg) => arg.startsWith('--'))) expect(create).toContain(flag);
    for (const flag of releaseCreateArgs({ ...manifest, prerelease: 'rc.1' }, 'DIR').filter((arg) => arg.startsWith('--')))
      expect(create).toContain(flag);
  });

  it('outputs: what the publish job reads, with the major-tag decision', () => {
    expect(releaseOutputs(path.join(scratch, 'out-1.0.0'), ['v1.0.0', 'v1.1.0'])).toMatchObject({
      tag: 'v1.0.0',
      'major-tag': 'v1',
      'move-major': 'false',
      prerelease: 'false',
      title: 'gantry v1.0.0',
    });
    expect(releaseOutputs(path.join(scratch, 'out-1.1.0'), ['v1.0.0', 'v1.1.0'])['move-major']).toBe('true');
  });
});
