/**
 * The verdict on a STOPPED one-off task (pure). A task that ran to its end stops with
 * `EssentialContainerExited` (or no stop code) and every essential container's exit code 0.
 * Anything else is a failure: a stop code such as TaskFailedToStart (image pull, secrets, ENI),
 * UserInitiated (someone stopped it), SpotInterruption; an essential container with a non-zero
 * exit code, or with none at all (it never ran).
 */
import type { Task } from '@aws-sdk/client-ecs';

export interface ContainerOutcome {
  name: string;
  essential: boolean;
  exitCode?: number;
  reason?: string;
}

export interface TaskVerdict {
  ok: boolean;
  reason: string;
  containers: ContainerOutcome[];
  /** Non-zero exits of non-essential containers: reported, not failing. */
  warnings: string[];
}

const CLEAN_STOP_CODES = new Set(['EssentialContainerExited']);

export function judgeStoppedTask(task: Task, essentialByName: ReadonlyMap<string, boolean>): TaskVerdict {
  const containers: ContainerOutcome[] = (task.containers ?? []).map((c) => ({
    name: c.name ?? '?',
    // ECS treats a container the task definition does not mark as non-essential as essential.
    essential: essentialByName.get(c.name ?? '') ?? true,
    exitCode: c.exitCode,
    reason: c.reason,
  }));
  const warnings = containers
    .filter((c) => !c.essential && c.exitCode !== undefined && c.exitCode !== 0)
    .map((c) => `non-essential container ${c.name} exited with code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`);
  const stopped = task.stoppedReason ? `: ${task.stoppedReason}` : '';
  const problems: string[] = [];
  if (task.stopCode && !CLEAN_STOP_CODES.has(task.stopCode)) problems.push(`the task stopped with ${task.stopCode}${stopped}`);
  for (const c of containers.filter((o) => o.essential)) {
    if (c.exitCode === undefined)
      problems.push(
        `essential container ${c.name} has no exit code${c.reason ? ` (${c.reason})` : task.stoppedReason && !problems.length ? ` (${task.stoppedReason})` : ''}`,
      );
    else if (c.exitCode !== 0)
      problems.push(`essential container ${c.name} exited with code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`);
  }
  if (containers.length === 0) problems.push(`ECS reported no containers${stopped}`);
  if (problems.length > 0) return { ok: false, reason: problems.join('; '), containers, warnings };
  const names = containers
    .filter((c) => c.essential)
    .map((c) => c.name)
    .join(', ');
  return { ok: true, reason: `every essential container (${names}) exited with code 0`, containers, warnings };
}
