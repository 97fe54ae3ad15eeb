// Client for the vLLM simulator's control plane, usable from inside workerd (fetch only).
// Every call goes through the hub, so it works even while the instance refuses connections.
import type { SimConfig, SimConfigPatch, SimLogEntry, SimSpawned } from '../sim/types';

export type { SimConfig, SimConfigPatch, SimLogEntry } from '../sim/types';

export interface SimHandle {
  readonly id: string;
  /** Base URL of the instance (use `${url}/v1` as an OpenAI base URL). */
  readonly url: string;
  /** Merges `patch` into the instance config (`null` resets a field); resolves to the full config. */
  configure(patch: SimConfigPatch): Promise<SimConfig>;
  log(): Promise<SimLogEntry[]>;
  clearLog(): Promise<void>;
  /** Polls the log until `predicate` holds (e.g. an entry became `aborted`); throws after `timeoutMs`. */
  waitForLog(predicate: (log: SimLogEntry[]) => boolean, timeoutMs?: number): Promise<SimLogEntry[]>;
  close(): Promise<void>;
}

async function call(url: string, method: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`sim control ${method} ${url} → ${res.status}: ${await res.text()}`);
  return res;
}

async function callJson<T>(url: string, method: string, body?: unknown): Promise<T> {
  return (await (await call(url, method, body)).json()) as T;
}

async function callEmpty(url: string, method: string): Promise<void> {
  const res = await call(url, method);
  await res.body?.cancel();
}

/** Starts a fresh simulated vLLM server (own port, config and log) through the hub at `hubUrl`. */
export async function spawnSim(hubUrl: string, config: SimConfigPatch = {}): Promise<SimHandle> {
  const hub = hubUrl.replace(/\/+$/, '');
  const { id, url } = await callJson<SimSpawned>(`${hub}/_sim/instances`, 'POST', config);
  const base = `${hub}/_sim/instances/${encodeURIComponent(id)}`;
  const log = (): Promise<SimLogEntry[]> => callJson<SimLogEntry[]>(`${base}/log`, 'GET');
  return {
    id,
    url,
    configure: (patch) => callJson<SimConfig>(`${base}/config`, 'PATCH', patch),
    log,
    clearLog: () => callEmpty(`${base}/log`, 'DELETE'),
    async waitForLog(predicate, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const entries = await log();
        if (predicate(entries)) return entries;
        if (Date.now() > deadline) throw new Error(`sim ${id}: log condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => callEmpty(base, 'DELETE'),
  };
}
