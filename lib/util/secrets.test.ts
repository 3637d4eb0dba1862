import { describe, expect, it } from 'vitest';
import { maskableStrings } from './secrets';

describe('maskableStrings', () => {
  const secret = {
    api_key: 'k3y-LEAK',
    toggles: { search: { enabled: true, owner: 'team-search', rollout: 5000 } },
    list: ['on', 'long-enough'],
  };

  it('finds every string at any depth, not keys, and not values too short to mask', () => {
    expect(maskableStrings(secret).sort()).toEqual(['k3y-LEAK', 'long-enough', 'team-search']);
  });

  it('adds numbers as printed when asked', () => {
    expect(maskableStrings(secret, { numbers: true })).toContain('5000');
    expect(maskableStrings('plain-secret')).toEqual(['plain-secret']);
  });
});

describe('redactor', () => {
  it('replaces the secrets (longest first) and URL passwords, and leaves short values alone', async () => {
    const { redactor } = await import('./secrets');
    const redact = redactor(['s3cr3t-value', 's3cr3t', 'on']);
    expect(redact('token s3cr3t-value and s3cr3t, on')).toBe('token *** and ***, on');
    expect(redact('postgres://shop:hunter2@db:5432/shop and https://example.com/a:b@c')).toBe(
      'postgres://shop:***@db:5432/shop and https://example.com/a:b@c',
    );
  });

  it('replaces the password of a URL with an empty user name, and leaves a URL without credentials alone', async () => {
    const { redactor } = await import('./secrets');
    const redact = redactor();
    expect(redact('cache at redis://:hunter2@cache:6379/0 ready')).toBe('cache at redis://:***@cache:6379/0 ready');
    expect(redact('rediss://:p%40ss@cache:6380')).toBe('rediss://:***@cache:6380');
    expect(redact('GET http://api:8080/health and mailto:ops@example.com')).toBe('GET http://api:8080/health and mailto:ops@example.com');
  });
});
