import type { Bindings } from '../env';
import { ledger } from './ledger-client';
import type { SettledBatch, Settlement } from './ledger-types';

/**
 * Settlements on their way to their ledger, per isolate. A Durable Object call costs the isolate far more CPU than
 * the bookings it carries, so settlements share calls (`settleMany`).
 *
 * One request at a time holds a ledger's lease and drains its queue from its own waitUntil: it sends what is queued,
 * and again when more arrived meanwhile, until the queue is empty. Other requests only queue their settlement (no
 * timer, no waitUntil of their own). A lease lasts LEASE_MS at most, so no waitUntil outlives its limit: then the
 * next settlement starts a new lease, and the old holder sees through what was queued under it. A settlement that
 * finds no lease is sent at once, so sequential traffic sees no delay.
 *
 * A ledger whose admissions do not depend on when settlements land (the master key's: no limits, nothing reserved)
 * is sent to at most once per `windowMs`: under load that is a few calls a second instead of one per round trip, at
 * the price of spend logs that trail the traffic by up to the window (LiteLLM batches its spend writes by seconds).
 *
 * Not carried on the next admission: writes in `admit` would hold its answer until they are stored (output gate),
 * the latency a request waits for before its upstream call. Only plain data is shared between requests here:
 * workerd forbids one request to resolve a promise another awaits, so a caller that needs to know when its own
 * settlement is booked (a batch line, `receipt`) watches it with its own timers.
 */
type State = 'queued' | 'sending' | 'done';

interface Parcel {
  settlement: Settlement;
  state: State;
}

interface Lease {
  startedAt: number;
  /** Last sign of life: a lease that stops reporting is presumed dead (its request was cancelled). */
  progressAt: number;
}

export interface SettleOptions {
  /** At most one call to this ledger per window (0: whenever no call is under way). */
  windowMs: number;
  /** The returned promise settles only once this settlement is booked. */
  receipt: boolean;
}

const POLL_MS = 10;
/** After a failed call: the ledger is unwell, so back off instead of calling it again at once. */
const RETRY_MS = 1_000;
/** A flush or lease that has not reported back for this long is presumed dead. */
const STALE_MS = 5_000;
/** Longest a request drains a ledger's queue for others before it hands over. */
const LEASE_MS = 5_000;
/** Inside the 30 s a request's waitUntil may run after its response. */
const GIVE_UP_MS = 25_000;
/** Per call, so a backlog built while a ledger was unreachable goes back in calls of a sane size. */
const MAX_BATCH = 500;
/** Calls one flush makes before it leaves the rest to the next round (each waitUntil has its limit). */
const MAX_ROUNDS = 20;

const queues = new Map<string, Parcel[]>();
/** Ledger name → when its current flush last made progress. */
const flushing = new Map<string, number>();
/** Ledger name → when its last flush started (windowed ledgers only). */
const lastFlush = new Map<string, number>();
const leases = new Map<string, Lease>();

/**
 * Queues a settlement for ledger `name`. Returns the promise the request must keep alive (waitUntil) when it has
 * work to do: it took the ledger's lease, or asked for a receipt. Undefined when the lease holder will send it.
 */
export function settle(env: Bindings, name: string, settlement: Settlement, options: SettleOptions): Promise<void> | undefined {
  const parcel: Parcel = { settlement, state: 'queued' };
  const q = queues.get(name);
  if (q) q.push(parcel);
  else queues.set(name, [parcel]);
  const now = Date.now();
  if (options.receipt) return watch(env, name, [parcel], options.windowMs, now);
  const held = leases.get(name);
  if (held && now - held.startedAt < LEASE_MS && now - held.progressAt < STALE_MS) return undefined;
  const lease: Lease = { startedAt: now, progressAt: now };
  leases.set(name, lease);
  return drain(env, name, lease, options.windowMs);
}

async function drain(env: Bindings, name: string, lease: Lease, windowMs: number): Promise<void> {
  let pause = 0;
  while (Date.now() - lease.startedAt < LEASE_MS) {
    const wait = Math.max(pause, dueIn(name, windowMs));
    if (wait > 0) await sleep(wait);
    lease.progressAt = Date.now();
    // Replaced after being presumed dead: whoever holds the lease now drains; see through what is left below.
    if (leases.get(name) !== lease) break;
    // Checked and released in one synchronous step: a settlement queued after this starts a lease of its own.
    if (!(queues.get(name) ?? []).some((p) => p.state === 'queued')) {
      leases.delete(name);
      // A window has passed since the last call (waited above): nothing left to pace, and the map stays small.
      lastFlush.delete(name);
      return;
    }
    const err = await flush(env, name, windowMs > 0);
    pause = err === undefined ? 0 : RETRY_MS;
  }
  if (leases.get(name) === lease) leases.delete(name);
  const left = (queues.get(name) ?? []).filter((p) => p.state !== 'done');
  await watch(env, name, left, windowMs, lease.startedAt);
}

/** Until every parcel is booked: sends them when no flush is under way, gives up (and says so) after GIVE_UP_MS. */
async function watch(env: Bindings, name: string, parcels: Parcel[], windowMs: number, since: number): Promise<void> {
  // Read through a function: states change while this awaits (other requests send the parcels).
  const open = (): Parcel[] => parcels.filter((p) => p.state !== 'done');
  let pause = 0;
  while (open().length > 0) {
    if (pause > 0) await sleep(pause);
    if (open().length === 0) return;
    const now = Date.now();
    const due = dueIn(name, windowMs);
    pause = Math.max(POLL_MS, due);
    const busy = flushing.get(name);
    if (busy !== undefined && now - busy < STALE_MS) continue;
    if (due > 0) continue;
    // Still marked as being sent, with no flush under way: that flush died with its request.
    requeue(name, open().filter((p) => p.state === 'sending'));
    const err = await flush(env, name, windowMs > 0);
    if (err === undefined) continue;
    pause = RETRY_MS;
    if (Date.now() - since > GIVE_UP_MS) {
      for (const p of open()) {
        p.state = 'done';
        console.error('settlement failed', p.settlement.requestId, err instanceof Error ? err.message : String(err));
      }
    }
  }
}

/** Milliseconds until a windowed ledger's next call is due (its last one started a window ago). */
function dueIn(name: string, windowMs: number): number {
  return windowMs > 0 ? (lastFlush.get(name) ?? 0) + windowMs - Date.now() : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends what is queued for the ledger until nothing is left or MAX_ROUNDS calls were made (a windowed ledger makes
 * one: what arrives meanwhile waits for the next window); returns the error of a failed call.
 */
async function flush(env: Bindings, name: string, windowed: boolean): Promise<unknown> {
  const now = Date.now();
  flushing.set(name, now);
  if (windowed) lastFlush.set(name, now);
  const rounds = windowed ? 1 : MAX_ROUNDS;
  try {
    for (let round = 0; round < rounds; round++) {
      const parcels = take(name);
      if (parcels.length === 0) return undefined;
      const batch: SettledBatch = { apiKey: name, items: parcels.map((p) => p.settlement) };
      try {
        await ledger(env, name).settleMany(batch);
      } catch (err) {
        // Booking is idempotent by request id, so a call that may or may not have landed is simply sent again.
        requeue(name, parcels);
        return err;
      }
      for (const p of parcels) p.state = 'done';
      flushing.set(name, Date.now());
    }
    return undefined;
  } finally {
    flushing.delete(name);
  }
}

function take(name: string): Parcel[] {
  const waiting = (queues.get(name) ?? []).filter((p) => p.state === 'queued');
  const parcels = waiting.slice(0, MAX_BATCH);
  if (waiting.length > MAX_BATCH) queues.set(name, waiting.slice(MAX_BATCH));
  else queues.delete(name);
  for (const p of parcels) p.state = 'sending';
  return parcels;
}

function requeue(name: string, parcels: Parcel[]): void {
  const q = queues.get(name) ?? [];
  for (const p of parcels) {
    if (p.state === 'done') continue;
    p.state = 'queued';
    q.push(p);
  }
  if (q.length > 0) queues.set(name, q);
}
