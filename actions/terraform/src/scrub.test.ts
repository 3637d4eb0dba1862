import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './scrub';

describe('scrubSecrets', () => {
  it.each([
    ['a classic GitHub token', `token ghp_${'A1b2'.repeat(9)}`, 'GitHub token'],
    ['an installation token (GITHUB_TOKEN)', `ghs_${'x9Y8'.repeat(9)} in output`, 'GitHub token'],
    ['a fine-grained token', `github_pat_11ABCDEFG0${'a_b1'.repeat(16)}`, 'GitHub token'],
    ['an AWS access key id', 'key = "AKIAIOSFODNN7EXAMPLE"', 'AWS access key id'],
    ['an AWS session key id', 'ASIAXYZXYZXYZXYZXYZ1', 'AWS access key id'],
    ['an AWS session token', `IQoJb3JpZ2luX2VjE${'Ab+/'.repeat(20)}`, 'AWS session token'],
    ['an AWS secret access key', `AWS_SECRET_ACCESS_KEY=${'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}`, 'AWS secret access key'],
    [
      'a JWT (an OIDC or runtime token)',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvc2hvcCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
      'JSON web token',
    ],
  ])('replaces %s', (_name, text, kind) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed.found[kind]).toBe(1);
    expect(scrubbed.text).toContain(`[redacted ${kind}]`);
    expect(scrubbed.text).not.toMatch(/ghp_A1b2|ghs_x9|github_pat_11|AKIAIOSF|ASIAXYZ|IQoJb3JpZ2luX2VjEAb|wJalrXUtn|eyJzdWIi/);
  });

  it('leaves a plan without secrets as it is', () => {
    const plan =
      '# aws_ecs_service.web will be updated in-place\n  ~ desired_count = 2 -> 3\n  task_definition = "arn:aws:ecs:eu-west-1:111111111111:task-definition/shop:7"';
    expect(scrubSecrets(plan)).toEqual({ text: plan, found: {} });
  });
});
