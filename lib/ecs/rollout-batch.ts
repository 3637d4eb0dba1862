/**
 * Several rolling updates of one cluster watched together: one poll loop, and at each poll one
 * DescribeServices for every 10 services (the most the API takes), each snapshot judged by that
 * service's own `RolloutWatch` (lib/ecs/rollout.ts) exactly as a single rollout is.
 *
 * Participants join with `watch()` (a drop-in for `waitForRollout`, so deploy-ecs's and
 * rollback's per-service paths are unchanged) or leave without watching (`leave()`: the service's
 * path ended before its watch, e.g. UpdateService refused). The loop starts once every expected
 * participant has joined or left, so the first poll covers all of them — or, with
 * `firstPollWithinMs`, at the latest that long after the first one joined: a service whose
 * UpdateService hangs until the deadline does not leave the others unwatched until then (they are
 * judged on their own polls; the late one joins the loop at its next poll). `abandon()` ends every
 * watch still undecided (deploy-ecs: one service failed, so the release has failed).
 */
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../util/clock';
import { RolloutWatch, type RolloutDecision, type RolloutOutcome, type WaitForRolloutOptions } from './rollout';

/** DescribeServices takes at most 10 services per call. */
export const DESCRIBE_SERVICES_MAX = 10;

export interface RolloutBatchOptions {
  ecs: ECSClient;
  cluster: string;
  intervalMs: number;
  clock: Clock;
  /** How many participants will join or leave before the first poll. */
  expected: number;
  /** Poll the ones that joined at the latest this long after the first joined, even if others have not arrived yet (default: wait for all). */
  firstPollWithinMs?: number;
}

interface Participant {
  watch: RolloutWatch;
  service: string;
  startedAt: number;
  deadline: number;
  polls: number;
  resolve: (outcome: RolloutOutcome) => void;
  reject: (err: unknown) => void;
  done: boolean;
}

export class RolloutBatch {
  /** DescribeServices calls made by the loop (all participants). */
  describeCalls = 0;
  /** Polls of the loop; each made ceil(undecided / 10) DescribeServices calls. */
  polls = 0;
  /** Calls per poll, in order (the bench's figure). */
  readonly callsPerPoll: number[] = [];
  private readonly participants: Participant[] = [];
  private arrived = 0;
  private abandoned: string | undefined;
  private running = false;
  /** Aborts the wait for the stragglers (firstPollWithinMs) once the loop has started anyway. */
  private waitForAll: AbortController | undefined;
  /** The loop's sleep between polls: a participant that joins with an earlier deadline wakes it (its last look is not skipped). */
  private nap: { until: number; wake: AbortController } | undefined;

  constructor(private readonly opts: RolloutBatchOptions) {}

  /**
   * The watch of a release (or rollback) of `services`: one poll every `intervalMs`, and the first
   * poll at the latest one interval after the first service joined — a service whose UpdateService
   * hangs must not leave the ones updated before it unwatched until the deadline.
   */
  static forServices(opts: Omit<RolloutBatchOptions, 'firstPollWithinMs'>): RolloutBatch {
    return new RolloutBatch({ ...opts, firstPollWithinMs: opts.intervalMs });
  }

  /** Watch one rollout with the others: resolves with its outcome, as `waitForRollout` would. */
  watch(req: WaitForRolloutOptions): Promise<RolloutOutcome> {
    const watch = new RolloutWatch(req);
    watch.announce();
    return new Promise<RolloutOutcome>((resolve, reject) => {
      const now = this.opts.clock.now();
      const participant: Participant = {
        watch,
        service: req.service,
        startedAt: now,
        deadline: now + req.timeoutMs,
        polls: 0,
        resolve,
        reject,
        done: false,
      };
      this.participants.push(participant);
      if (this.abandoned !== undefined) this.finish(participant, this.abandonedDecision(this.abandoned));
      if (this.nap && participant.deadline <= this.nap.until) this.nap.wake.abort();
      this.arrive();
      this.startWithin();
    });
  }

  /** A participant that will not watch (its path ended before the rollout). */
  leave(): void {
    this.arrive();
  }

  /** End every undecided watch now as failed, with this reason (the release has failed). */
  abandon(reason: string): void {
    if (this.abandoned !== undefined) return;
    this.abandoned = reason;
    for (const p of this.participants) if (!p.done) this.finish(p, this.abandonedDecision(reason));
  }

  private abandonedDecision(reason: string): RolloutDecision {
    return { state: 'failed', reason: `not judged: ${reason}`, running: 0, pending: 0, desired: 0, failedTasks: 0 };
  }

  private arrive(): void {
    this.arrived += 1;
    if (this.arrived >= this.opts.expected) this.start();
  }

  /** The first participant to join starts the clock for the others (firstPollWithinMs). */
  private startWithin(): void {
    const within = this.opts.firstPollWithinMs;
    if (within === undefined || this.waitForAll || this.running || this.arrived >= this.opts.expected) return;
    const wait = new AbortController();
    this.waitForAll = wait;
    this.opts.clock.sleep(within, wait.signal).then(
      () => {
        if (!wait.signal.aborted) this.start();
      },
      (err: unknown) => this.failAll(err),
    );
  }

  /** Runs the loop unless it runs; a loop that ended (nobody open) starts again for a participant that joins later. */
  private start(): void {
    this.waitForAll?.abort();
    if (this.running || !this.participants.some((p) => !p.done)) return;
    this.running = true;
    void this.run()
      .catch((err: unknown) => this.failAll(err))
      .finally(() => {
        this.running = false;
        if (this.participants.some((p) => !p.done)) this.start();
      });
  }

  /**
   * The loop itself threw (a bug, an answer nobody expected): every open watch rejects with that
   * error, so the caller's own error path reports it — never a watch that waits forever, nor an
   * unhandled rejection that ends the process before the outputs are written.
   */
  private failAll(err: unknown): void {
    for (const p of this.participants) {
      if (p.done) continue;
      p.done = true;
      p.reject(err);
    }
  }

  private finish(p: Participant, decision: RolloutDecision | undefined): void {
    if (p.done) return;
    p.done = true;
    p.resolve(p.watch.outcome(decision, { polls: p.polls, elapsedMs: this.opts.clock.now() - p.startedAt }));
  }

  private async run(): Promise<void> {
    const { clock } = this.opts;
    for (;;) {
      const open = this.participants.filter((p) => !p.done);
      if (open.length === 0) return;
      this.polls += 1;
      let calls = 0;
      for (let i = 0; i < open.length; i += DESCRIBE_SERVICES_MAX) {
        calls += 1;
        await this.pollChunk(open.slice(i, i + DESCRIBE_SERVICES_MAX));
        if (this.abandoned !== undefined) break;
      }
      this.describeCalls += calls;
      this.callsPerPoll.push(calls);
      const still = this.participants.filter((p) => !p.done);
      if (still.length === 0) return;
      const now = clock.now();
      // A participant that joined during this poll gets its own look first, even past its deadline.
      for (const p of still) if (p.deadline - now <= 0 && p.polls > 0) this.finish(p, undefined);
      const waiting = this.participants.filter((p) => !p.done);
      if (waiting.length === 0) return;
      const remaining = Math.min(...waiting.map((p) => p.deadline - now));
      const ms = Math.max(0, Math.min(this.opts.intervalMs, remaining));
      const wake = new AbortController();
      this.nap = { until: now + ms, wake };
      await clock.sleep(ms, wake.signal);
      this.nap = undefined;
    }
  }

  private async pollChunk(chunk: Participant[]): Promise<void> {
    const { clock } = this.opts;
    for (const p of chunk) {
      p.polls += 1;
      p.watch.describeCalls += 1;
    }
    let out;
    try {
      out = await this.opts.ecs.send(new DescribeServicesCommand({ cluster: this.opts.cluster, services: chunk.map((p) => p.service) }));
    } catch (err) {
      for (const p of chunk) p.watch.pollFailed(err, p.polls, clock.now() - p.startedAt);
      return;
    }
    for (const p of chunk) {
      if (p.done) continue;
      const service = (out?.services ?? []).find((s) => sameService(s, p.service));
      const missing = (out?.failures ?? []).find((f) => f.arn !== undefined && nameOf(f.arn) === nameOf(p.service))?.reason;
      const decision = await p.watch.observe(service, missing, p.polls, clock.now() - p.startedAt);
      if (decision.state !== 'in-progress') this.finish(p, decision);
    }
  }
}

/** `arn:aws:ecs:…:service/cluster/api` or `api` → `api`. */
export function nameOf(serviceRef: string): string {
  return serviceRef.split('/').pop() ?? serviceRef;
}

function sameService(service: Service, ref: string): boolean {
  return service.serviceArn === ref || service.serviceName === ref || service.serviceName === nameOf(ref);
}

/** `poll 3: 1 DescribeServices for 2 services` (for logs and summaries). */
export function describeBatch(batch: RolloutBatch, services: number): string {
  return `${batch.polls} polls of ${services} services, ${batch.describeCalls} DescribeServices (at most ${Math.max(0, ...batch.callsPerPoll)} per poll)`;
}
