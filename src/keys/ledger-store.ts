import type { KeyRecord, LedgerStatus, Settlement, SpendLogQuery, SpendLogRow, UsageBucket } from './ledger-types';
import { fromNanos } from '../accounting/money';
import { SpendRollup } from './spend-rollup';

/** `pending`: the new key of a regeneration, until the old one has handed over (nobody holds it yet). */
export type StoredStatus = LedgerStatus | 'pending';

export interface StoredKey {
  status: StoredStatus;
  record: KeyRecord;
  spendNanos: number;
  budgetResetAt: number | null;
  /** The key this one was regenerated into: its late settlements are forwarded there. */
  successor: string | null;
  /** The key this one was regenerated from (null for keys generated as such, or regenerated before it was kept). */
  predecessor: string | null;
  /** The regeneration's changes to the predecessor's record, until its hand-over is complete (adopted, indexed). */
  changes: Partial<KeyRecord> | null;
}

/** How long before a window's start a request that ended inside it may have started (see `recent`). */
const RECENT_LOOKBACK_MS = 60 * 60_000;

/** Columns added after the table was first shipped: ledgers created before them get them on start. */
const ADDED_COLUMNS = ['successor', 'predecessor', 'changes'];

/**
 * The batch's settlements in runs that share call type, group, deployment, status and estimate, each in batch order;
 * a request id repeated in the batch only at its first occurrence (so whichever run holds it, the first is booked).
 */
function runsAlike(items: readonly Settlement[]): Settlement[][] {
  const runs: Settlement[][] = [];
  const seen = new Set<string>();
  for (const s of items) {
    if (seen.has(s.requestId)) continue;
    seen.add(s.requestId);
    // Few runs per batch (usually one): a scan compares fields without building a key per row.
    const run = runs.find((r) => alike(r[0]!, s));
    if (run) run.push(s);
    else runs.push([s]);
  }
  return runs;
}

function alike(a: Settlement, b: Settlement): boolean {
  return (
    a.callType === b.callType &&
    a.group === b.group &&
    a.deploymentId === b.deploymentId &&
    a.status === b.status &&
    a.estimated === b.estimated
  );
}

/** A ledger's SQLite tables (docs/storage.md): `key_state` (one row) and `spend_logs` (one row per request). */
export class LedgerStore {
  private readonly rollup: SpendRollup;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS key_state (
      id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL, record TEXT NOT NULL,
      spend_nanos INTEGER NOT NULL DEFAULT 0, budget_reset_at INTEGER, successor TEXT, predecessor TEXT, changes TEXT)`);
    const columns = new Set(sql.exec<{ name: string }>('PRAGMA table_info(key_state)').toArray().map((c) => c.name));
    for (const name of ADDED_COLUMNS) if (!columns.has(name)) sql.exec(`ALTER TABLE key_state ADD COLUMN ${name} TEXT`);
    sql.exec(`CREATE TABLE IF NOT EXISTS spend_logs (
      request_id TEXT PRIMARY KEY, api_key TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,
      call_type TEXT NOT NULL, model_group TEXT NOT NULL, model_id TEXT, prompt_tokens INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL, total_tokens INTEGER NOT NULL, spend_nanos INTEGER NOT NULL,
      status TEXT NOT NULL, estimated INTEGER NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS spend_logs_started ON spend_logs (started_at)');
    this.rollup = new SpendRollup(sql);
  }

  load(): StoredKey | undefined {
    const row = this.sql
      .exec<{
        status: string;
        record: string;
        spend_nanos: number;
        budget_reset_at: number | null;
        successor: string | null;
        predecessor: string | null;
        changes: string | null;
      }>('SELECT status, record, spend_nanos, budget_reset_at, successor, predecessor, changes FROM key_state WHERE id = 1')
      .toArray()[0];
    if (!row) return undefined;
    return {
      status: row.status as StoredStatus,
      record: JSON.parse(row.record) as KeyRecord,
      spendNanos: row.spend_nanos,
      budgetResetAt: row.budget_reset_at,
      successor: row.successor,
      predecessor: row.predecessor,
      changes: row.changes === null ? null : (JSON.parse(row.changes) as Partial<KeyRecord>),
    };
  }

  save(state: StoredKey): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO key_state (id, status, record, spend_nanos, budget_reset_at, successor, predecessor, changes)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
      state.status,
      JSON.stringify(state.record),
      state.spendNanos,
      state.budgetResetAt,
      state.successor,
      state.predecessor,
      state.changes === null ? null : JSON.stringify(state.changes),
    );
  }

  /** Which of these request ids have a spend-log row here (a regeneration's handover, never the hot path). */
  logged(requestIds: readonly string[]): Set<string> {
    if (requestIds.length === 0) return new Set();
    const rows = this.sql
      .exec<{ request_id: string }>(
        'SELECT request_id FROM spend_logs WHERE request_id IN (SELECT value FROM json_each(?))',
        JSON.stringify(requestIds),
      )
      .toArray();
    return new Set(rows.map((r) => r.request_id));
  }

  /** The hot write of every settlement: one increment, not a rewrite of the whole record. */
  addSpend(nanos: number): void {
    this.sql.exec('UPDATE key_state SET spend_nanos = spend_nanos + ? WHERE id = 1', nanos);
  }

  /**
   * Inserts the rows of request ids not settled before (nor earlier in this batch) and returns their settlements:
   * those the insert reports back, so a row that was not written (a repeat, or one the table refuses) is never
   * charged. One statement per run of rows alike in everything but their id, times and counts (usually the whole
   * batch): those vary and travel as one JSON parameter (`json_each`; a statement may bind at most 100 values, and a
   * statement per row would cost more than the booking itself); the rest is bound once. Each value SQLite reads out
   * of the JSON costs ~0.5 µs here, about what the row's two index inserts cost together: ~13.5 → ~10 µs per row.
   */
  insertLogs(apiKey: string, items: readonly Settlement[]): Settlement[] {
    if (items.length === 0) return [];
    const written = new Set<string>();
    for (const run of runsAlike(items)) {
      const first = run[0]!;
      const rows = run.map((s) => [s.requestId, s.startedAt, s.endedAt, s.promptTokens, s.completionTokens, s.totalTokens, s.nanos]);
      const cursor = this.sql.exec<{ request_id: string }>(
        `INSERT OR IGNORE INTO spend_logs (request_id, api_key, started_at, ended_at, call_type, model_group, model_id,
          prompt_tokens, completion_tokens, total_tokens, spend_nanos, status, estimated)
         SELECT value->>0, ?2, value->>1, value->>2, ?3, ?4, ?5, value->>3, value->>4, value->>5, value->>6, ?6, ?7
         FROM json_each(?1) ORDER BY key
         RETURNING request_id`,
        JSON.stringify(rows),
        apiKey,
        first.callType,
        first.group,
        first.deploymentId,
        first.status,
        first.estimated ? 1 : 0,
      );
      for (const row of cursor) written.add(row.request_id);
    }
    // A request id repeated in the batch was written once: its first occurrence is the one booked.
    const fresh: Settlement[] = [];
    for (const s of items) {
      if (!written.delete(s.requestId)) continue;
      fresh.push(s);
    }
    this.rollup.add(fresh);
    return fresh;
  }

  logs(q: SpendLogQuery): SpendLogRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.requestId) {
      where.push('request_id = ?');
      args.push(q.requestId);
    }
    if (q.from !== undefined) {
      where.push('started_at >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('started_at < ?');
      args.push(q.to);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.sql
      .exec<Record<string, string | number | null>>(
        `SELECT * FROM spend_logs ${clause} ORDER BY started_at DESC, request_id LIMIT ?`,
        ...args,
        q.limit,
      )
      .toArray()
      .map((r) => ({
        request_id: String(r.request_id),
        api_key: String(r.api_key),
        call_type: String(r.call_type),
        model_group: String(r.model_group),
        model_id: r.model_id === null ? null : String(r.model_id),
        prompt_tokens: Number(r.prompt_tokens),
        completion_tokens: Number(r.completion_tokens),
        total_tokens: Number(r.total_tokens),
        spend: fromNanos(Number(r.spend_nanos)),
        status: String(r.status),
        usage_estimated: Number(r.estimated) === 1,
        startTime: new Date(Number(r.started_at)).toISOString(),
        endTime: new Date(Number(r.ended_at)).toISOString(),
      }));
  }

  /** Spend and request counts per time bucket and model group since `from` (the dashboard's charts, summaries). */
  usage(from: number, bucketMs: number): UsageBucket[] {
    const rolled = this.rollup.usage(from, bucketMs);
    if (rolled) return rolled;
    return this.sql
      .exec<{ t: number; model_group: string; nanos: number; requests: number }>(
        `SELECT CAST(started_at / ? AS INTEGER) * ? AS t, model_group, SUM(spend_nanos) AS nanos, COUNT(*) AS requests
         FROM spend_logs WHERE started_at >= ? GROUP BY t, model_group ORDER BY t`,
        bucketMs,
        bucketMs,
        from,
      )
      .toArray()
      .map((r) => ({ t: r.t, model_group: r.model_group, spend: fromNanos(r.nanos), requests: r.requests }));
  }

  /**
   * Start and end times and tokens of requests that ended since `since`, for rebuilding the rate windows when the
   * object starts. Bounded by `started_at` too, which is indexed: `ended_at` is not, and a full ledger holds tens of
   * millions of rows. A request that ran longer than RECENT_LOOKBACK_MS is left out of the rebuilt token window.
   */
  recent(since: number): { started_at: number; ended_at: number; total_tokens: number }[] {
    return this.sql
      .exec<{ started_at: number; ended_at: number; total_tokens: number }>(
        'SELECT started_at, ended_at, total_tokens FROM spend_logs WHERE started_at >= ? AND ended_at >= ? ORDER BY ended_at',
        since - RECENT_LOOKBACK_MS,
        since,
      )
      .toArray();
  }

  /** When the newest row started (the `started_at` index answers it); undefined without rows. */
  newestStart(): number | undefined {
    const row = this.sql.exec<{ m: number | null }>('SELECT max(started_at) AS m FROM spend_logs').toArray()[0];
    return row?.m ?? undefined;
  }

  /**
   * Drops the oldest rows beyond `maxRows`, at most `chunk` per call (a call runs inside a booking; the rest goes
   * with the next ones). Rows get growing rowids as they are inserted, so the rowid span counts them, give or take
   * the rows pruned by age, without a scan.
   */
  pruneToRows(maxRows: number, chunk = 100_000): number {
    const span = this.sql.exec<{ lo: number | null; hi: number | null }>('SELECT min(rowid) AS lo, max(rowid) AS hi FROM spend_logs').toArray()[0];
    if (!span || span.lo === null || span.hi === null || span.hi - span.lo + 1 <= maxRows) return 0;
    const below = Math.min(span.hi - maxRows + 1, span.lo + chunk);
    return this.sql.exec('DELETE FROM spend_logs WHERE rowid < ?', below).rowsWritten;
  }

  pruneLogs(before: number): void {
    this.sql.exec('DELETE FROM spend_logs WHERE started_at < ?', before);
    this.rollup.prune(before);
  }
}
