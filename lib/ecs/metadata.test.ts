import { describe, expect, it } from 'vitest';
import { normalizeGitSha, normalizeVersion, runnerContext } from './metadata';

describe('runnerContext', () => {
  it('derives the release context from a sample runner environment', () => {
    const ctx = runnerContext({
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_REF: 'refs/heads/develop',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SERVER_URL: 'https://github.example.com/',
      GITHUB_RUN_ID: '123',
      GITHUB_ACTOR: 'octocat',
    });
    expect(ctx).toEqual({
      gitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      ref: 'refs/heads/develop',
      repository: 'acme/shop',
      serverUrl: 'https://github.example.com',
      runId: '123',
      runUrl: 'https://github.example.com/acme/shop/actions/runs/123',
      actor: 'octocat',
      sourceUrl: 'https://github.example.com/acme/shop',
    });
  });

  it('defaults the server and leaves unknowns undefined', () => {
    const ctx = runnerContext({});
    expect(ctx.serverUrl).toBe('https://github.com');
    expect(ctx.runUrl).toBeUndefined();
    expect(ctx.gitSha).toBeUndefined();
  });
});

describe('normalizeVersion', () => {
  it.each([
    ['v1.2.3', '1.2.3'],
    ['1.2.3', '1.2.3'],
    [' 2.0.0-rc.1 ', '2.0.0-rc.1'],
    ['1.0.0+build.7', '1.0.0'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeVersion(input)).toBe(expected);
  });

  it.each(['1.2', 'latest', 'v', '1.2.3.4', 'vv1.2.3'])('rejects %s naming the input', (input) => {
    expect(() => normalizeVersion(input, 'version')).toThrow(
      `Input 'version' has value '${input}': expected a semantic version such as 1.2.3 or v1.2.3-rc.1.`,
    );
  });
});

describe('normalizeGitSha', () => {
  it('accepts 7 to 40 hex characters and lowers them', () => {
    expect(normalizeGitSha('ABCDEF1')).toBe('abcdef1');
    expect(normalizeGitSha('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678')).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
  });
  it.each(['abc', 'xyz1234', 'a'.repeat(41)])('rejects %s', (input) => {
    expect(() => normalizeGitSha(input)).toThrow(
      /^Input 'git-sha' has value '.*': expected a git commit SHA of 7 to 40 hexadecimal characters\.$/,
    );
  });
});
