import { describe, expect, it } from 'vitest';
import { isDeployJobName, releaseRecord } from './evidence';
import { nextPage } from './github-api';
import { checkOverrideReason, isProductionName } from './inputs';

const SHA = 'a'.repeat(40);
const IMAGE = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:${'d'.repeat(64)}`;

describe('isDeployJobName', () => {
  it('is gantry’s deploy job for that environment, alone or under the caller’s job', () => {
    expect(isDeployJobName('Deploy to staging', 'staging')).toBe(true);
    expect(isDeployJobName('deploy / Deploy to staging', 'staging')).toBe(true);
    expect(isDeployJobName('deploy / Deploy to staging-eu', 'staging')).toBe(false);
    expect(isDeployJobName('deploy / Terraform plan', 'staging')).toBe(false);
    expect(isDeployJobName('Deploy to staging (copy)', 'staging')).toBe(false);
    expect(isDeployJobName(undefined, 'staging')).toBe(false);
  });
});

describe('releaseRecord', () => {
  it('reads the image by digest from the gantry release annotation of this commit only', () => {
    expect(releaseRecord([{ title: 'gantry release', message: `image=${IMAGE} sha=${SHA} task-definition=arn` }], SHA)).toEqual({
      image: IMAGE,
      digest: `sha256:${'d'.repeat(64)}`,
    });
    expect(releaseRecord([{ title: 'gantry release', message: `image=${IMAGE} sha=${'b'.repeat(40)}` }], SHA)).toBeUndefined();
    expect(releaseRecord([{ title: 'something else', message: `image=${IMAGE} sha=${SHA}` }], SHA)).toBeUndefined();
    expect(
      releaseRecord([{ title: 'gantry release', message: `image=${IMAGE.replace(/@.*/, ':latest')} sha=${SHA}` }], SHA),
    ).toBeUndefined();
  });
});

describe('nextPage', () => {
  it('follows rel="next" only on the API’s own origin, so the token is never sent elsewhere', () => {
    expect(nextPage('<https://api.github.com/x?page=2>; rel="next"', 'https://api.github.com')).toBe('https://api.github.com/x?page=2');
    expect(nextPage('<https://evil.example/x?page=2>; rel="next"', 'https://api.github.com')).toBeUndefined();
    expect(nextPage('<not a url>; rel="next"', 'https://api.github.com')).toBeUndefined();
    expect(nextPage(null, 'https://api.github.com')).toBeUndefined();
  });
});

describe('the rules', () => {
  it('calls any environment whose name contains prod a production environment', () => {
    expect(['production', 'Production', 'prod', 'production-eu', 'eu-PROD'].map(isProductionName)).toEqual([true, true, true, true, true]);
    expect(['staging', 'qa', 'dev'].map(isProductionName)).toEqual([false, false, false]);
  });

  it('takes an override reason of 20 characters with a ticket, an issue or a link', () => {
    expect(checkOverrideReason('  INC-42: staging is down, hotfix  ')).toBe('INC-42: staging is down, hotfix');
    expect(checkOverrideReason('hotfix for the checkout, see #123')).toBe('hotfix for the checkout, see #123');
    expect(checkOverrideReason('see https://status.example/incidents/9')).toBe('see https://status.example/incidents/9');
    expect(() => checkOverrideReason('INC-42 hotfix')).toThrow(/at least 20 characters/);
    expect(() => checkOverrideReason('http://insecure.example/ticket/9 staging down')).toThrow(/https:\/\/ link/);
    expect(() => checkOverrideReason(undefined)).toThrow(/Input 'override-reason' is missing/);
  });
});
