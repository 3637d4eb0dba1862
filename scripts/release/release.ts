/**
 * gantry's release process, called step by step by .github/workflows/release.yml (and runnable by a
 * maintainer): see docs/infra/releasing.md.
 *
 *   npx tsx scripts/release/release.ts prepare 1.2.0            CHANGELOG Unreleased → 1.2.0, package.json version
 *   npx tsx scripts/release/release.ts build v1.2.0 [--out DIR]  check the tag and write the release artifacts
 *   npx tsx scripts/release/release.ts publish DIR               create the GitHub release (gh), never overwrite one
 *   npx tsx scripts/release/release.ts move-major DIR [--remote NAME]
 *                                                                point v1 at the release (GitHub API, or a git remote)
 *   npx tsx scripts/release/release.ts outputs DIR               the release as step outputs (GITHUB_OUTPUT) for
 *                                                                release.yml's publish job, which runs no repository code
 *
 * Logic is here as functions taking a working directory and a command runner, so the tests run
 * them in a scratch clone with real git.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { prepareChangelog, releaseNotes } from './changelog';

export interface ReleaseTag {
  tag: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: string | undefined;
  /** The moving tag consumers pin: `v1`. */
  majorTag: string;
}

const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseReleaseTag(tag: string): ReleaseTag {
  const match = TAG.exec(tag);
  if (!match)
    throw new Error(`'${tag}' is not a release tag: expected vMAJOR.MINOR.PATCH (e.g. v1.2.0) or a prerelease such as v1.2.0-rc.1.`);
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return { tag, version: tag.slice(1), major, minor, patch, prerelease: match[4], majorTag: `v${major}` };
}

/** Runs a command and returns its stdout; throws with its stderr on a non-zero exit. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { cwd?: string; allowFailure?: boolean },
) => { ok: boolean; stdout: string };

export const runCommand: CommandRunner = (command, args, options = {}) => {
  try {
    return { ok: true, stdout: execFileSync(command, args, { cwd: options.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    if (options.allowFailure) return { ok: false, stdout: '' };
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || (err as Error).message}`, { cause: err });
  }
};

export interface ReleaseManifest extends ReleaseTag {
  /** The commit the tag points at. */
  sha: string;
  title: string;
  notesFile: string;
  assets: string[];
}

const MANIFEST = 'release.json';

/**
 * Checks the tag against the repository (it exists, HEAD is its commit, package.json says the same
 * version, CHANGELOG.md has a dated section for it) and writes into outDir: notes.md, the source
 * archive gantry-X.Y.Z.tar.gz (`git archive` of the tag, committed dist bundles included),
 * SHA256SUMS and release.json.
 */
export function buildRelease(cwd: string, tag: string, outDir: string, run: CommandRunner = runCommand): ReleaseManifest {
  const parsed = parseReleaseTag(tag);
  const git = (...args: string[]) => run('git', args, { cwd }).stdout.trim();
  if (!run('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`], { cwd, allowFailure: true }).ok)
    throw new Error(`tag ${tag} does not exist in ${cwd}.`);
  if (git('cat-file', '-t', `refs/tags/${tag}`) !== 'tag')
    throw new Error(
      `tag ${tag} is a lightweight tag: release tags are annotated (git tag -a ${tag} -m ${tag}), so they say who cut them and when.`,
    );
  const sha = git('rev-list', '-n', '1', tag);
  const head = git('rev-parse', 'HEAD');
  if (head !== sha) throw new Error(`HEAD is ${head}, not ${sha} (the commit of ${tag}): check the tag out before building its release.`);
  if (git('status', '--porcelain', '--untracked-files=no') !== '')
    throw new Error('the working tree has uncommitted changes: a release is built from the tagged commit exactly.');

  const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { version?: string };
  if (pkg.version !== parsed.version)
    throw new Error(
      `package.json says version ${pkg.version}, the tag says ${parsed.version}: run \`npx tsx scripts/release/release.ts prepare ${parsed.version}\`, merge it, then tag that commit.`,
    );
  const notes = releaseNotes(readFileSync(path.join(cwd, 'CHANGELOG.md'), 'utf8'), parsed.version);

  mkdirSync(outDir, { recursive: true });
  const archive = `gantry-${parsed.version}.tar.gz`;
  run('git', ['archive', '--format=tar.gz', `--prefix=gantry-${parsed.version}/`, '-o', path.join(outDir, archive), tag], { cwd });
  const notesFile = 'notes.md';
  writeFileSync(path.join(outDir, notesFile), `${notes}\n\n${pinningFooter(parsed, sha)}`);
  const sums = [archive]
    .map(
      (file) =>
        `${createHash('sha256')
          .update(readFileSync(path.join(outDir, file)))
          .digest('hex')}  ${file}`,
    )
    .join('\n');
  writeFileSync(path.join(outDir, 'SHA256SUMS'), `${sums}\n`);
  const manifest: ReleaseManifest = { ...parsed, sha, title: `gantry ${tag}`, notesFile, assets: [archive, 'SHA256SUMS'] };
  writeFileSync(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function pinningFooter(release: ReleaseTag, sha: string): string {
  const lines = ['### Pinning', '', `- \`@${release.tag}\`: exactly this release (its tag is immutable).`];
  if (!release.prerelease)
    lines.push(
      `- \`@${release.majorTag}\`: this release until the next ${release.majorTag}.x (the major tag moves; no breaking change within it).`,
    );
  lines.push(`- \`@${sha} # ${release.tag}\`: the commit itself, for Dependabot to update (see docs/infra/releasing.md).`);
  return `${lines.join('\n')}\n`;
}

export function readManifest(dir: string): ReleaseManifest {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`release.ts build <tag> --out ${dir}\` first.`);
  return JSON.parse(readFileSync(file, 'utf8')) as ReleaseManifest;
}

/** `gh release create` for the manifest: notes from CHANGELOG.md, the assets, latest unless a prerelease. */
export function releaseCreateArgs(manifest: ReleaseManifest, dir: string): string[] {
  return [
    'release',
    'create',
    manifest.tag,
    '--verify-tag',
    '--title',
    manifest.title,
    '--notes-file',
    path.join(dir, manifest.notesFile),
    ...(manifest.prerelease ? ['--prerelease', '--latest=false'] : ['--latest']),
    ...manifest.assets.map((asset) => path.join(dir, asset)),
  ];
}

/** Creates the GitHub release; an existing release of the tag is never edited or replaced. */
export function publishRelease(dir: string, run: CommandRunner = runCommand): string[] {
  const manifest = readManifest(dir);
  if (run('gh', ['release', 'view', manifest.tag, '--json', 'tagName'], { allowFailure: true }).ok) {
    throw new Error(
      `a GitHub release of ${manifest.tag} exists already: releases are immutable, so cut the next version (${manifest.major}.${manifest.minor}.${manifest.patch + 1}) instead.`,
    );
  }
  const args = releaseCreateArgs(manifest, dir);
  run('gh', args);
  return args;
}

const compareVersions = (a: ReleaseTag, b: ReleaseTag) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/**
 * Whether the major tag moves to this release: only a stable release that is the highest of its
 * major does (a backported v1.2.5 after v1.3.0 leaves v1 on v1.3.0; a prerelease never moves it).
 */
export function majorTagDecision(release: ReleaseTag, existingTags: readonly string[]): { move: boolean; reason: string } {
  if (release.prerelease) return { move: false, reason: `${release.tag} is a prerelease: ${release.majorTag} stays where it is.` };
  const higher = existingTags
    .flatMap((tag) => (TAG.test(tag) ? [parseReleaseTag(tag)] : []))
    .filter((other) => !other.prerelease && other.major === release.major && compareVersions(other, release) > 0)
    .sort(compareVersions)
    .at(-1);
  if (higher) return { move: false, reason: `${higher.tag} is newer than ${release.tag}: ${release.majorTag} stays on it.` };
  return { move: true, reason: `${release.majorTag} → ${release.tag}` };
}

export type MajorTagTarget = { kind: 'remote'; remote: string; cwd: string } | { kind: 'github'; repository: string };

/** Points the major tag at the release's commit: `git push --force` to a remote, or the GitHub REST API (no credentials in git). */
export function moveMajorTag(
  dir: string,
  target: MajorTagTarget,
  existingTags: readonly string[],
  run: CommandRunner = runCommand,
): { moved: boolean; reason: string } {
  const manifest = readManifest(dir);
  const decision = majorTagDecision(manifest, existingTags);
  if (!decision.move) return { moved: false, reason: decision.reason };
  const ref = `refs/tags/${manifest.majorTag}`;
  if (target.kind === 'remote') {
    run('git', ['push', '--force', target.remote, `${manifest.sha}:${ref}`], { cwd: target.cwd });
  } else {
    const exists = run('gh', ['api', `repos/${target.repository}/git/ref/tags/${manifest.majorTag}`], { allowFailure: true }).ok;
    if (exists)
      run('gh', [
        'api',
        '--method',
        'PATCH',
        `repos/${target.repository}/git/refs/tags/${manifest.majorTag}`,
        '-f',
        `sha=${manifest.sha}`,
        '-F',
        'force=true',
      ]);
    else run('gh', ['api', '--method', 'POST', `repos/${target.repository}/git/refs`, '-f', `ref=${ref}`, '-f', `sha=${manifest.sha}`]);
  }
  return { moved: true, reason: `${manifest.majorTag} → ${manifest.tag} (${manifest.sha})` };
}

/** `prepare`: CHANGELOG's Unreleased section becomes `version`'s, and package.json(+lock) get the version. */
export function prepareRelease(cwd: string, version: string, date: string): void {
  parseReleaseTag(`v${version}`);
  const changelogPath = path.join(cwd, 'CHANGELOG.md');
  writeFileSync(changelogPath, prepareChangelog(readFileSync(changelogPath, 'utf8'), version, date));
  for (const file of ['package.json', 'package-lock.json']) {
    const full = path.join(cwd, file);
    if (!existsSync(full)) continue;
    const json = JSON.parse(readFileSync(full, 'utf8')) as { version?: string; packages?: Record<string, { version?: string }> };
    json.version = version;
    if (json.packages?.['']) json.packages[''].version = version;
    writeFileSync(full, `${JSON.stringify(json, null, 2)}\n`);
  }
}

/**
 * What release.yml's publish job needs, as `name=value` step outputs: it holds contents: write and so
 * runs no repository code — it calls `gh` with these values (the same as releaseCreateArgs).
 */
export const RELEASE_OUTPUTS = ['tag', 'sha', 'title', 'prerelease', 'major-tag', 'move-major', 'major-reason'] as const;

export function releaseOutputs(dir: string, existingTags: readonly string[]): Record<(typeof RELEASE_OUTPUTS)[number], string> {
  const manifest = readManifest(dir);
  const decision = majorTagDecision(manifest, existingTags);
  return {
    tag: manifest.tag,
    sha: manifest.sha,
    title: manifest.title,
    prerelease: manifest.prerelease ? 'true' : 'false',
    'major-tag': manifest.majorTag,
    'move-major': decision.move ? 'true' : 'false',
    'major-reason': decision.reason,
  };
}

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

export function main(argv: readonly string[], cwd = process.cwd()): number {
  const [command, subject] = argv;
  try {
    if (command === 'prepare' && subject) {
      prepareRelease(cwd, subject.replace(/^v/, ''), option(argv, '--date') ?? new Date().toISOString().slice(0, 10));
      console.log(
        `CHANGELOG.md and package.json now say ${subject}: commit, merge, then tag the merged commit with git tag -a v${subject.replace(/^v/, '')}.`,
      );
    } else if (command === 'build' && subject) {
      const out = path.resolve(cwd, option(argv, '--out') ?? '.tmp/release');
      const manifest = buildRelease(cwd, subject, out);
      console.log(`release ${manifest.tag} (${manifest.sha}) built in ${out}: ${[manifest.notesFile, ...manifest.assets].join(', ')}`);
    } else if (command === 'publish' && subject) {
      console.log(`gh ${publishRelease(path.resolve(cwd, subject)).join(' ')}`);
    } else if (command === 'move-major' && subject) {
      const remote = option(argv, '--remote');
      const repository = process.env.GITHUB_REPOSITORY ?? '';
      const target: MajorTagTarget = remote ? { kind: 'remote', remote, cwd } : { kind: 'github', repository };
      if (target.kind === 'github' && !/^[\w.-]+\/[\w.-]+$/.test(repository))
        throw new Error('GITHUB_REPOSITORY is not owner/name: pass --remote NAME to push the tag with git instead.');
      const tags = runCommand('git', ['tag', '--list', 'v*'], { cwd }).stdout.split('\n').filter(Boolean);
      console.log(moveMajorTag(path.resolve(cwd, subject), target, tags).reason);
    } else if (command === 'outputs' && subject) {
      const tags = runCommand('git', ['tag', '--list', 'v*'], { cwd }).stdout.split('\n').filter(Boolean);
      const lines = Object.entries(releaseOutputs(path.resolve(cwd, subject), tags)).map(([name, value]) => `${name}=${value}`);
      if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `${lines.join('\n')}\n`);
      console.log(lines.join('\n'));
    } else {
      console.error(
        'usage: release.ts prepare X.Y.Z | build vX.Y.Z [--out DIR] | publish DIR | move-major DIR [--remote NAME] | outputs DIR',
      );
      return 2;
    }
    return 0;
  } catch (err) {
    console.error(`::error title=Release failed::${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

const invokedPath = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (import.meta.url === invokedPath) process.exitCode = main(process.argv.slice(2));
