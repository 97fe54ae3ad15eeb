import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import type { Deployment, GatewayConfig, RouterSettings } from './schema';
import { CONFIG_KV_KEY } from './config-cache';

/** KV allows one write per second per key; bursts of admin changes are coalesced into one snapshot write. */
const KV_WRITE_INTERVAL_MS = 1000;

/**
 * The single writer of the routing table. Admin changes are serialised here (no lost updates between concurrent
 * admin calls, imports are all-or-nothing) and published to KV as one snapshot that every isolate reads and caches.
 * Storage: SQLite tables `deployments` and `meta` (docs/storage.md).
 */
export class ConfigStore extends DurableObject<Bindings> {
  private lastKvWrite = 0;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS deployments (
      id TEXT PRIMARY KEY, model_name TEXT NOT NULL, body TEXT NOT NULL, position INTEGER NOT NULL)`);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  snapshot(): GatewayConfig {
    const sql = this.ctx.storage.sql;
    const deployments = sql
      .exec<{ body: string }>('SELECT body FROM deployments ORDER BY position')
      .toArray()
      .map((row) => JSON.parse(row.body) as Deployment);
    return {
      version: Number(this.meta('version') ?? 0),
      updated_at: this.meta('updated_at') ?? new Date(0).toISOString(),
      deployments,
      router_settings: JSON.parse(this.meta('router_settings') ?? '{}') as RouterSettings,
    };
  }

  /** Adds or replaces deployments by id; with `replace`, the given list becomes the whole table. */
  async upsert(
    deployments: Deployment[],
    options: { replace?: boolean; routerSettings?: RouterSettings } = {},
  ): Promise<GatewayConfig> {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      if (options.replace) sql.exec('DELETE FROM deployments');
      let position = sql.exec<{ p: number }>('SELECT COALESCE(MAX(position), 0) AS p FROM deployments').one().p;
      for (const d of deployments) {
        const existing = sql.exec<{ position: number }>('SELECT position FROM deployments WHERE id = ?', d.model_info.id);
        const keep = existing.toArray()[0]?.position;
        sql.exec(
          'INSERT OR REPLACE INTO deployments (id, model_name, body, position) VALUES (?, ?, ?, ?)',
          d.model_info.id,
          d.model_name,
          JSON.stringify(d),
          keep ?? ++position,
        );
      }
      if (options.routerSettings) this.setMeta('router_settings', JSON.stringify(options.routerSettings));
      this.bumpVersion();
    });
    return this.publish();
  }

  /** The stored JSON of one deployment, or null: what an update merges into and then expects to replace. */
  body(id: string): string | null {
    return this.ctx.storage.sql.exec<{ body: string }>('SELECT body FROM deployments WHERE id = ?', id).toArray()[0]?.body ?? null;
  }

  /** Adds a deployment under a new id; an id already in the table is left as it is (LiteLLM's primary key). */
  async add(deployment: Deployment): Promise<{ added: boolean; config: GatewayConfig }> {
    const sql = this.ctx.storage.sql;
    const added = this.ctx.storage.transactionSync((): boolean => {
      if (this.body(deployment.model_info.id) !== null) return false;
      const position = sql.exec<{ p: number }>('SELECT COALESCE(MAX(position), 0) AS p FROM deployments').one().p + 1;
      sql.exec(
        'INSERT INTO deployments (id, model_name, body, position) VALUES (?, ?, ?, ?)',
        deployment.model_info.id,
        deployment.model_name,
        JSON.stringify(deployment),
        position,
      );
      this.bumpVersion();
      return true;
    });
    return { added, config: added ? await this.publish() : this.snapshot() };
  }

  /**
   * Replaces a deployment (same id, same position) if it still holds `expected`, the body the caller merged from:
   * a concurrent change is reported rather than overwritten.
   */
  async replace(expected: string, next: Deployment): Promise<{ outcome: 'replaced' | 'missing' | 'changed'; config: GatewayConfig }> {
    const id = next.model_info.id;
    const outcome = this.ctx.storage.transactionSync((): 'replaced' | 'missing' | 'changed' => {
      const current = this.body(id);
      if (current === null) return 'missing';
      if (current !== expected) return 'changed';
      this.ctx.storage.sql.exec('UPDATE deployments SET model_name = ?, body = ? WHERE id = ?', next.model_name, JSON.stringify(next), id);
      this.bumpVersion();
      return 'replaced';
    });
    return { outcome, config: outcome === 'replaced' ? await this.publish() : this.snapshot() };
  }

  async remove(id: string): Promise<{ deleted: boolean; config: GatewayConfig }> {
    const sql = this.ctx.storage.sql;
    let deleted = false;
    this.ctx.storage.transactionSync(() => {
      deleted = sql.exec('DELETE FROM deployments WHERE id = ?', id).rowsWritten > 0;
      if (deleted) this.bumpVersion();
    });
    return { deleted, config: deleted ? await this.publish() : this.snapshot() };
  }

  override async alarm(): Promise<void> {
    await this.writeKv(this.snapshot());
  }

  private async publish(): Promise<GatewayConfig> {
    const snapshot = this.snapshot();
    const wait = this.lastKvWrite + KV_WRITE_INTERVAL_MS - Date.now();
    if (wait > 0) {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + wait);
    } else {
      try {
        await this.writeKv(snapshot);
      } catch {
        // KV refused (rate limit or outage): the alarm retries with whatever the table holds then.
        await this.ctx.storage.setAlarm(Date.now() + KV_WRITE_INTERVAL_MS);
      }
    }
    return snapshot;
  }

  private async writeKv(snapshot: GatewayConfig): Promise<void> {
    this.lastKvWrite = Date.now();
    await this.env.GATEWAY_KV.put(CONFIG_KV_KEY, JSON.stringify(snapshot));
  }

  private bumpVersion(): void {
    this.setMeta('version', String(Number(this.meta('version') ?? 0) + 1));
    this.setMeta('updated_at', new Date().toISOString());
  }

  private meta(name: string): string | undefined {
    return this.ctx.storage.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE name = ?', name)
      .toArray()[0]?.value;
  }

  private setMeta(name: string, value: string): void {
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)', name, value);
  }
}
