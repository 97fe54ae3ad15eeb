import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import type { LaneSpec, LineReport } from './batch-types';
import { readLines, type ReadyLine } from './line-reader';
import { runLine } from './run-line';
import { runnerStub, type RunnerRpc } from './stubs';
import { Hold } from './lane-hold';

/** A lane works this long, then re-arms its alarm: alarm handlers have a wall-clock limit. */
const RUN_MS = 60_000;
/**
 * And starts at most this many lines per alarm (BATCH_LINES_PER_RUN overrides): an invocation may make 10,000
 * subrequests on the Paid plan, and a line takes up to ~6 (admission, upstream attempts, booking) besides the
 * lane's claims, reads and reports. A fast upstream would otherwise run ~3,600 lines in one alarm's minute.
 */
const LINES_PER_RUN = 1000;
/** The subrequests a line is counted for in LINES_PER_RUN: a line that made more (a large answer kept in R2) counts as several. */
const SUBREQUESTS_PER_LINE = 6;
const HEARTBEAT_MS = 2000;
/** Lines booked within this long of each other share one report; the runner hears of each line this soon. */
const REPORT_MS = 50;
/** A report the runner did not take is sent again this much later. */
const REPORT_RETRY_MS = 1000;

/** Reports of a finished run that did not reach the runner. */
interface Unsent {
  runId: string;
  reports: LineReport[];
}

interface Job {
  internal: string;
  slots: number;
  /** The deployment this lane's lines try first (its share of that deployment's batch_concurrency). */
  deployment?: string;
}

/**
 * Runs lines of one batch, up to `slots` (≤ 6) at once: one invocation may hold six outbound connections, so a
 * batch's concurrency comes from several lanes (separate Durable Objects) side by side. A lane claims lines for its
 * free slots and one slot-full ahead, reads them from R2 in one range, and reports each line within REPORT_MS of its
 * booking (a killed gateway must not run and bill again a line it already booked). It keeps nothing but its job; the
 * runner holds every line's state and takes back the lines of a lane that goes quiet.
 */
export class BatchLane extends DurableObject<Bindings> {
  private running = false;
  /** Stops the run under way (the runner calls `stop` on a cancel). */
  private halt: (() => void) | undefined;

  async start(internal: string, slots: number, deployment?: string): Promise<void> {
    await this.ctx.storage.put<Job>('job', deployment === undefined ? { internal, slots } : { internal, slots, deployment });
    if (!this.running && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** The batch stopped (cancelled): start no claimed line; lines already running finish and are reported. */
  stop(): void {
    this.halt?.();
  }

  override async alarm(): Promise<void> {
    const job = await this.ctx.storage.get<Job>('job');
    if (!job || this.running) return;
    this.running = true;
    let more = false;
    try {
      const runner = runnerStub(this.env, job.internal);
      // Reports the last run could not deliver go first: their lines were booked, and must not run again.
      const held = await this.ctx.storage.get<Unsent>('unsent');
      if (held) {
        await runner.next(held.runId, held.reports, 0, true);
        await this.ctx.storage.delete('unsent');
      }
      const spec = await runner.spec();
      if (!spec || spec.stopped) return;
      const run = new LaneRun(this.env, runner, spec, job, linesPerRun(this.env.BATCH_LINES_PER_RUN));
      this.halt = () => run.stop();
      more = await run.run();
      if (run.unsent.length) {
        // Storage is not a subrequest: kept here when the invocation can reach the runner no more (its limit).
        await this.ctx.storage.put<Unsent>('unsent', { runId: run.runId, reports: run.unsent });
        more = true;
      }
    } finally {
      this.halt = undefined;
      this.running = false;
      if (more) await this.ctx.storage.setAlarm(Date.now());
    }
  }
}

/** One alarm's worth of work for a lane: claims, runs and reports lines until RUN_MS is up or the batch stops. */
class LaneRun {
  readonly runId = crypto.randomUUID();
  /** The final reports, when the runner could not be told: the lane keeps them for its next invocation. */
  unsent: LineReport[] = [];
  private readonly deadline = Date.now() + RUN_MS;
  private readonly queue: ReadyLine[] = [];
  private readonly reports: LineReport[] = [];
  /** Lines run whose cost is still being booked: reported when it is. */
  private readonly booking = new Set<Promise<void>>();
  private readonly hold = new Hold();
  private busy = 0;
  /** Lines started in this run (LINES_PER_RUN). */
  private started = 0;
  private stopped = false;
  /** The invocation reached its subrequest limit: the run stops and the lane goes on in a new one. */
  private yielded = false;
  /** Nothing is left to claim: slots end once the lines held here have run. */
  private drained = false;
  private waitMs = 0;
  private refilling: Promise<void> | undefined;
  private reportTimer: ReturnType<typeof setTimeout> | undefined;
  private reporting: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly env: Bindings,
    private readonly runner: RunnerRpc,
    private readonly spec: LaneSpec,
    private readonly job: Job,
    private readonly maxLines: number,
  ) {}

  /** True when the run ended on its deadline with work left (the lane re-arms its alarm). */
  async run(): Promise<boolean> {
    const heartbeat = setInterval(() => {
      // The heartbeat also says whether the batch stopped: a lane that makes no call for a while still learns it.
      void this.runner.heartbeat(this.runId).then((stopped) => stopped && this.stop(), () => undefined);
    }, HEARTBEAT_MS);
    try {
      const workers = await Promise.all(Array.from({ length: this.job.slots }, () => this.worker()));
      return workers.some(Boolean);
    } finally {
      this.stop();
      await Promise.allSettled(this.booking);
      clearInterval(heartbeat);
      await this.closeReports();
      // Whatever finished last is reported now, with the lines claimed but never started.
      const last = this.reports.splice(0);
      // Kept for later: lines that ran (their bookings are in). Lines handed back need no word: the runner takes
      // back a quiet run's lines by itself, and a late hand-back could release a line another run holds by then.
      await this.runner.next(this.runId, last, 0, true).catch(() => void (this.unsent = last.filter((r) => r.outcome.kind !== 'release')));
    }
  }

  /** Claimed lines that have not started go back unrun, now; lines already running finish and are reported. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hold.end();
    for (const left of this.queue.splice(0)) this.report({ lineNo: left.line.lineNo, outcome: { kind: 'release' } });
  }

  /** One slot: true when it ended on the deadline (or a limit) with work perhaps left, rather than for lack of work. */
  private async worker(): Promise<boolean> {
    while (!this.stopped && Date.now() <= this.deadline && this.started < this.maxLines) {
      if (this.hold.active) {
        await this.hold.over;
        continue;
      }
      const next = this.queue.shift();
      if (!next) {
        if (this.drained) return false;
        await this.refill();
        if (this.waitMs) {
          const ms = this.waitMs;
          this.waitMs = 0;
          await new Promise((r) => setTimeout(r, ms));
        }
        continue;
      }
      // A failed look-ahead is retried by the next claim; whoever awaits it sees the error.
      if (this.queue.length === 0) this.refill().catch(() => undefined);
      this.busy++;
      this.started++;
      try {
        const ran = await runLine(this.env, this.spec, next.line, next.text, this.job.deployment);
        if (ran.kind === 'yield') {
          // Every further subrequest of this invocation would fail: hand the line back and continue in a new one.
          this.started--;
          this.yielded = true;
          this.report({ lineNo: next.line.lineNo, outcome: { kind: 'release' } });
          this.stop();
          continue;
        }
        if (ran.kind === 'refused') {
          // The key's budget or limits are held by lines in flight: keep the line (no attempt used) and start
          // nothing, nor claim more, until the refusal's retry-after or until one of this lane's lines is booked.
          this.started--;
          if (this.stopped) this.report({ lineNo: next.line.lineNo, outcome: { kind: 'release' } });
          else this.queue.unshift(next);
          this.hold.start(Math.min(ran.waitMs, Math.max(0, this.deadline - Date.now())));
          continue;
        }
        if (ran.subrequests) this.started += Math.ceil(ran.subrequests / SUBREQUESTS_PER_LINE);
        // Reported once its cost is in the ledger; the slot takes its next line meanwhile.
        const reported: Promise<void> = ran.booked.then(() => {
          this.booking.delete(reported);
          this.hold.end();
          this.report({ lineNo: next.line.lineNo, outcome: ran.outcome });
        });
        this.booking.add(reported);
      } finally {
        this.busy--;
      }
    }
    return !this.stopped || this.yielded;
  }

  /**
   * One claim at a time for the whole lane: lines for the free slots plus one slot-full ahead, so a slot that frees
   * up starts its next line at once instead of waiting a round trip to the runner and a read from R2.
   */
  private refill(): Promise<void> {
    if (this.stopped || this.drained || this.hold.active) return Promise.resolve();
    return (this.refilling ??= this.claim().finally(() => (this.refilling = undefined)));
  }

  private async claim(): Promise<void> {
    // Lines for the free slots and a slot-full ahead, but no more than this run may still start.
    const room = this.maxLines - this.started - this.queue.length;
    if (room <= 0) return;
    const wanted = Math.min(2 * this.job.slots - this.busy - this.queue.length, room);
    const sent = this.reports.splice(0);
    let step;
    try {
      step = await this.runner.next(this.runId, sent, Math.max(1, wanted));
    } catch (err) {
      this.reports.unshift(...sent); // reported again with the next call
      throw err;
    }
    if (step.kind === 'stop') this.stop();
    else if (step.kind === 'drained') this.drained = true;
    else if (step.kind === 'wait') this.waitMs = step.ms;
    else {
      const ready = await readLines(this.env, this.spec.inputKey, step.lines);
      if (this.stopped) for (const left of ready) this.report({ lineNo: left.line.lineNo, outcome: { kind: 'release' } });
      else this.queue.push(...ready);
    }
  }

  /** Queues a report; lines booked within REPORT_MS of each other go to the runner in one call. */
  private report(r: LineReport): void {
    this.reports.push(r);
    this.scheduleReports(REPORT_MS);
  }

  /** One report call at a time; reports gathered while one is under way follow it. */
  private scheduleReports(ms: number): void {
    if (this.reportTimer === undefined && this.reporting === undefined && !this.closing) {
      this.reportTimer = setTimeout(() => void this.sendReports(), ms);
    }
  }

  private async sendReports(): Promise<void> {
    this.reportTimer = undefined;
    const sent = this.reports.splice(0);
    if (sent.length === 0) return;
    let failed = false;
    this.reporting = this.runner.next(this.runId, sent, 0).then(
      // The answer carries the stop: lines claimed here are not started after a cancel.
      (step) => void (step.kind === 'stop' && this.stop()),
      () => {
        failed = true;
        this.reports.unshift(...sent);
      },
    );
    await this.reporting;
    this.reporting = undefined;
    if (this.reports.length) this.scheduleReports(failed ? REPORT_RETRY_MS : 0);
  }

  /** No more report calls of their own: what is left goes with the run's final call. */
  private async closeReports(): Promise<void> {
    this.closing = true;
    if (this.reportTimer !== undefined) clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    await this.reporting;
  }
}

function linesPerRun(configured: string | undefined): number {
  const n = Number(configured);
  return Number.isInteger(n) && n > 0 ? n : LINES_PER_RUN;
}
