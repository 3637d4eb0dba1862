import type { RollbackResult } from './rollback';

/** What a rollback has done so far, for the exit paths without a result (main.ts: SIGTERM). */
export class RollbackProgress {
  /** Set just before the switch (UpdateService / StopServiceDeployment) is sent. */
  switched?: { fromArn: string; toArn: string; reason: string };
  deploymentId?: string;
  /** The termination recorder took over: rollback() switches nothing more and writes no more tags. */
  cancelled = false;
}

/** A rollback of a list (multi.ts): each service's progress and its resolved plan (the dry run every target gets first). */
export class MultiRollbackProgress {
  readonly services = new Map<number, RollbackProgress>();
  /** The dry-run result of each service (from, to, how), once every target is resolved. */
  readonly planned = new Map<number, RollbackResult>();
  for(index: number): RollbackProgress {
    let p = this.services.get(index);
    if (!p) {
      p = new RollbackProgress();
      this.services.set(index, p);
    }
    return p;
  }
}
