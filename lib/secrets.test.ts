import { describe, expect, it } from 'vitest';
import { maskableStrings } from './secrets';

describe('maskableStrings', () => {
  const secret = { api_key: 'k3y-LEAK', toggles: { search: { enabled: true, owner: 'team-search', rollout: 5000 } }, list: ['on', 'long-enough'] };

  it('finds every string at any depth, not keys, and not values too short to mask', () => {
    expect(maskableStrings(secret).sort()).toEqual(['k3y-LEAK', 'long-enough', 'team-search']);
  });

  it('adds numbers as printed when asked', () => {
    expect(maskableStrings(secret, { numbers: true })).toContain('5000');
    expect(maskableStrings('plain-secret')).toEqual(['plain-secret']);
  });
});
