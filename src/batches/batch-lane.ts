import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import type { LineReport } from './batch-types';
import { readLines, type ReadyLine } from './line-reader';
import { runLine } from './run-line';
import { runnerStub } from './stubs';

/** A lane works this long, then re-arms its alarm: alarm handlers have a wall-clock limit. */
const RUN_MS = 60_000;
const HEARTBEAT_MS = 2000;

interface Job {
  internal: string;
  slots: number;
  /** The deployment this lane's lines try first (its share of that deployment's batch_concurrency). */
  deployment?: string;
}

/**
 * Runs lines of one batch, up to `slots` (≤ 6) at once: one invocation may hold six outbound connections, so a
 * batch's concurrency comes from several lanes (separate Durable Objects) side by side. A lane claims lines for its
 * free slots and one slot-full ahead, reads them from R2 in one range, and reports finished lines with its next claim. It
 * keeps nothing but its job; the runner holds every line's state and takes back the lines of a lane that goes quiet.
 */
export class BatchLane extends DurableObject<Bindings> {
  private running = false;

  async start(internal: string, slots: number, deployment?: string): Promise<void> {
    await this.ctx.storage.put<Job>('job', deployment === undefined ? { internal, slots } : { internal, slots, deployment });
    if (!this.running && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const job = await this.ctx.storage.get<Job>('job');
    if (!job || this.running) return;
    this.running = true;
    const runner = runnerStub(this.env, job.internal);
    const runId = crypto.randomUUID();
    const heartbeat = setInterval(() => void runner.heartbeat(runId).catch(() => undefined), HEARTBEAT_MS);
    let more = false;
    const reports: LineReport[] = [];
    /** Lines run whose cost is still being booked: reported when it is. */
    const booking = new Set<Promise<void>>();
    try {
      const spec = await runner.spec();
      if (!spec || spec.stopped) return;
      const deadline = Date.now() + RUN_MS;
      const queue: ReadyLine[] = [];
      let busy = 0;
      let stopped = false;
      let waitMs = 0;
      let refilling: Promise<void> | undefined;
      // One claim at a time for the whole lane: lines for the free slots plus one slot-full ahead, so a slot that
      // frees up starts its next line at once instead of waiting a round trip to the runner and a read from R2.
      const refill = async (): Promise<void> => {
        const sent = reports.splice(0);
        let step;
        try {
          step = await runner.next(runId, sent, 2 * job.slots - busy - queue.length);
        } catch (err) {
          reports.unshift(...sent); // reported again with the next claim
          throw err;
        }
        if (step.kind === 'stop') {
          // Cancelled, expired or done: lines waiting here were never started and go back unrun.
          stopped = true;
          for (const left of queue.splice(0)) reports.push({ lineNo: left.line.lineNo, outcome: { kind: 'release' } });
        } else if (step.kind === 'wait') waitMs = step.ms;
        else queue.push(...(await readLines(this.env, spec.inputKey, step.lines)));
      };
      const startRefill = (): Promise<void> => (refilling ??= refill().finally(() => (refilling = undefined)));
      const worker = async (): Promise<void> => {
        while (Date.now() <= deadline) {
          const next = queue.shift();
          if (next) {
            // A failed look-ahead is retried by the next claim; whoever awaits it sees the error.
            if (queue.length === 0 && !stopped) startRefill().catch(() => undefined);
            busy++;
            try {
              const { outcome, booked } = await runLine(this.env, spec, next.line, next.text, job.deployment);
              // Reported once its cost is in the ledger; the slot takes its next line meanwhile.
              const reported: Promise<void> = booked.then(() => {
                reports.push({ lineNo: next.line.lineNo, outcome });
                booking.delete(reported);
              });
              booking.add(reported);
            } finally {
              busy--;
            }
            continue;
          }
          if (stopped) return;
          await startRefill();
          if (waitMs) {
            const ms = waitMs;
            waitMs = 0;
            await new Promise((r) => setTimeout(r, ms));
          }
        }
        more = true;
      };
      await Promise.all(Array.from({ length: job.slots }, worker));
      for (const left of queue.splice(0)) reports.push({ lineNo: left.line.lineNo, outcome: { kind: 'release' } });
    } finally {
      await Promise.allSettled(booking);
      clearInterval(heartbeat);
      // Whatever finished last is reported now, with the lines claimed but never started.
      await runner.next(runId, reports.splice(0), 0, true).catch(() => undefined);
      this.running = false;
      if (more) await this.ctx.storage.setAlarm(Date.now());
    }
  }
}
