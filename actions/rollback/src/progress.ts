/** What a rollback has done so far, for the exit paths without a result (main.ts: SIGTERM). */
export class RollbackProgress {
  /** Set just before the switch (UpdateService / StopServiceDeployment) is sent. */
  switched?: { fromArn: string; toArn: string; reason: string };
  deploymentId?: string;
  /** The termination recorder took over: rollback() writes no more tags. */
  cancelled = false;
}
