import type { Bindings } from '../env';
import { ledger } from './ledger-client';
import type { Settlement } from './ledger-types';
import { payloadFor } from './settlement-wire';

/**
 * Settlements on their way to their ledger, per isolate. A Durable Object call costs the isolate far more CPU than
 * the bookings it carries, so settlements share calls (`settleMany`).
 *
 * One request at a time holds a ledger's lease and drains its queue from its own waitUntil: it sends what is queued,
 * and again when more arrived meanwhile, until the queue is empty. Other requests only queue their settlement (no
 * timer, no waitUntil of their own). A settlement that finds no lease is sent at once: sequential traffic sees no
 * delay. A lease drains for LEASE_MS at most; then the next settlement starts a new one, and the old holder watches
 * what is still open until WATCH_MS after its lease began, so its waitUntil ends well inside the 30 s allowed.
 * A call not answered within CALL_TIMEOUT_MS counts as failed and one whose request died (FLIGHT_STALE_MS) as lost:
 * their settlements go back in the queue and are sent again (booking is idempotent by request id). Whoever puts
 * settlements back in the queue watches them too; one not booked GIVE_UP_MS after it was queued is dropped, and
 * logged. (All of it is isolate memory: an isolate that dies takes its unsent settlements with it.)
 *
 * A ledger whose admissions do not depend on when settlements land (the master key's, and keys without budget, tpm
 * or parallel limits) is sent to at most once per `windowMs`: under load a few calls a second instead of one per
 * round trip, at the price of spend that trails the traffic by up to the window (LiteLLM batches its spend writes
 * by seconds).
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
  queuedAt: number;
  /** The call carrying it, while `sending`. */
  flight?: Flight;
  /** A call carried it before (that call failed or was not answered in time). */
  sent?: true;
}

interface Flight {
  parcels: Parcel[];
  startedAt: number;
  /** Carries settlements sent before: see `payloadFor`. */
  resend: boolean;
}

interface Lease {
  startedAt: number;
  /** Last sign of life: a lease that stops reporting is presumed dead. */
  progressAt: number;
}

export interface SettleOptions {
  /** At most one call to this ledger per window (0: whenever no call is under way). */
  windowMs: number;
  /** The returned promise settles only once this settlement is booked (or given up). */
  receipt: boolean;
}

const POLL_MS = 10;
/** After a failed call: the ledger is unwell, so back off instead of calling it again at once. */
const RETRY_MS = 1_000;
/** A ledger call not answered by then counts as failed: its settlements are sent again (it may still land). */
const CALL_TIMEOUT_MS = 4_000;
/** A call older than this belongs to a request that died (calls time out before): its settlements are sent again. */
const FLIGHT_STALE_MS = 5_000;
/** A lease that has not reported for this long is presumed dead (its request was cancelled). */
const LEASE_STALE_MS = 10_000;
/** Longest a request drains a ledger's queue for others before it hands over. */
const LEASE_MS = 5_000;
/** Longest a request watches settlements (from its lease or its own settlement): its waitUntil ends in < 30 s. */
const WATCH_MS = 20_000;
/** A settlement not booked this long after it was queued is dropped, and logged. */
const GIVE_UP_MS = 20_000;
/** Per call, so a backlog built while a ledger was unreachable goes back in calls of a sane size. */
const MAX_BATCH = 500;
/** A flush of a prompt ledger starts no new call after this long (its caller checks its lease and deadline). */
const FLUSH_MS = 1_000;
/** Above this many entries, the pacing and lease maps drop the ones that no longer matter. */
const PRUNE_AT = 1_000;

const queues = new Map<string, Parcel[]>();
const flights = new Map<string, Set<Flight>>();
/** Ledger name → when its last call started (windowed ledgers only). */
const lastFlush = new Map<string, number>();
const leases = new Map<string, Lease>();

/**
 * Queues a settlement for ledger `name`. Returns the promise the request must keep alive (waitUntil) when it has
 * work to do: it took the ledger's lease, or asked for a receipt. Undefined when the lease holder will send it.
 */
export function settle(env: Bindings, name: string, settlement: Settlement, options: SettleOptions): Promise<void> | undefined {
  const now = Date.now();
  const parcel: Parcel = { settlement, state: 'queued', queuedAt: now };
  const q = queues.get(name);
  if (q) q.push(parcel);
  else queues.set(name, [parcel]);
  if (options.receipt) return watch(env, name, [parcel], options.windowMs, now);
  const held = leases.get(name);
  if (held && now - held.startedAt < LEASE_MS && now - held.progressAt < LEASE_STALE_MS) return undefined;
  if (leases.size >= PRUNE_AT) prune(leases, (l) => now - l.progressAt >= LEASE_STALE_MS);
  const lease: Lease = { startedAt: now, progressAt: now };
  leases.set(name, lease);
  return drain(env, name, lease, options.windowMs);
}

async function drain(env: Bindings, name: string, lease: Lease, windowMs: number): Promise<void> {
  let pause = 0;
  while (Date.now() - lease.startedAt < LEASE_MS) {
    const wait = Math.max(pause, dueIn(name, windowMs));
    if (wait > 0) await sleep(wait);
    pause = 0;
    lease.progressAt = Date.now();
    // Replaced after being presumed dead: the new holder drains; see through what is open below.
    if (leases.get(name) !== lease) break;
    rescue(name);
    // Another call went out while this slept (a batch line's watcher): pace from that one.
    if (dueIn(name, windowMs) > 0) continue;
    // Checked and released in one synchronous step: a settlement queued after this starts a lease of its own.
    if (!(queues.get(name) ?? []).some((p) => p.state === 'queued')) {
      leases.delete(name);
      // A window has passed since the last call (checked just above): nothing to pace, and the map stays small.
      lastFlush.delete(name);
      return;
    }
    if ((await flush(env, name, windowMs > 0)) !== undefined) pause = RETRY_MS;
  }
  if (leases.get(name) === lease) leases.delete(name);
  await watch(env, name, openParcels(name), windowMs, lease.startedAt);
}

/**
 * Until every watched parcel is booked: sends them when no call is under way. Parcels it puts back in the queue
 * (after a failed call, or from a dead one) it watches too, so none is left waiting for a request that may never
 * come; each is dropped, and logged, GIVE_UP_MS after it was queued. Stops WATCH_MS after `since`, leaving what is
 * still queued to the next settlement's lease.
 */
async function watch(env: Bindings, name: string, parcels: Parcel[], windowMs: number, since: number): Promise<void> {
  let watched = parcels;
  let pause = 0;
  let lastError: unknown;
  for (;;) {
    if (pause > 0) await sleep(pause);
    watched = adopt(watched, rescue(name));
    const now = Date.now();
    giveUp(name, watched, now, lastError);
    const open = watched.filter((p) => p.state !== 'done');
    if (open.length === 0) return;
    if (now - since > WATCH_MS) {
      if (!leases.has(name)) console.warn('settlements left queued for the next request', name, open.length);
      return;
    }
    const due = dueIn(name, windowMs);
    pause = Math.max(POLL_MS, due);
    if (due > 0 || flights.has(name) || !open.some((p) => p.state === 'queued')) continue;
    const err = await flush(env, name, windowMs > 0);
    if (err === undefined) continue;
    lastError = err;
    pause = RETRY_MS;
    watched = adopt(open, queues.get(name) ?? []);
  }
}

function adopt(watched: Parcel[], more: Parcel[]): Parcel[] {
  if (more.length === 0) return watched;
  const known = new Set(watched);
  return [...watched, ...more.filter((p) => !known.has(p))];
}

/** Drops (and logs) the watched settlements queued more than GIVE_UP_MS ago. */
function giveUp(name: string, watched: Parcel[], now: number, lastError: unknown): void {
  const why = lastError instanceof Error ? lastError.message : lastError === undefined ? 'not sent in time' : String(lastError);
  let dropped = false;
  for (const p of watched) {
    if (p.state === 'done' || now - p.queuedAt <= GIVE_UP_MS) continue;
    p.state = 'done';
    dropped = true;
    console.error('settlement failed', p.settlement.requestId, why);
  }
  const q = queues.get(name);
  if (dropped && q) queues.set(name, q.filter((p) => p.state !== 'done'));
}

/** Whatever of this ledger is not booked yet: queued, or in a call under way. */
function openParcels(name: string): Parcel[] {
  const open = [...(queues.get(name) ?? [])];
  for (const f of flights.get(name) ?? []) open.push(...f.parcels.filter((p) => p.state === 'sending'));
  return open;
}

/** Puts the settlements of calls presumed dead back in the queue; returns them. */
function rescue(name: string): Parcel[] {
  const set = flights.get(name);
  if (!set) return [];
  const now = Date.now();
  const back: Parcel[] = [];
  for (const f of set) {
    if (now - f.startedAt < FLIGHT_STALE_MS) continue;
    set.delete(f);
    back.push(...requeue(name, f));
  }
  if (set.size === 0) flights.delete(name);
  return back;
}

/** Milliseconds until a windowed ledger's next call is due (its last one started a window ago). */
function dueIn(name: string, windowMs: number): number {
  return windowMs > 0 ? (lastFlush.get(name) ?? 0) + windowMs - Date.now() : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function prune<V>(map: Map<string, V>, stale: (value: V) => boolean): void {
  for (const [key, value] of map) if (stale(value)) map.delete(key);
}

/**
 * Sends what is queued for the ledger until nothing is left or FLUSH_MS have passed (a windowed ledger makes one
 * call: what arrives meanwhile waits for the next window); returns the error of a failed call.
 */
async function flush(env: Bindings, name: string, windowed: boolean): Promise<unknown> {
  const started = Date.now();
  if (windowed) {
    if (lastFlush.size >= PRUNE_AT) prune(lastFlush, (at) => started - at > 60_000);
    lastFlush.set(name, started);
  }
  do {
    const flight = take(name);
    if (!flight) return undefined;
    let set = flights.get(name);
    if (!set) flights.set(name, (set = new Set()));
    set.add(flight);
    try {
      const items = flight.parcels.map((p) => p.settlement);
      await withTimeout(ledger(env, name).settleMany(payloadFor(name, items, flight.resend)));
      for (const p of flight.parcels) p.state = 'done';
    } catch (err) {
      // Booking is idempotent by request id, so a call that may or may not have landed is simply sent again.
      requeue(name, flight);
      return err;
    } finally {
      set.delete(flight);
      if (set.size === 0 && flights.get(name) === set) flights.delete(name);
    }
  } while (!windowed && Date.now() - started < FLUSH_MS);
  return undefined;
}

/** A ledger call's promise, rejected after CALL_TIMEOUT_MS (the call itself goes on; its outcome is ignored). */
function withTimeout(call: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ledger call not answered within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
  });
  call.catch(() => undefined);
  return Promise.race([call, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

function take(name: string): Flight | undefined {
  const waiting = (queues.get(name) ?? []).filter((p) => p.state === 'queued');
  if (waiting.length === 0) {
    queues.delete(name);
    return undefined;
  }
  const parcels = waiting.slice(0, MAX_BATCH);
  if (waiting.length > MAX_BATCH) queues.set(name, waiting.slice(MAX_BATCH));
  else queues.delete(name);
  const flight: Flight = { parcels, startedAt: Date.now(), resend: parcels.some((p) => p.sent) };
  for (const p of parcels) {
    p.state = 'sending';
    p.flight = flight;
    p.sent = true;
  }
  return flight;
}

/** Back in the queue: the flight's settlements that are still its own (not booked or re-sent meanwhile). */
function requeue(name: string, flight: Flight): Parcel[] {
  const q = queues.get(name) ?? [];
  const back: Parcel[] = [];
  for (const p of flight.parcels) {
    if (p.state !== 'sending' || p.flight !== flight) continue;
    p.state = 'queued';
    p.flight = undefined;
    back.push(p);
  }
  q.push(...back);
  if (q.length > 0) queues.set(name, q);
  return back;
}
