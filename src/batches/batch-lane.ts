import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import type { LineOutcome } from './batch-types';
import { runLine } from './run-line';
import { runnerStub } from './stubs';

/** A lane works this long, then re-arms its alarm: alarm handlers have a wall-clock limit. */
const RUN_MS = 60_000;
const HEARTBEAT_MS = 2000;

interface Job {
  internal: string;
  slots: number;
}

/**
 * Runs lines of one batch, up to `slots` (≤ 6) at once: one invocation may hold six outbound connections, so a
 * batch's concurrency comes from several lanes (separate Durable Objects) side by side. A lane keeps nothing but
 * its job; the runner holds every line's state and takes lines back from a lane that stops reporting.
 */
export class BatchLane extends DurableObject<Bindings> {
  private running = false;

  async start(internal: string, slots: number): Promise<void> {
    await this.ctx.storage.put<Job>('job', { internal, slots });
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
    try {
      const spec = await runner.spec();
      if (!spec || spec.stopped) return;
      const deadline = Date.now() + RUN_MS;
      const worker = async (): Promise<void> => {
        let report: { lineNo: number; outcome: LineOutcome } | undefined;
        for (;;) {
          const final = Date.now() > deadline;
          const step = await runner.next(runId, report, final);
          report = undefined;
          if (final) more = true;
          if (step.kind === 'stop') return;
          if (step.kind === 'wait') {
            await new Promise((r) => setTimeout(r, step.ms));
            continue;
          }
          report = { lineNo: step.line.lineNo, outcome: await runLine(this.env, spec, step.line) };
        }
      };
      await Promise.all(Array.from({ length: job.slots }, worker));
    } finally {
      clearInterval(heartbeat);
      this.running = false;
      if (more) await this.ctx.storage.setAlarm(Date.now());
    }
  }
}
