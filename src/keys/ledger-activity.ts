import type { Bindings } from '../env';
import type { LedgerRef } from './spend-logs';
import { listAll } from './kv-list';

/**
 * Which ledgers hold spend-log rows from when: reading every key's ledger for the dashboard or an unfiltered
 * `/spend/logs` costs one Durable Object call per key, and an invocation may make 10,000 subrequests on the Paid
 * plan (1,000 to Cloudflare services on Free). Each ledger keeps, in KV,
 *   active:<ledger name> → "" with metadata {d: UTC day number of its newest row's start, -1 for none}
 * written by the ledger itself (the only writer, so it never goes back in time): when a booking starts a later day,
 * and once per object start when a reader finds the entry missing. Readers call only the ledgers whose newest row
 * can fall in the range asked for, plus those without an entry (keys from before this index, until their first
 * booking or read). KV is eventually consistent: another location may see a new day up to ~60 s late, so readers
 * allow a day of slack.
 */
const PREFIX = 'active:';
const DAY_MS = 86_400_000;
/** Rows may start up to this much before the day their ledger's entry names (a late booking, clock skew). */
const SLACK_DAYS = 1;

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
export const dayStart = (day: number): number => day * DAY_MS;

export function writeActivity(env: Bindings, name: string, day: number): Promise<void> {
  return env.GATEWAY_KV.put(`${PREFIX}${name}`, '', { metadata: { d: day } });
}

export function deleteActivity(env: Bindings, name: string): Promise<void> {
  return env.GATEWAY_KV.delete(`${PREFIX}${name}`);
}

/** Ledger name → day of its newest row (-1: none). Names missing have no entry yet. */
export async function readActivity(env: Bindings): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const k of await listAll<{ d?: unknown }>(env.GATEWAY_KV, PREFIX)) {
    const d = k.metadata?.d;
    if (typeof d === 'number' && Number.isInteger(d)) out.set(k.name.slice(PREFIX.length), d);
  }
  return out;
}

/** The ledgers that may hold rows starting at or after `from` (ms): the master's, those without entry, and recent ones. */
export function activeSince<T extends LedgerRef>(ledgers: readonly T[], activity: ReadonlyMap<string, number>, from: number): T[] {
  const first = dayOf(from) - SLACK_DAYS;
  return ledgers.filter((l) => l.name === 'master' || (activity.get(l.name) ?? Infinity) >= first);
}

/**
 * The ledgers in the order a newest-first read visits them: one group per day on which some ledger's newest row
 * started, latest first; the master's and those without entry go with the first group. After the group of day D,
 * every ledger not yet read holds only rows that started before day D (a new day's first booking may take up to a
 * minute to show in another location's KV: its rows can be missing from such a read that long).
 */
export function newestFirst<T extends LedgerRef>(ledgers: readonly T[], activity: ReadonlyMap<string, number>): { day: number; ledgers: T[] }[] {
  const top: T[] = [];
  const byDay = new Map<number, T[]>();
  for (const l of ledgers) {
    const d = l.name === 'master' ? undefined : activity.get(l.name);
    if (d === undefined) top.push(l);
    else if (d >= 0) {
      const group = byDay.get(d);
      if (group) group.push(l);
      else byDay.set(d, [l]);
    }
  }
  const days = [...byDay.keys()].sort((a, b) => b - a);
  if (days.length === 0) return top.length ? [{ day: -Infinity, ledgers: top }] : [];
  return days.map((d, i) => ({ day: d, ledgers: i === 0 ? [...top, ...byDay.get(d)!] : byDay.get(d)! }));
}

/**
 * The ledger's side: keeps its entry current, writing only when the day moves forward or the entry is missing.
 * Writes go out one after another, so a later day is never overtaken by an earlier value; a booking that moves the
 * day waits for its write, so once a row can be read, the entry that lets readers find it is in KV.
 */
export class ActivityEntry {
  /** Day of the newest row's start (undefined: no rows). */
  private day: number | undefined;
  private written = false;
  /** The last write failed: the entry in KV may name an earlier day than `day`. */
  private stale = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly env: Bindings,
    private readonly waitUntil: (p: Promise<unknown>) => void,
    newestStart: number | undefined,
  ) {
    this.day = newestStart === undefined ? undefined : dayOf(newestStart);
  }

  /** Rows were booked; `newestStart` is the latest start among them. A missing entry is a reader's to report. */
  booked(name: string, newestStart: number): Promise<void> | undefined {
    const day = dayOf(newestStart);
    if (this.day !== undefined && day <= this.day && !this.stale) return undefined;
    this.stale = false;
    this.day = Math.max(day, this.day ?? day);
    return this.publish(name);
  }

  /** A write that failed leaves the entry behind: the next booking (or a reader finding none) writes it again. */
  private failed(): void {
    this.written = false;
    this.stale = true;
  }

  /** A reader found no entry for this ledger (`name`): write it, once per object start. */
  missing(name: string): void {
    if (!this.written) this.waitUntil(this.publish(name));
  }

  private publish(name: string): Promise<void> {
    this.written = true;
    const day = this.day ?? -1;
    this.writes = this.writes.then(() =>
      writeActivity(this.env, name, day).catch((err: unknown) => {
        this.failed();
        console.error(`[ledger] activity entry not written: ${err instanceof Error ? err.message : String(err)}`);
      }),
    );
    return this.writes;
  }
}

/** The `unlisted` argument of a ledger read: the ledger's name when it has no entry yet, so it writes one. */
export function unlisted(activity: ReadonlyMap<string, number> | undefined, name: string): string | undefined {
  return activity && name !== 'master' && !activity.has(name) ? name : undefined;
}

/** Above this many ledgers, reads are narrowed by the activity entries (one KV list per 1,000 keys). */
export const NARROW_ABOVE = 8;

/** The ledgers that may hold rows from `from` on, and the entries read to decide it (none for a few ledgers). */
export async function ledgersSince<T extends LedgerRef>(
  env: Bindings,
  ledgers: readonly T[],
  from: number,
): Promise<{ ledgers: readonly T[]; activity: ReadonlyMap<string, number> | undefined }> {
  if (ledgers.length <= NARROW_ABOVE) return { ledgers, activity: undefined };
  const activity = await readActivity(env);
  return { ledgers: activeSince(ledgers, activity, from), activity };
}
