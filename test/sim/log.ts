import type { IncomingMessage } from 'node:http';
import { formSummary, sha256Hex, type ParsedForm } from './multipart';
import type { SimLogEntry } from './types';

/** An instance's request log. Entries are live objects: updated while the response proceeds. */
export class RequestLog {
  readonly entries: SimLogEntry[] = [];
  private seq = 0;

  /** Appends an entry as soon as the request line and headers arrived. */
  start(req: IncomingMessage, url: URL): SimLogEntry {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const entry: SimLogEntry = {
      seq: ++this.seq,
      time: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers,
      body: '',
      bodyBytes: 0,
      bodySha256: sha256Hex(new Uint8Array()),
      status: 0,
      completed: false,
      aborted: false,
    };
    this.entries.push(entry);
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Fills in the body once it was read in full. */
export function recordBody(entry: SimLogEntry, body: Buffer, form: ParsedForm | undefined): void {
  entry.body = body.toString('utf8');
  entry.bodyBytes = body.length;
  entry.bodySha256 = sha256Hex(body);
  if (form) entry.form = formSummary(form);
  else if (body.length > 0) {
    try {
      entry.json = JSON.parse(entry.body) as unknown;
    } catch {
      // Not JSON: the raw body is still in `body`.
    }
  }
}
