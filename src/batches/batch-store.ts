import type { BatchState, ClaimedLine, RequestCounts } from './batch-types';

/** A finished line: its output line, or (`spill`) the R2 object that holds it. */
export type OutputRow = {
  line_no: number;
  custom_id: string;
  ok: number;
  output: string;
  spill: string | null;
};

/**
 * A batch runner's SQLite tables (docs/storage.md): `batch` (one row, the state) and `lines` (one row per request:
 * where it is in the input file, who is running it, and its output line once done).
 */
export class BatchStore {
  /** The batch's status as last loaded or saved: the runner's hot path (every lane report) needs only that. */
  private status: BatchState['status'] | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS batch (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)');
    sql.exec(`CREATE TABLE IF NOT EXISTS lines (
      line_no INTEGER PRIMARY KEY, custom_id TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending', run_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL DEFAULT 0, ok INTEGER, output TEXT, spill TEXT)`);
    // Added after the table first shipped: runners created before it get the column on start.
    const columns = sql.exec<{ name: string }>('PRAGMA table_info(lines)').toArray();
    if (!columns.some((c) => c.name === 'spill')) sql.exec('ALTER TABLE lines ADD COLUMN spill TEXT');
    // Every state change rewrites each index on `state`: two are enough (claims and the rare due-time lookup walk
    // lines_claim; counts read lines_counts instead of rows holding output text). Batches stored before keep working.
    sql.exec('DROP INDEX IF EXISTS lines_state');
    sql.exec('CREATE INDEX IF NOT EXISTS lines_claim ON lines (state, line_no)');
    sql.exec('CREATE INDEX IF NOT EXISTS lines_counts ON lines (state, ok)');
    sql.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  load(): BatchState | undefined {
    const row = this.sql.exec<{ state: string }>('SELECT state FROM batch WHERE id = 1').toArray()[0];
    const state = row ? (JSON.parse(row.state) as BatchState) : undefined;
    this.status = state?.status;
    return state;
  }

  save(state: BatchState): void {
    this.sql.exec('INSERT OR REPLACE INTO batch (id, state) VALUES (1, ?)', JSON.stringify(state));
    this.status = state.status;
  }

  /** The status without parsing the whole state (all writes go through save()). */
  currentStatus(): BatchState['status'] | undefined {
    return this.status ?? this.load()?.status;
  }

  meta(name: string): string | undefined {
    return this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE name = ?', name).toArray()[0]?.value;
  }

  setMeta(name: string, value: string): void {
    this.sql.exec('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)', name, value);
  }

  addLine(lineNo: number, customId: string, offset: number, length: number): void {
    this.sql.exec('INSERT OR IGNORE INTO lines (line_no, custom_id, offset, length) VALUES (?, ?, ?, ?)', lineNo, customId, offset, length);
  }

  counts(): RequestCounts & { pending: number; running: number } {
    const row = this.sql
      .exec<{ total: number; completed: number; failed: number; pending: number; running: number }>(
        `SELECT COUNT(*) AS total,
           COALESCE(SUM(state = 'done' AND ok = 1), 0) AS completed,
           COALESCE(SUM(state = 'done' AND ok = 0), 0) AS failed,
           COALESCE(SUM(state = 'pending'), 0) AS pending,
           COALESCE(SUM(state = 'running'), 0) AS running
         FROM lines`,
      )
      .one();
    return row;
  }

  /** True while any line is still pending or running (cheap: no counting). */
  unfinished(): boolean {
    return this.sql.exec<{ x: number }>("SELECT EXISTS (SELECT 1 FROM lines WHERE state IN ('pending', 'running')) AS x").one().x === 1;
  }

  /** Up to `want` lines due, first in input order, marked as running under `runId` (one statement). */
  claim(runId: string, now: number, want: number): ClaimedLine[] {
    return this.sql
      .exec<{ line_no: number; custom_id: string; offset: number; length: number; attempts: number }>(
        `UPDATE lines SET state = 'running', run_id = ?, attempts = attempts + 1
         WHERE line_no IN (SELECT line_no FROM lines INDEXED BY lines_claim
                           WHERE state = 'pending' AND not_before <= ? ORDER BY line_no LIMIT ?)
         RETURNING line_no, custom_id, offset, length, attempts`,
        runId,
        now,
        want,
      )
      .toArray()
      .sort((a, b) => a.line_no - b.line_no)
      .map((r) => ({ lineNo: r.line_no, customId: r.custom_id, offset: r.offset, length: r.length, attempt: r.attempts }));
  }

  /**
   * Records a final result: the output line, or the R2 object holding it (`spill`). Ignored, and false, when the
   * line is already done (a reclaimed line finishing twice).
   */
  finish(lineNo: number, ok: boolean, output: string, spill?: string): boolean {
    return (
      this.sql.exec(
        "UPDATE lines SET state = 'done', ok = ?, output = ?, spill = ?, run_id = NULL WHERE line_no = ? AND state != 'done'",
        ok ? 1 : 0,
        output,
        spill ?? null,
        lineNo,
      ).rowsWritten > 0
    );
  }

  /**
   * Puts a line back for a later attempt, keeping its latest output in case no attempt is left. Only the run holding
   * it may: a run presumed dead whose line another run holds by now leaves it to that one.
   */
  retry(lineNo: number, runId: string, notBefore: number, output: string): void {
    this.sql.exec(
      "UPDATE lines SET state = 'pending', run_id = NULL, not_before = ?, output = ? WHERE line_no = ? AND state = 'running' AND run_id = ?",
      notBefore,
      output,
      lineNo,
      runId,
    );
  }

  /** A claimed line that was never started goes back as it was (its attempt not counted), by the run holding it. */
  unclaim(lineNo: number, runId: string): void {
    this.sql.exec(
      "UPDATE lines SET state = 'pending', run_id = NULL, attempts = attempts - 1 WHERE line_no = ? AND state = 'running' AND run_id = ?",
      lineNo,
      runId,
    );
  }

  /** A done line whose output kept in R2 is gone: it ends as an error line after all (finalize). */
  lost(lineNo: number, output: string): void {
    this.sql.exec('UPDATE lines SET ok = 0, output = ?, spill = NULL WHERE line_no = ?', output, lineNo);
  }

  /** Lines held by runs that stopped reporting go back to pending. */
  release(isAlive: (runId: string) => boolean): number {
    const stale = this.sql
      .exec<{ run_id: string }>("SELECT DISTINCT run_id FROM lines WHERE state = 'running'")
      .toArray()
      .map((r) => r.run_id)
      .filter((id) => !isAlive(id));
    for (const id of stale) this.sql.exec("UPDATE lines SET state = 'pending', run_id = NULL WHERE state = 'running' AND run_id = ?", id);
    return stale.length;
  }

  /** Every line not done gets a final error output (cancelled or expired batches). */
  closeUnfinished(output: (customId: string) => string): void {
    const rows = this.sql.exec<{ line_no: number; custom_id: string }>("SELECT line_no, custom_id FROM lines WHERE state != 'done'").toArray();
    for (const r of rows) this.finish(r.line_no, false, output(r.custom_id));
  }

  /**
   * Output lines in input order, a page at a time (finalize streams them into R2): up to `limit` lines, and no more
   * than `maxBytes` of them unless the first alone is larger (the sizes are read first: `octet_length` reads the
   * stored size without loading the text, which `length(CAST(… AS BLOB))` would).
   */
  outputs(afterLine: number, limit: number, maxBytes: number): OutputRow[] {
    const sizes = this.sql
      .exec<{ line_no: number; n: number }>(
        "SELECT line_no, octet_length(output) AS n FROM lines WHERE line_no > ? AND state = 'done' ORDER BY line_no LIMIT ?",
        afterLine,
        limit,
      )
      .toArray();
    if (sizes.length === 0) return [];
    let last = sizes[0]!.line_no;
    let total = 0;
    for (const s of sizes) {
      total += s.n;
      if (total > maxBytes && s.line_no !== sizes[0]!.line_no) break;
      last = s.line_no;
    }
    return this.sql
      .exec<OutputRow>(
        "SELECT line_no, custom_id, ok, output, spill FROM lines WHERE line_no > ? AND line_no <= ? AND state = 'done' ORDER BY line_no",
        afterLine,
        last,
      )
      .toArray();
  }

  /** A line whose result could not be stored ends with an error line instead (it never stays running). */
  finishUnstored(lineNo: number, output: (customId: string) => string): void {
    const row = this.sql.exec<{ custom_id: string }>('SELECT custom_id FROM lines WHERE line_no = ?', lineNo).toArray()[0];
    if (row) this.finish(lineNo, false, output(row.custom_id));
  }

  nextDue(): number | undefined {
    const row = this.sql.exec<{ t: number | null }>("SELECT MIN(not_before) AS t FROM lines WHERE state = 'pending'").one();
    return row.t ?? undefined;
  }
}
