import type { Bindings } from '../env';
import { ledger } from './ledger-client';
import type { SettledBatch, Settlement } from './ledger-types';

/**
 * Settlements on their way to their ledger, per isolate. A Durable Object round trip costs far more than the
 * booking itself, so settlements share calls: one that finds its ledger idle is sent at once (sequential traffic
 * sees no delay), and those that arrive while a call to that ledger is under way wait for it to return, then all go
 * in the next call (`settleMany`). Under load that is one call per round trip instead of one per request. They are
 * not carried on the next admission: writes in `admit` would hold its answer until they are stored (output gate),
 * which is the latency a request waits for before its upstream call.
 *
 * Only plain data is shared between requests here. Each settlement's own request keeps watching it (its own timers,
 * in its waitUntil) until it is booked, and sends it itself if nobody else does: workerd forbids one request to
 * resolve a promise another awaits, and a request whose context ends cannot finish another's work.
 */
type State = 'queued' | 'sending' | 'done';

interface Parcel {
  settlement: Settlement;
  state: State;
}

const POLL_MS = 10;
/** After a failed call: the ledger is unwell, so back off instead of polling it every POLL_MS. */
const RETRY_MS = 1_000;
/** A flush that has not reported back for this long is presumed dead (its request was cancelled). */
const STALE_MS = 5_000;
/** Inside the 30 s a request's waitUntil may run after its response. */
const GIVE_UP_MS = 25_000;
/** Per call, so a backlog built while a ledger was unreachable goes back in calls of a sane size. */
const MAX_BATCH = 500;
/** Calls one flush makes before it leaves the rest to the waiting requests (each waitUntil has its limit). */
const MAX_ROUNDS = 20;

const queues = new Map<string, Parcel[]>();
/** Ledger name → when its current flush last made progress. */
const flushing = new Map<string, number>();

/**
 * Queues a settlement for ledger `name` and returns the promise its request keeps alive (waitUntil) until the
 * settlement is booked: by a flush of its own, or by another request's flush.
 */
export function settle(env: Bindings, name: string, settlement: Settlement, requestId: string): Promise<void> {
  const parcel: Parcel = { settlement, state: 'queued' };
  const q = queues.get(name);
  if (q) q.push(parcel);
  else queues.set(name, [parcel]);
  return watch(env, name, parcel, requestId);
}

async function watch(env: Bindings, name: string, parcel: Parcel, requestId: string): Promise<void> {
  const started = Date.now();
  // Read through a function: the state changes while this awaits (other requests send the parcel).
  const state = (): State => parcel.state;
  let pause = 0;
  while (state() !== 'done') {
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    pause = POLL_MS;
    if (state() === 'done') return;
    const since = flushing.get(name);
    if (since !== undefined && Date.now() - since < STALE_MS) continue;
    if (state() === 'sending') requeue(name, [parcel]);
    const err = await flush(env, name);
    if (err === undefined) continue;
    pause = RETRY_MS;
    if (Date.now() - started > GIVE_UP_MS) {
      parcel.state = 'done';
      console.error('settlement failed', requestId, err instanceof Error ? err.message : String(err));
    }
  }
}

/** Sends what is queued for the ledger until nothing is left (or MAX_ROUNDS); returns the error of a failed call. */
async function flush(env: Bindings, name: string): Promise<unknown> {
  flushing.set(name, Date.now());
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
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
