/**
 * A rollback cancelled by the job (SIGINT/SIGTERM, lib/runner/termination.ts), for one service
 * (main.ts) and for each service of a list (multi-main.ts): the progress is marked cancelled (no
 * switch is sent after that, no tag written by rollback() itself), what the service runs is read
 * back (bounded: the whole record has 5 s), the outputs are written from it, then the release
 * status chain is tagged from what runs (record.ts), as after any other unfinished rollback.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '../../../lib/runner/logger';
import type { RollbackProgress } from './progress';
import { liveTaskDefinition, recordChain } from './record';
import { shortName } from './revisions';

/** Reading the service back must leave time for the outputs and the tags within the grace period. */
const READ_BACK_MS = 2_000;

export interface CancelledRollback {
  /** Undefined: the switch of this service was never sent. */
  switched: RollbackProgress['switched'];
  /** What the service runs, read back (undefined when it could not be read). */
  liveArn: string | undefined;
  deploymentId: string | undefined;
}

/** Marks the rollback cancelled (synchronously, before any await) and reads what the service runs. */
export async function readCancelledRollback(req: {
  ecs: ECSClient;
  cluster: string;
  service: string;
  progress: RollbackProgress;
  log: Logger;
}): Promise<CancelledRollback> {
  req.progress.cancelled = true;
  const { switched, deploymentId } = req.progress;
  const liveArn = await liveTaskDefinition(req.ecs, req.cluster, req.service, req.log, READ_BACK_MS);
  return { switched, liveArn, deploymentId };
}

/** The chain from what runs (outcome cancelled: the revision left is tagged rolled-back, the target unchanged). */
export async function tagCancelledRollback(ecs: ECSClient, cancelled: CancelledRollback, log: Logger): Promise<void> {
  const { switched } = cancelled;
  if (!switched) return;
  await recordChain({
    ecs,
    fromArn: switched.fromArn,
    toArn: switched.toArn,
    outcome: 'cancelled',
    liveArn: cancelled.liveArn,
    reason: switched.reason,
    log,
  });
}

/**
 * `switched: runs api:1 (SIGTERM before the rollout's verdict)` — how one service of a rollback that
 * did not finish ended; `why` is what ended it (the signal, or "an error").
 */
export function cancelledState(
  cancelled: CancelledRollback,
  fromArn: string,
  toArn: string,
  why: string,
): { switched: boolean | 'unknown'; text: string } {
  const live = cancelled.liveArn;
  const when = cancelled.switched ? `${why} before the rollout's verdict` : `${why} before its switch was sent`;
  if (live === undefined) return { switched: 'unknown', text: `UNKNOWN whether switched: reading the service back failed (${when})` };
  if (live === toArn && toArn !== fromArn) return { switched: true, text: `switched: runs ${shortName(live)} (${when})` };
  if (live === fromArn) return { switched: false, text: `not switched: runs ${shortName(live)} (${when})` };
  return { switched: 'unknown', text: `runs ${shortName(live)}, neither ${shortName(fromArn)} nor ${shortName(toArn)} (${when})` };
}
