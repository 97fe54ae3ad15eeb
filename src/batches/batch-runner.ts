import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
// Batch timestamps are unix seconds, like the files'.
import { nowSeconds as now } from '../files/expiry';
import { newInternalId } from '../files/ids';
import { BatchStore } from './batch-store';
import { toBatchObject, type BatchState, type BatchStatus, type ClaimedLine, type LaneSpec, type LineOutcome, type LineReport } from './batch-types';
import { writeResults } from './finalize';
import { deletePrefix } from '../files/delete-prefix';
import { batchLinesPrefix } from '../files/r2-layout';
import { ingest } from './ingest';
import { LANE_SLOTS } from './lane-plan';
import { laneStub } from './stubs';
import { errorLine } from './output-lines';

/** How often the runner looks after its batch while it runs: releases lines of dead lanes, wakes idle lanes. */
const TICK_MS = 2000;
/** A lane that has not reported for this long is presumed dead (its process was killed); its lines run again. */
const STALE_MS = 10_000;

/** `stop`: the batch is no longer running (claimed lines must not start); `drained`: no line is left to claim. */
export type NextStep = { kind: 'lines'; lines: ClaimedLine[] } | { kind: 'wait'; ms: number } | { kind: 'stop' } | { kind: 'drained' };

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
      const running = state.status === 'in_progress';
      state.status = 'cancelling';
      state.cancelling_at = now();
      this.store.save(state);
      await this.ctx.storage.setAlarm(Date.now());
      // Lanes hold claimed lines they have not started: tell them now, not at their next call, so none starts after
      // the cancel. A lane that misses this hears it from its next report or heartbeat (HEARTBEAT_MS).
      if (running) await this.stopLanes(state);
    }
    return this.describe(owner);
  }

  spec(): LaneSpec | null {
    const s = this.store.load();
    if (!s) return null;
    return { batchId: s.id, internal: s.internal, owner: s.owner, model: s.model, endpoint: s.endpoint, inputKey: s.input_key, caller: s.caller, stopped: s.status !== 'in_progress' };
  }

  /** A lane's run is alive; the answer says whether the batch stopped (its claimed lines must not start). */
  heartbeat(runId: string): boolean {
    this.seen.set(runId, Date.now());
    return this.store.currentStatus() !== 'in_progress';
  }

  /**
   * A lane reports the lines it finished and asks for up to `want` more (one round trip for both). `want` 0 is a
   * report alone (lanes report each line as soon as it is booked): its answer is `stop` or no lines.
   */
  next(runId: string, reports: LineReport[], want: number, final = false): NextStep {
    this.heartbeat(runId);
    for (const r of reports) this.record(runId, r.lineNo, r.outcome);
    const status = this.store.currentStatus();
    if (reports.length && status === 'in_progress') this.finishSoonIfDone();
    if (final || status !== 'in_progress') return { kind: 'stop' };
    if (want <= 0) return { kind: 'lines', lines: [] };
    const lines = this.store.claim(runId, Date.now(), want);
    if (lines.length) return { kind: 'lines', lines };
    const due = this.store.nextDue();
    return due === undefined ? { kind: 'drained' } : { kind: 'wait', ms: Math.min(Math.max(due - Date.now(), 50), 1000) };
  }

  override async alarm(): Promise<void> {
    const state = this.store.load();
    if (!state) return;
    if (state.status === 'validating') await this.start(state.input_key);
    else if (state.status === 'in_progress') await this.tick(state);
    else if (state.status === 'cancelling') await this.finishCancelling(state);
    else if (state.status === 'finalizing') await this.finalize(state);
    else await this.dropSpills(state);
  }

  /** The last line just came in: finalize now rather than at the next tick. */
  private finishSoonIfDone(): void {
    if (!this.store.unfinished()) void this.ctx.storage.setAlarm(Date.now());
  }

  private record(runId: string, lineNo: number, outcome: LineOutcome): void {
    try {
      if (outcome.kind === 'done') {
        const kept = this.store.finish(lineNo, outcome.ok, outcome.output, outcome.spilled);
        // A line finished twice (a lane presumed dead reported after all) keeps its first result.
        if (!kept && outcome.spilled) this.ctx.waitUntil(this.env.FILES.delete(outcome.spilled).catch(() => undefined));
      }
      else if (outcome.kind === 'retry') this.store.retry(lineNo, runId, Date.now() + outcome.delayMs, outcome.output);
      else this.store.unclaim(lineNo, runId);
    } catch (err) {
      // A result SQLite refuses (a row over 2 MB) must not fail the whole report: the lane would send it forever,
      // and the lines behind it would be run, and billed, again.
      const message = `The line's result could not be stored: ${err instanceof Error ? err.message : String(err)}`;
      this.store.finishUnstored(lineNo, (customId) => errorLine(customId, 'result_not_stored', message.slice(0, 500)));
    }
  }

  private alive = (runId: string): boolean => {
    const last = this.seen.get(runId);
    // After a restart the map is empty: give running lanes one stale period to report before taking lines back.
    return (last ?? this.bootedAt) > Date.now() - STALE_MS;
  };

  /**
   * Saves a status change only if the stored status is still `from`, applied to the stored state rather than to a
   * copy loaded before an await: R2 reads and lane calls let other calls in, and a `cancel` saved meanwhile must
   * not be overwritten by a copy that predates it. Returns the saved state, or undefined when the status moved on.
   */
  private transition(from: BatchStatus, change: (state: BatchState) => void): BatchState | undefined {
    const state = this.store.load();
    if (!state || state.status !== from) return undefined;
    change(state);
    this.store.save(state);
    return state;
  }

  private async start(inputKey: string): Promise<void> {
    let failure: string | undefined;
    try {
      const lines = await ingest(this.env.FILES, inputKey, this.store, (fn) => this.ctx.storage.transactionSync(fn));
      if (lines === 0) failure = 'the input file holds no requests';
    } catch (err) {
      failure = (err as Error).message;
    }
    // A batch cancelled while its file was read is left to the alarm its cancel set (finishCancelling).
    const state = this.transition('validating', (s) => {
      if (failure !== undefined) {
        s.status = 'failed';
        s.failed_at = now();
        s.errors = [{ code: 'invalid_input_file', message: failure }];
      } else {
        s.status = 'in_progress';
        s.in_progress_at = now();
      }
    });
    if (state?.status === 'in_progress') await this.tick(state);
  }

  private async tick(state: BatchState): Promise<void> {
    if (Date.now() >= state.expires_at * 1000) {
      state.status = 'finalizing';
      state.finalizing_at = now();
      state.expired_at = now();
      this.store.closeUnfinished((id) => errorLine(id, 'batch_expired', 'This request could not be executed before the completion window expired.'));
      this.store.save(state);
      await this.stopLanes(state);
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
    // A cancel saved while the lanes were woken set an alarm for now: keep it rather than push it back a tick.
    await this.ctx.storage.setAlarm(Date.now() + (this.store.currentStatus() === 'in_progress' ? TICK_MS : 0));
  }

  private async wakeLanes(state: BatchState): Promise<void> {
    await Promise.all(this.lanePlan(state).map((lane, i) => laneStub(this.env, state.internal, i).start(state.internal, lane.slots, lane.deployment)));
  }

  private async stopLanes(state: BatchState): Promise<void> {
    await Promise.allSettled(this.lanePlan(state).map((_, i) => laneStub(this.env, state.internal, i).stop()));
  }

  private lanePlan(state: BatchState): { deployment: string | undefined; slots: number }[] {
    // Batches stored before lanes had a plan run on the group as a whole, as they did then.
    return state.lanes ?? Array.from({ length: Math.ceil(state.concurrency / LANE_SLOTS) }, (_, i) => ({
      deployment: undefined,
      slots: Math.min(LANE_SLOTS, state.concurrency - i * LANE_SLOTS),
    }));
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
    // Should the object stop between saving the outcome and deleting the lines kept in R2, this alarm deletes them.
    await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
    this.transition('finalizing', (s) => {
      s.output_file_id = written.outputFileId;
      s.error_file_id = written.errorFileId;
      s.status = s.cancelled_at ? 'cancelled' : s.expired_at ? 'expired' : 'completed';
      if (s.status === 'completed') s.completed_at = now();
    });
    await this.dropSpills(state);
  }

  /**
   * Deletes the lines kept in R2 (answers too large for a row) once the files hold them: not before the outcome is
   * saved, since a finalize interrupted earlier runs again and copies them again. A failure is retried by the alarm.
   */
  private async dropSpills(state: BatchState): Promise<void> {
    if (this.store.meta('spills_dropped')) return;
    await deletePrefix(this.env.FILES, batchLinesPrefix(state.owner, state.internal));
    this.store.setMeta('spills_dropped', '1');
  }
}
