import type { Bindings } from '../../env';
import { fromNanos, toNanos } from '../../accounting/money';
import { ledger } from '../../keys/ledger-client';
import type { LedgerRef } from '../../keys/spend-logs';
import { ledgersSince, unlisted } from '../../keys/ledger-activity';

const DAY_MS = 86_400_000;

/**
 * One day of LiteLLM's summarized `/spend/logs` (`summarize=true` with `start_date` and `end_date`): the day's
 * spend in total, per api_key (the key's sha256, or "master", as a property of its own), per user and per model.
 * `models` is keyed by model group: the per-day sums come from each ledger's own aggregate, which groups by it.
 */
export interface SpendDay {
  startTime: string;
  spend: number;
  users: Record<string, number>;
  models: Record<string, number>;
  [apiKey: string]: string | number | Record<string, number>;
}

interface Part {
  day: number;
  apiKey: string;
  user: string;
  group: string;
  nanos: number;
}

interface Range {
  /** First ms of start_date. */
  from: number;
  /** First ms after end_date. */
  to: number;
  requestId?: string;
}

/** Sums per day of the given ledgers; with a request id, of that one request only. */
export async function summarizeSpend(env: Bindings, ledgers: readonly LedgerRef[], range: Range, now = Date.now()): Promise<SpendDay[]> {
  const narrowed = await ledgersSince(env, ledgers, range.from);
  const parts = (await Promise.all(narrowed.ledgers.map((l) => partsOf(env, l, range, unlisted(narrowed.activity, l.name))))).flat();
  const days = new Map<number, { nanos: number; keys: Map<string, number>; users: Map<string, number>; models: Map<string, number> }>();
  const add = (m: Map<string, number>, k: string, n: number): void => void m.set(k, (m.get(k) ?? 0) + n);
  for (const p of parts) {
    let d = days.get(p.day);
    if (!d) days.set(p.day, (d = { nanos: 0, keys: new Map(), users: new Map(), models: new Map() }));
    d.nanos += p.nanos;
    add(d.keys, p.apiKey, p.nanos);
    add(d.users, p.user, p.nanos);
    add(d.models, p.group, p.nanos);
  }
  const dollars = (m: Map<string, number>): Record<string, number> =>
    Object.fromEntries([...m].map(([k, n]) => [k, fromNanos(n)]));
  const out: SpendDay[] = [...days.keys()].sort((a, b) => a - b).map((day) => {
    const d = days.get(day)!;
    return { users: dollars(d.users), models: dollars(d.models), spend: fromNanos(d.nanos), ...dollars(d.keys), startTime: isoDay(day) };
  });
  // As LiteLLM does: days after the last one with spend, up to end_date, are listed with zero (future days are not).
  const last = out.length ? Date.parse(out[out.length - 1]!.startTime) : undefined;
  if (last !== undefined) {
    const end = Math.min(range.to, Math.floor(now / DAY_MS) * DAY_MS + DAY_MS);
    for (let day = last + DAY_MS; day < end; day += DAY_MS) out.push({ startTime: isoDay(day), spend: 0, users: {}, models: {} });
  }
  return out;
}

async function partsOf(env: Bindings, l: LedgerRef, range: Range, unlistedName: string | undefined): Promise<Part[]> {
  const from = { day: 0, apiKey: l.name, user: l.user };
  if (range.requestId) {
    const rows = await ledger(env, l.name).logs({ requestId: range.requestId, from: range.from, to: range.to, limit: 1 }, unlistedName);
    return rows.map((r) => ({ ...from, day: dayOf(Date.parse(r.startTime)), group: r.model_group, nanos: toNanos(r.spend) }));
  }
  // The ledger sums per UTC day and model group in SQL; days are whole, so `to` (a day boundary) cuts exactly.
  const buckets = await ledger(env, l.name).usage(range.from, DAY_MS, unlistedName);
  return buckets
    .filter((b) => b.t < range.to)
    .map((b) => ({ ...from, day: b.t, group: b.model_group, nanos: toNanos(b.spend) }));
}

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
