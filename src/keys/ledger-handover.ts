import type { Bindings } from '../env';
import type { Reservation } from './key-ledger';
import type { KeyRecord } from './key-record';
import { indexKey } from './kv-index';
import { ledger } from './ledger-client';
import type { LedgerStore, StoredKey } from './ledger-store';
import type { Handover, SettledBatch } from './ledger-types';
import type { SlidingWindow } from './ledger-windows';

/** What the hand-over works on: one ledger's state, storage and in-memory limits. */
export interface LedgerParts {
  readonly env: Bindings;
  readonly store: LedgerStore;
  readonly reservations: Map<string, Reservation>;
  readonly requests: SlidingWindow;
  readonly tokens: SlidingWindow;
  /** The stored state, whatever its status. */
  state(): StoredKey | undefined;
  /** The active state with its budget window rolled forward. */
  live(now: number): StoredKey | undefined;
  expireReservations(now: number): void;
}

/**
 * `adopted`: the key was pending and has now taken over; `active`: it had already; `refused`: it is not (or no
 * longer) a key, or its predecessor would not hand over (deleted, or regenerated into another key).
 */
export type TakeOver = 'adopted' | 'active' | 'refused';

/**
 * A regeneration's hand-over, seen from both ledgers. The new (pending) ledger drives it itself (`takeOver`):
 * it asks its predecessor to hand over, adopts what it gets and indexes the key. Both steps are idempotent, so
 * a regeneration that stopped half-way (the old key handed over, the new one still pending) is finished by the
 * next call that reaches the new key: a retried regeneration, its first request or a look-up.
 */
export class Succession {
  private taking: Promise<TakeOver> | undefined;

  constructor(private readonly parts: LedgerParts) {}

  /**
   * Regenerated away in one synchronous step: admissions before it are handed over (spend, or reservations in
   * flight), settlements after it are forwarded to `successor`. A retry (answer lost) gets the same handover.
   */
  handOver(successor: string): Handover | null {
    const now = Date.now();
    const state = this.parts.state();
    const key = state?.status === 'regenerated' && state.successor === successor ? state : this.parts.live(now);
    if (!key) return null;
    if (key.status === 'active') {
      key.status = 'regenerated';
      key.successor = successor;
      this.parts.store.save(key);
    }
    this.parts.expireReservations(now);
    return {
      record: key.record,
      spendNanos: key.spendNanos,
      budgetResetAt: key.budgetResetAt,
      reservations: [...this.parts.reservations].map(([requestId, r]) => ({ requestId, ...r })),
      requests: this.parts.requests.events(now),
      tokens: this.parts.tokens.events(now),
    };
  }

  /**
   * Finishes this key's regeneration if it is unfinished; concurrent callers share one attempt. `predecessor` is
   * for pending ledgers stored before they kept their own: the caller read it from the old key's `successor`.
   */
  takeOver(predecessor?: string): Promise<TakeOver> {
    this.taking ??= this.finish(predecessor).finally(() => {
      this.taking = undefined;
    });
    return this.taking;
  }

  private async finish(hint: string | undefined): Promise<TakeOver> {
    const key = this.parts.state();
    if (key?.status === 'pending' && key.predecessor === null && hint !== undefined) {
      const { token, key_name, updated_at } = key.record;
      key.predecessor = hint;
      key.changes = { token, key_name, updated_at };
      this.parts.store.save(key);
    }
    if (!key || (key.status !== 'pending' && key.status !== 'active')) return 'refused';
    if (key.predecessor === null || key.changes === null) return key.status === 'active' ? 'active' : 'refused';
    const was = key.status;
    const from = await ledger(this.parts.env, key.predecessor).handOver(key.record.token);
    // The state may have changed while the predecessor answered (a retire, or another hand-over finishing).
    if (!from) {
      if (key.status === 'pending') this.discard(key);
      return key.status === 'active' ? 'active' : 'refused';
    }
    if (key.changes) {
      if (!this.adopt(from, { ...from.record, ...key.changes })) return 'refused';
      // The record as it is now (an update may land between adoption and a retried indexing); `changes` stays
      // until the index is written, so a call that fails here is finished by the next one.
      await indexKey(this.parts.env, key.record, from.record);
      key.changes = null;
      this.parts.store.save(key);
    }
    return was === 'pending' ? 'adopted' : 'active';
  }

  /** The predecessor will never hand over: this key was never given out, so it simply stops existing. */
  private discard(key: StoredKey): void {
    key.status = 'deleted';
    key.changes = null;
    this.parts.store.save(key);
  }

  /**
   * The pending key takes over record, spend, windows and in-flight reservations (not those forwarded here
   * already). An active key has adopted before (a retry): nothing is taken twice.
   */
  adopt(from: Handover, record: KeyRecord): boolean {
    const key = this.parts.state();
    if (key?.status === 'active') return true;
    if (key?.status !== 'pending') return false;
    key.status = 'active';
    key.record = record;
    key.budgetResetAt = from.budgetResetAt;
    key.spendNanos += from.spendNanos;
    this.parts.store.save(key);
    const booked = this.parts.store.logged(from.reservations.map((r) => r.requestId));
    for (const { requestId, ...r } of from.reservations) {
      if (!booked.has(requestId)) this.parts.reservations.set(requestId, r);
    }
    this.parts.requests.merge(from.requests);
    this.parts.tokens.merge(from.tokens);
    return true;
  }

  /**
   * Late settlements go to the successor (along a chain of regenerations), which books them idempotently; a failed
   * forward fails the call, so the outbox resends. Those booked here before the handover were handed over already.
   */
  async forward(successor: string, batch: SettledBatch): Promise<void> {
    const booked = this.parts.store.logged(batch.items.map((s) => s.requestId));
    const items = batch.items.filter((s) => !booked.has(s.requestId));
    // Objects, not rows: the successor may still run the previous version (see settlement-wire.ts).
    if (items.length > 0) await ledger(this.parts.env, successor).settleMany({ apiKey: successor, items });
    for (const s of batch.items) this.parts.reservations.delete(s.requestId);
  }
}
