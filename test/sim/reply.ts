import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { SimLogEntry } from './types';

/** An error rendered in vLLM's envelope; handlers throw it, the dispatcher renders it once. */
export class VllmError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: string = errorType(status),
  ) {
    super(message);
  }
}

/** vLLM names error types after the HTTP phrase: 400 → BadRequestError, 500 → InternalServerError. */
export function errorType(status: number): string {
  const phrase = (STATUS_CODES[status] ?? 'Unknown').replace(/[^A-Za-z ]/g, '');
  const pascal = phrase
    .split(' ')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : ''))
    .join('');
  return pascal.endsWith('Error') ? pascal : `${pascal}Error`;
}

export function errorBody(err: VllmError): { error: Record<string, unknown> } {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.status } };
}

/**
 * One HTTP response and its bookkeeping: keeps the request's log entry up to date (status,
 * completed, aborted) and exposes an AbortSignal that fires when the client goes away.
 */
export class Reply {
  readonly signal: AbortSignal;
  private cutByServer = false;
  /** How JSON answers go out (set for inference routes from the knobs): chunked, and maybe cut after N bytes. */
  jsonDelivery: { chunked: boolean; cutAfterBytes?: number } = { chunked: false };

  constructor(
    readonly res: ServerResponse,
    private readonly entry?: SimLogEntry,
  ) {
    const gone = new AbortController();
    this.signal = gone.signal;
    res.on('finish', () => {
      if (this.entry) this.entry.completed = true;
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      if (this.entry && !this.cutByServer) this.entry.aborted = true;
      gone.abort();
    });
  }

  /** True once the connection is closed; writing is pointless then. */
  get gone(): boolean {
    return this.signal.aborted || this.res.destroyed;
  }

  head(status: number, headers: OutgoingHttpHeaders = {}): void {
    this.res.writeHead(status, headers);
    if (this.entry) this.entry.status = status;
  }

  send(status: number, body: string, contentType: string | null, headers: OutgoingHttpHeaders = {}): void {
    if (this.gone || this.res.headersSent) return;
    const bytes = Buffer.from(body, 'utf8');
    this.head(status, {
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(status === 204 ? {} : { 'content-length': bytes.length }),
      ...headers,
    });
    this.res.end(bytes);
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (status === 200 && this.jsonDelivery.chunked) return this.sendChunked(JSON.stringify(body), headers);
    this.send(status, JSON.stringify(body), 'application/json', headers);
  }

  /** A JSON answer in 64 KiB writes without Content-Length; with `cutAfterBytes`, the socket dies after that many. */
  private sendChunked(body: string, headers: OutgoingHttpHeaders): void {
    if (this.gone || this.res.headersSent) return;
    const bytes = Buffer.from(body, 'utf8');
    const { cutAfterBytes } = this.jsonDelivery;
    this.head(200, { 'content-type': 'application/json', ...headers });
    if (cutAfterBytes === undefined) {
      for (let at = 0; at < bytes.length; at += 65536) this.res.write(bytes.subarray(at, at + 65536));
      this.res.end();
      return;
    }
    const end = Math.min(cutAfterBytes, bytes.length);
    for (let at = 0; at < end; at += 65536) {
      const last = at + 65536 >= end;
      // The socket dies once the last piece has reached it: the client sees a truncated body.
      this.res.write(bytes.subarray(at, Math.min(end, at + 65536)), last ? () => this.cut() : undefined);
    }
    if (end === 0) this.cut();
  }

  error(err: VllmError, headers: OutgoingHttpHeaders = {}): void {
    this.json(err.status, errorBody(err), headers);
  }

  /** Writes one piece and resolves once it reached the socket; false if the client is gone. */
  write(data: string): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onGone = (): void => resolve(false);
      this.signal.addEventListener('abort', onGone, { once: true });
      this.res.write(data, (err) => {
        this.signal.removeEventListener('abort', onGone);
        resolve(!err && !this.gone);
      });
    });
  }

  end(): void {
    if (!this.gone) this.res.end();
  }

  /** Kills the connection mid-response: no terminating chunk, the client sees a truncated body. */
  cut(): void {
    this.cutByServer = true;
    this.res.socket?.destroy();
  }
}
