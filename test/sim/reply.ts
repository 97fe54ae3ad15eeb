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
    this.send(status, JSON.stringify(body), 'application/json', headers);
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
