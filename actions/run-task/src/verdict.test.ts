import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { judgeStoppedTask } from './verdict';

const essential = new Map([
  ['app', true],
  ['sidecar', false],
]);

describe('judgeStoppedTask', () => {
  it('every essential container exit 0 and EssentialContainerExited is success; a failing sidecar only warns', () => {
    const verdict = judgeStoppedTask(
      {
        stopCode: 'EssentialContainerExited',
        containers: [
          { name: 'app', exitCode: 0 },
          { name: 'sidecar', exitCode: 2 },
        ],
      },
      essential,
    );
    expect(verdict).toMatchObject({
      ok: true,
      reason: 'every essential container (app) exited with code 0',
      warnings: ['non-essential container sidecar exited with code 2'],
    });
  });

  it.each<[Task, string]>([
    [{ stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 1 }] }, 'essential container app exited with code 1'],
    [
      { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: not found', containers: [{ name: 'app' }] },
      'the task stopped with TaskFailedToStart: CannotPullContainerError: not found; essential container app has no exit code',
    ],
    [
      { stopCode: 'UserInitiated', stoppedReason: 'stopped by admin', containers: [{ name: 'app', exitCode: 0 }] },
      'the task stopped with UserInitiated: stopped by admin',
    ],
    [{ stopCode: 'EssentialContainerExited', containers: [] }, 'ECS reported no containers'],
    [
      { containers: [{ name: 'app', reason: 'OutOfMemoryError: Container killed due to memory usage' }] },
      'essential container app has no exit code (OutOfMemoryError: Container killed due to memory usage)',
    ],
  ])('%j fails: %s', (task, reason) => {
    const verdict = judgeStoppedTask(task, essential);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toBe(reason);
  });
});
