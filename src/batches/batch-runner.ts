import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import { newInternalId } from '../files/ids';
import { BatchStore } from './batch-store';
import { toBatchObject, type BatchState, type ClaimedLine, type LaneSpec, type LineOutcome, type LineReport } from './batch-types';
import { writeResults } from './finalize';
import { ingest } from './ingest';
import { LANE_SLOTS } from './lane-plan';
import { laneStub } from './stubs';
import { errorLine } from './output-lines';

/** How often the runner looks after its batch while it runs: releases lines of dead lanes, wakes idle lanes. */
const TICK_MS = 2000;
/** A lane that has not reported for this long is presumed dead (its process was killed); its lines run again. */
const STALE_MS = 10_000;

export type NextStep = { kind: 'lines'; lines: ClaimedLine[] } | { kind: 'wait'; ms: number } | { kind: 'stop' };

/**
 * One per batch (named by its internal id): the durable state of a batch run by the gateway. It ingests the
 * input file, hands lines to its lanes (several Durable Objects, so concurrency is not capped by one
 * invocation's six connections), records every result exactly once, and writes the output and error files.
 * Everything lives in its SQLite storage and its alarm, so a gateway killed mid-batch picks up where it was.
 */
export class BatchRunner extends DurableObject<Bindings> {
  private readonly store: BatchStore;
  private readonly seen = new Map<string, number>();
  private readonly bootedAt = Date.now();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new BatchStore(ctx.storage.sql);
  }

  async create(state: BatchState): Promise<Record<string, unknown>> {
    if (!this.store.load()) {
      this.store.save(state);
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.describe(state.owner)!;
  }

  /** The OpenAI batch object with live counts, or null when the caller does not own it. */
  describe(owner: string | null): Record<string, unknown> | null {
    const state = this.store.load();
    if (!state || (owner !== null && state.owner !== owner)) return null;
    const { total, completed, failed } = this.store.counts();
    return toBatchObject(state, { total, completed, failed });
  }

  /** Who owns the batch (the dashboard acts for the operator on every batch). */
  owner(): string | null {
    return this.store.load()?.owner ?? null;
  }

  async cancel(owner: string): Promise<Record<string, unknown> | null> {
    const state = this.store.load();
    if (!state || state.owner !== owner) return null;
    if (state.status === 'validating' || state.status === 'in_progress') {
      state.status = 'cancelling';
      state.cancelling_at = now();
      this.store.save(state);
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.describe(owner);
  }

  spec(): LaneSpec | null {
    const s = this.store.load();
    if (!s) return null;
    return { batchId: s.id, internal: s.internal, model: s.model, endpoint: s.endpoint, inputKey: s.input_key, caller: s.caller, stopped: s.status !== 'in_progress' };
  }

  heartbeat(runId: string): void {
    this.seen.set(runId, Date.now());
  }

  /** A lane reports the lines it finished and asks for up to `want` more (one round trip for both). */
  next(runId: string, reports: LineReport[], want: number, final = false): NextStep {
    this.heartbeat(runId);
    for (const r of reports) this.record(r.lineNo, r.outcome);
    const status = this.store.currentStatus();
    if (reports.length && status === 'in_progress') this.finishSoonIfDone();
    if (final || status !== 'in_progress') return { kind: 'stop' };
    const lines = this.store.claim(runId, Date.now(), Math.max(1, want));
    if (lines.length) return { kind: 'lines', lines };
    const due = this.store.nextDue();
    return due === undefined ? { kind: 'stop' } : { kind: 'wait', ms: Math.min(Math.max(due - Date.now(), 50), 1000) };
  }

  override async alarm(): Promise<void> {
    const state = this.store.load();
    if (!state) return;
    if (state.status === 'validating') await this.start(state);
    else if (state.status === 'in_progress') await this.tick(state);
    else if (state.status === 'cancelling') await this.finishCancelling(state);
    else if (state.status === 'finalizing') await this.finalize(state);
  }

  /** The last line just came in: finalize now rather than at the next tick. */
  private finishSoonIfDone(): void {
    if (!this.store.unfinished()) void this.ctx.storage.setAlarm(Date.now());
  }

  private record(lineNo: number, outcome: LineOutcome): void {
    if (outcome.kind === 'done') this.store.finish(lineNo, outcome.ok, outcome.output);
    else if (outcome.kind === 'retry') this.store.retry(lineNo, Date.now() + outcome.delayMs, outcome.output);
    else this.store.unclaim(lineNo);
  }

  private alive = (runId: string): boolean => {
    const last = this.seen.get(runId);
    // After a restart the map is empty: give running lanes one stale period to report before taking lines back.
    return (last ?? this.bootedAt) > Date.now() - STALE_MS;
  };

  private async start(state: BatchState): Promise<void> {
    try {
      const lines = await ingest(this.env.FILES, state.input_key, this.store, (fn) => this.ctx.storage.transactionSync(fn));
      if (lines === 0) throw new Error('the input file holds no requests');
    } catch (err) {
      state.status = 'failed';
      state.failed_at = now();
      state.errors = [{ code: 'invalid_input_file', message: (err as Error).message }];
      this.store.save(state);
      return;
    }
    state.status = 'in_progress';
    state.in_progress_at = now();
    this.store.save(state);
    await this.tick(state);
  }

  private async tick(state: BatchState): Promise<void> {
    if (Date.now() >= state.expires_at * 1000) {
      state.status = 'finalizing';
      state.finalizing_at = now();
      state.expired_at = now();
      this.store.closeUnfinished((id) => errorLine(id, 'batch_expired', 'This request could not be executed before the completion window expired.'));
      this.store.save(state);
      return this.finalize(state);
    }
    this.store.release(this.alive);
    const { pending, running } = this.store.counts();
    if (pending === 0 && running === 0) {
      state.status = 'finalizing';
      state.finalizing_at = now();
      this.store.save(state);
      return this.finalize(state);
    }
    if (pending > 0) await this.wakeLanes(state);
    await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
  }

  private async wakeLanes(state: BatchState): Promise<void> {
    // Batches stored before lanes had a plan run on the group as a whole, as they did then.
    const plan = state.lanes ?? Array.from({ length: Math.ceil(state.concurrency / LANE_SLOTS) }, (_, i) => ({
      deployment: undefined,
      slots: Math.min(LANE_SLOTS, state.concurrency - i * LANE_SLOTS),
    }));
    await Promise.all(plan.map((lane, i) => laneStub(this.env, state.internal, i).start(state.internal, lane.slots, lane.deployment)));
  }

  private async finishCancelling(state: BatchState): Promise<void> {
    this.store.release(this.alive);
    if (this.store.counts().running > 0) {
      // Lines already running finish and are kept; nothing new is handed out.
      await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
      return;
    }
    this.store.closeUnfinished((id) => errorLine(id, 'batch_cancelled', 'This request was not executed: the batch was cancelled.'));
    state.status = 'finalizing';
    state.finalizing_at = now();
    state.cancelled_at = now();
    this.store.save(state);
    await this.finalize(state);
  }

  private async finalize(state: BatchState): Promise<void> {
    let ids = this.store.meta('result_ids');
    if (!ids) {
      ids = JSON.stringify({ output: newInternalId(), error: newInternalId() });
      this.store.setMeta('result_ids', ids);
    }
    const written = await writeResults(this.env.FILES, this.store, state, JSON.parse(ids) as { output: string; error: string });
    state.output_file_id = written.outputFileId;
    state.error_file_id = written.errorFileId;
    state.status = state.cancelled_at ? 'cancelled' : state.expired_at ? 'expired' : 'completed';
    if (state.status === 'completed') state.completed_at = now();
    this.store.save(state);
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
