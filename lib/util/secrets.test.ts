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
});
