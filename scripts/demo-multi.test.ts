import { describe, expect, it } from 'vitest';
import { PollCounter, backOnPrevious, lastWordsShownMasked } from './demo-multi';
import type { ServiceSnapshot } from './demo-support';

const TD = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

describe('PollCounter: DescribeServices per poll of a release, from the step log as it streams', () => {
  it('reads the count at the first line of each poll, whichever service prints it, across chunk boundaries', () => {
    let calls = 10;
    const counter = new PollCounter(() => calls);
    calls += 1; // the describe before the plan
    counter.listen('[api] ▸ plan\n[api] [0s] po');
    calls += 1; // poll 1
    counter.listen('ll 1: running 0/1, pending 1, failed tasks 0 · IN_PROGRESS\n[worker] [0s] poll 1: running 0/1\n');
    calls += 1; // poll 2
    counter.listen('[worker] [1s] poll 2: running 1/1\n[api] [1s] poll 2: running 1/1\n');
    calls += 1; // poll 3
    counter.listen('[api] [2s] poll 3: DescribeServices failed (Rate exceeded); trying again at the next poll.\n');
    expect(counter.describe(2)).toBe(
      'DescribeServices, counted by the rollout layer: 1 per poll for the 2 services after the first poll, 4 in the whole run (3 polls)',
    );
  });

  it('says every different count there was, and no per-poll figure with a single poll', () => {
    let calls = 0;
    const counter = new PollCounter(() => calls);
    for (const [poll, made] of [
      [1, 1],
      [2, 1],
      [3, 2],
    ]) {
      calls += made;
      counter.listen(`[api] [${poll}s] poll ${poll}: running 0/1\n`);
    }
    expect(counter.describe(2)).toBe(
      'DescribeServices, counted by the rollout layer: 1 or 2 per poll for the 2 services after the first poll, 4 in the whole run (3 polls)',
    );
    const single = new PollCounter(() => calls);
    calls += 2;
    single.listen('[api] [0s] poll 1: running 1/1\n');
    expect(single.describe(2)).toBe('DescribeServices, counted by the rollout layer: 2 in the whole run (1 poll)');
  });
});

describe('lastWordsShownMasked: the crashing container’s last lines shown, its secret not', () => {
  const lines = ['starting', 'connecting to redis://w:pw-123@cache:6379', 'Error: ECONNREFUSED'];
  const summary =
    '#### Last log lines\n\n```\nworker | starting\nworker | connecting to redis://w:***@cache:6379\nworker | Error: ECONNREFUSED\n```';

  it('every line in the summary, masked; the secret only in an ::add-mask:: line of the log', () => {
    expect(lastWordsShownMasked(lines, 'pw-123', { summary, stdout: '::add-mask::pw-123\nworker failed' })).toBe(true);
  });

  it('false when a line is missing, or the secret is in the summary or in the log as shown', () => {
    expect(lastWordsShownMasked(lines, 'pw-123', { summary: summary.replace('worker | Error: ECONNREFUSED\n', ''), stdout: '' })).toBe(
      false,
    );
    expect(lastWordsShownMasked(lines, 'pw-123', { summary: `${summary}\nredis://w:pw-123@cache`, stdout: '' })).toBe(false);
    expect(lastWordsShownMasked(lines, 'pw-123', { summary, stdout: 'connecting to redis://w:pw-123@cache:6379' })).toBe(false);
  });
});

describe('backOnPrevious: a service after the rollback of a release', () => {
  const now: ServiceSnapshot = {
    taskDefinitionArn: TD('api', 3),
    tags: { 'gantry:version': '2.0.1', 'gantry:git-sha': '7777777777777777777777777777777777777777' },
    deployments: [],
  };

  it('back on what it ran before, which deploy-ecs reported as its previous', () => {
    expect(backOnPrevious('api', TD('api', 3), TD('api', 3), now)).toEqual({ ok: true, text: 'api on api:3 (2.0.1, 7777777)' });
  });

  it('not ok when it runs another revision, or deploy-ecs reported another previous', () => {
    expect(backOnPrevious('api', TD('api', 4), TD('api', 4), now)).toEqual({
      ok: false,
      text: "api on api:3, NOT on api:4 (what it ran before; deploy-ecs's previous: api:4)",
    });
    expect(backOnPrevious('api', TD('api', 3), TD('api', 2), now).ok).toBe(false);
    expect(backOnPrevious('api', TD('api', 3), undefined, now).ok).toBe(false);
  });
});
