import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import { fromNanos, toNanos } from '../accounting/money';
import { addDuration, parseDuration } from './duration';
import { allowsModel, type KeyRecord, type KeyView } from './key-record';
import { Succession, type TakeOver } from './ledger-handover';
import { LedgerStore, type StoredKey } from './ledger-store';
import type {
  AdmitRequest,
  AdmitResult,
  Handover,
  RateSnapshot,
  Refusal,
  SpendLogQuery,
  SpendLogRow,
  UsageBucket,
} from './ledger-types';
import { budgetRefusal, rateLimited } from './ledger-refusals';
import { SlidingWindow, WINDOW_MS } from './ledger-windows';
import { ActivityEntry } from './ledger-activity';
import { fromPayload, type SettlementPayload } from './settlement-wire';

/** A reservation whose request never settled (its isolate died) stops counting after this long. */
const RESERVATION_TTL_MS = 15 * 60_000;
const LOG_RETENTION_MS = 90 * 86_400_000;
/**
 * And at most this many rows, oldest dropped first: a Durable Object holds 10 GB and a row takes ~270 bytes with
 * its indexes, so a key busier than ~2.5 requests/s (the master key, a shared service key) would fill its object
 * before the 90 days were up, and then fail every booking.
 */
const MAX_LOG_ROWS = 20_000_000;

export interface Reservation {
  nanos: number;
  tokens: number;
  at: number;
}

/**
 * One per virtual key (named by the key's sha256): the strongly consistent authority for the key's record, spend,
 * budget window and rate limits, and the keeper of its spend log. Admission is synchronous inside the object, so
 * concurrent requests are decided one at a time against reservations of those still in flight.
 */
export class KeyLedger extends DurableObject<Bindings> {
  private readonly store: LedgerStore;
  private state: StoredKey | undefined;
  private readonly reservations = new Map<string, Reservation>();
  private readonly requests = new SlidingWindow();
  private readonly tokens = new SlidingWindow();
  private settledSincePrune = 0;
  private readonly succession: Succession;
  private readonly activity: ActivityEntry;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    this.state = this.store.load();
    this.activity = new ActivityEntry(env, (p) => ctx.waitUntil(p), this.store.newestStart());
    this.rebuildWindows(Date.now());
    this.succession = new Succession({
      env,
      store: this.store,
      reservations: this.reservations,
      requests: this.requests,
      tokens: this.tokens,
      state: () => this.state,
      live: (now) => this.live(now),
      expireReservations: (now) => this.expireReservations(now),
    });
  }

  /**
   * The rate windows live in memory; an object that was evicted or restarted rebuilds them from the spend log, so
   * a restart does not hand out a fresh minute. (Requests in flight at that moment were never logged: their
   * reservations are gone with the memory, and they count once they settle.)
   */
  private rebuildWindows(now: number): void {
    const rows = this.store.recent(now - WINDOW_MS);
    for (const r of [...rows].sort((a, b) => a.started_at - b.started_at)) this.requests.add(r.started_at, 1);
    for (const r of rows) if (r.total_tokens > 0) this.tokens.add(r.ended_at, r.total_tokens);
  }

  create(record: KeyRecord): boolean {
    if (this.state) return false;
    const budgetResetAt = this.nextReset(record, Date.now());
    const fresh = { spendNanos: 0, budgetResetAt, successor: null, predecessor: null, changes: null };
    this.state = { status: 'active', record, ...fresh };
    this.store.save(this.state);
    return true;
  }

  /** A pending key with an unfinished regeneration (its holder chose it, so may use it) finishes it first. */
  admit(req: AdmitRequest): AdmitResult | Promise<AdmitResult> {
    if (this.state?.status === 'pending' && this.state.changes) {
      return this.succession.takeOver().then(() => this.admitNow(req));
    }
    return this.admitNow(req);
  }

  private admitNow(req: AdmitRequest): AdmitResult {
    const now = Date.now();
    const key = this.live(now);
    if (!key) return { ok: false, refusal: { kind: 'unauthorized', message: 'Invalid API key' } };
    const { record } = key;
    if (record.blocked) {
      return { ok: false, refusal: { kind: 'unauthorized', message: 'This key is blocked; an admin can unblock it' } };
    }
    if (record.expires && Date.parse(record.expires) <= now) {
      return { ok: false, refusal: { kind: 'expired_key', message: `This key expired at ${record.expires}` } };
    }
    if (!allowsModel(record.models, req.group)) {
      return {
        ok: false,
        refusal: { kind: 'key_model_access_denied', message: `This key is not allowed to use model \`${req.group}\`` },
      };
    }
    this.expireReservations(now);
    let reservedNanos = 0;
    let reservedTokens = 0;
    for (const r of this.reservations.values()) {
      reservedNanos += r.nanos;
      reservedTokens += r.tokens;
    }
    const rate = this.rate(record, now, reservedTokens);
    const budget = record.max_budget === null ? undefined : toNanos(record.max_budget);
    if (budget !== undefined && key.spendNanos + reservedNanos >= budget) {
      return { ok: false, refusal: budgetRefusal(key, record, reservedNanos, now, rate) };
    }
    const limited = this.rateRefusal(record, rate);
    if (limited) return { ok: false, refusal: limited };

    this.reservations.set(req.requestId, { nanos: req.estimate.nanos, tokens: req.estimate.tokens, at: now });
    this.requests.add(now, 1);
    return {
      ok: true,
      admitted: {
        models: record.models,
        spend: fromNanos(key.spendNanos),
        rate: this.rate(record, now, reservedTokens + req.estimate.tokens),
        settlePromptly: budget !== undefined || record.tpm_limit !== null || record.max_parallel_requests !== null,
      },
    };
  }

  /**
   * A batch of settlements from one isolate's outbox; each is idempotent by request id. A key regenerated away
   * forwards them to its successor (requests it admitted before the handover, still in flight then).
   */
  settleMany(payload: SettlementPayload): void | Promise<void> {
    const batch = fromPayload(payload);
    if (this.state?.successor) return this.succession.forward(this.state.successor, batch);
    for (const s of batch.items) this.reservations.delete(s.requestId);
    // All or nothing: the rows (one statement per run of alike rows) and the spend they add. A batch that fails part
    // way is sent again whole, and rows written by a failed attempt would be found booked and never charged.
    const { fresh, nanos } = this.ctx.storage.transactionSync(() => {
      const fresh = this.store.insertLogs(batch.apiKey, batch.items.filter((s) => !s.releaseOnly));
      let nanos = 0;
      for (const s of fresh) nanos += s.nanos;
      if (this.state && nanos !== 0) {
        this.live(Date.now());
        this.store.addSpend(nanos);
      }
      return { fresh, nanos };
    });
    if (this.state && nanos !== 0) this.state.spendNanos += nanos;
    let newest = -Infinity;
    for (const s of fresh) {
      if (s.totalTokens > 0) this.tokens.add(s.endedAt, s.totalTokens);
      newest = Math.max(newest, s.startedAt);
    }
    const entry = fresh.length > 0 ? this.activity.booked(batch.apiKey, newest) : undefined;
    this.settledSincePrune += fresh.length;
    if (this.settledSincePrune >= 1000) {
      this.settledSincePrune = 0;
      this.store.pruneLogs(Date.now() - LOG_RETENTION_MS);
      this.store.pruneToRows(MAX_LOG_ROWS);
    }
    // Only when the day of its newest row moved forward (once a day at most): readers find the rows once they exist.
    return entry;
  }

  view(): KeyView | null {
    const key = this.live(Date.now());
    return key ? toView(key) : null;
  }

  update(patch: Partial<KeyRecord>): KeyView | null {
    const now = Date.now();
    const key = this.live(now);
    if (!key) return null;
    const before = key.record.budget_duration;
    key.record = { ...key.record, ...patch, token: key.record.token, updated_at: new Date(now).toISOString() };
    if (key.record.budget_duration !== before) key.budgetResetAt = this.nextReset(key.record, now);
    this.store.save(key);
    return toView(key);
  }

  /** The live state: a regeneration prepares the new key from it (the handover itself is `handOver`). */
  snapshot(): StoredKey | null {
    return this.live(Date.now()) ?? null;
  }

  /** Marks the key deleted (or discards a pending one): refused from the next request on; its log stays readable. */
  retire(status: 'deleted'): KeyRecord | null {
    const key = this.state?.status === 'pending' ? this.state : this.live(Date.now());
    if (!key) return null;
    key.status = status;
    this.store.save(key);
    this.reservations.clear();
    return key.record;
  }

  /**
   * The new key of a regeneration, before the handover: it books forwarded settlements but admits nothing yet.
   * A retry of the same regeneration (same new key and predecessor) that has not been handed over yet may redo it.
   * Without `regeneration` (tests only) the ledger is pending the way ledgers stored before `predecessor` are.
   */
  prepare(record: KeyRecord, regeneration?: { predecessor: string; changes: Partial<KeyRecord> }): boolean {
    const { predecessor = null, changes = null } = regeneration ?? {};
    if (this.state && (this.state.status !== 'pending' || this.state.predecessor !== predecessor)) return false;
    // A redo keeps what the ledger booked meanwhile (settlements forwarded by a hand-over racing the retry).
    const kept = this.state ?? { status: 'pending', spendNanos: 0, budgetResetAt: null, successor: null };
    this.state = { ...kept, record, predecessor, changes };
    this.store.save(this.state);
    return true;
  }

  /** The key a regenerated ledger handed over to (a regeneration that stopped half-way is resumed from it). */
  successor(): string | null {
    return this.state?.status === 'regenerated' ? this.state.successor : null;
  }

  handOver(successor: string): Handover | null {
    return this.succession.handOver(successor);
  }

  takeOver(predecessor?: string): Promise<TakeOver> {
    return this.succession.takeOver(predecessor);
  }

  /** `unlisted`: the reader's name for this ledger, which has no activity entry yet (ledger-activity.ts). */
  logs(query: SpendLogQuery, unlisted?: string): SpendLogRow[] {
    if (unlisted) this.activity.missing(unlisted);
    return this.store.logs(query);
  }

  usage(from: number, bucketMs: number, unlisted?: string): UsageBucket[] {
    if (unlisted) this.activity.missing(unlisted);
    return this.store.usage(from, bucketMs);
  }

  /** The active key with its budget window rolled forward; undefined for unknown, deleted or regenerated keys. */
  private live(now: number): StoredKey | undefined {
    const key = this.state;
    if (!key || key.status !== 'active') return undefined;
    if (key.budgetResetAt !== null && now >= key.budgetResetAt) {
      key.spendNanos = 0;
      key.budgetResetAt = this.nextReset(key.record, now);
      this.store.save(key);
    }
    return key;
  }

  private nextReset(record: KeyRecord, now: number): number | null {
    const d = record.budget_duration ? parseDuration(record.budget_duration) : undefined;
    return d ? addDuration(now, d) : null;
  }

  private expireReservations(now: number): void {
    for (const [id, r] of this.reservations) if (now - r.at > RESERVATION_TTL_MS) this.reservations.delete(id);
  }

  private rate(record: KeyRecord, now: number, reservedTokens: number): RateSnapshot {
    const rate: RateSnapshot = {};
    if (record.rpm_limit !== null) rate.requests = this.requests.snapshot(record.rpm_limit, now);
    if (record.tpm_limit !== null) rate.tokens = this.tokens.snapshot(record.tpm_limit, now, reservedTokens);
    return rate;
  }

  private rateRefusal(record: KeyRecord, rate: RateSnapshot): Refusal | undefined {
    if (rate.requests && rate.requests.remaining <= 0) {
      return rateLimited('requests', `rpm_limit ${record.rpm_limit}`, rate.requests.resetSeconds, rate);
    }
    if (rate.tokens && rate.tokens.remaining <= 0) {
      return rateLimited('tokens', `tpm_limit ${record.tpm_limit}`, rate.tokens.resetSeconds, rate);
    }
    if (record.max_parallel_requests !== null && this.reservations.size >= record.max_parallel_requests) {
      return rateLimited('max_parallel_requests', `max_parallel_requests ${record.max_parallel_requests}`, 1, rate);
    }
    return undefined;
  }
}

function toView(key: StoredKey): KeyView {
  return {
    ...key.record,
    spend: fromNanos(key.spendNanos),
    budget_reset_at: key.budgetResetAt === null ? null : new Date(key.budgetResetAt).toISOString(),
  };
}
