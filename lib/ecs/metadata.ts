/**
 * Release metadata from the runner's environment, and version normalisation.
 * The tag names here are the contract between deploy-ecs, rollback and the workflows
 * (see docs/infra/architecture.md).
 */
// Only the parser: semver's index loads every function and class (≈ 80 KB of each bundle's start).
import validSemver from 'semver/functions/valid.js';
import { InputError } from '../runner/errors';
import type { Env } from '../runner/inputs';

export const TAG = {
  gitSha: 'gantry:git-sha',
  version: 'gantry:version',
  environment: 'gantry:environment',
  runUrl: 'gantry:run-url',
  actor: 'gantry:actor',
  previous: 'gantry:previous',
  status: 'gantry:status',
  deployedAt: 'gantry:deployed-at',
  rollbackReason: 'gantry:rollback-reason',
  /** sha256:… of the image deployed, so the next environment deploys exactly it (release-gate record). */
  imageDigest: 'gantry:image-digest',
  /** The promotion gate's verdict for this deploy: not-required, proven, overridden. */
  promotion: 'gantry:promotion',
  overrideReason: 'gantry:override-reason',
  /** A random token per deploy-ecs run: a retried registration finds the revision it already made. */
  runToken: 'gantry:run-token',
} as const;

export type ReleaseStatus = 'deployed' | 'failed' | 'rolled-back';

export interface RunnerContext {
  gitSha: string | undefined;
  ref: string | undefined;
  repository: string | undefined;
  serverUrl: string;
  runId: string | undefined;
  runUrl: string | undefined;
  actor: string | undefined;
  sourceUrl: string | undefined;
}

export function runnerContext(env: Env = process.env): RunnerContext {
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID || undefined;
  return {
    gitSha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    repository,
    serverUrl,
    runId,
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    actor: env.GITHUB_ACTOR || undefined,
    sourceUrl: repository ? `${serverUrl}/${repository}` : undefined,
  };
}

const SHA = /^[0-9a-f]{7,40}$/;

/** A git SHA of 7 to 40 lower-case hex characters (upper case is accepted and lowered). */
export function normalizeGitSha(value: string, inputName = 'git-sha'): string {
  const lower = value.trim().toLowerCase();
  if (!SHA.test(lower)) throw new InputError('GANTRY-ECS-001', inputName, value, 'a git commit SHA of 7 to 40 hexadecimal characters');
  return lower;
}

/** `v1.2.3` → `1.2.3`, `1.2.3+build.7` → `1.2.3`; undefined when the text is not a semantic version. */
export function parseVersion(value: string): string | undefined {
  return validSemver(value.trim().replace(/^v(?=\d)/, '')) ?? undefined;
}

/** `v1.2.3` → `1.2.3`; anything that is not semver is an input error. */
export function normalizeVersion(value: string, inputName = 'version'): string {
  const valid = parseVersion(value);
  if (!valid) throw new InputError('GANTRY-ECS-002', inputName, value, 'a semantic version such as 1.2.3 or v1.2.3-rc.1');
  return valid;
}
