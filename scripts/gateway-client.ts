// A tiny client for the gateway's admin API, used by the start and config:push scripts.
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly masterKey: string,
  ) {}

  async request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.masterKey}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: res.status, json };
  }

  async post(path: string, value: unknown): Promise<unknown> {
    const { status, json } = await this.request('POST', path, JSON.stringify(value));
    if (status !== 200) throw new Error(`${path} → HTTP ${status}: ${errorMessage(json)}`);
    return json;
  }
}

export function errorMessage(json: unknown): string {
  const error = (json as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : JSON.stringify(json);
}

/** Polls until the gateway answers its liveness probe. */
export async function waitUntilLive(baseUrl: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('wrangler dev exited before the gateway came up (see its output above)');
    try {
      const res = await fetch(`${baseUrl}/health/liveliness`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the gateway did not answer at ${baseUrl} within ${timeoutMs / 1000} s`);
}
