// Requests whose body breaks off mid-read (the client's connection dropped, or it sent less than its
// Content-Length). They go straight to the Worker's fetch handler: through a service binding (exports.default,
// SELF) the runtime re-frames the body and a break arrives as a clean, early end, which is not the same failure.
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import { MASTER_KEY } from './gateway';

/** Hands out `bytes` in chunks of `chunk`, then fails the way workerd fails a broken client body. */
export function breakingBody(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at < bytes.length) {
        controller.enqueue(bytes.slice(at, at + chunk));
        at += chunk;
      } else controller.error(new Error('Network connection lost.'));
    },
  });
}

/** A body that records how much of it was read and whether it was cancelled. */
export function watchedBody(bytes: Uint8Array, chunk = 64 * 1024): { body: ReadableStream<Uint8Array>; read(): number; cancelled(): boolean } {
  let at = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at = Math.min(bytes.length, at + chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, read: () => at, cancelled: () => cancelled };
}

export interface DirectInit {
  key?: string;
  headers?: Record<string, string>;
  body: ReadableStream<Uint8Array>;
  /** The Content-Length the client claims (the real body may be shorter). */
  contentLength?: number;
}

/** A POST with a streamed body, as a Request (to look at its body afterwards). */
export function directRequest(path: string, init: DirectInit): Request {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.key ?? MASTER_KEY}`);
  if (init.contentLength !== undefined) headers.set('content-length', String(init.contentLength));
  return new Request(`http://gateway.test${path}`, { method: 'POST', headers, body: init.body });
}

/** Hands a request to the Worker's own fetch handler in this isolate. */
export function sendDirect(request: Request): Promise<Response> {
  return Promise.resolve(worker.fetch(request, env, createExecutionContext()));
}

export function postDirect(path: string, init: DirectInit): Promise<Response> {
  return sendDirect(directRequest(path, init));
}

const encoder = new TextEncoder();

/** The boundary of FORM_TYPE (one-letter boundaries are refused by some parsers, undici's among them). */
export const B = 'gateway-test-boundary';
export const FORM_TYPE = `multipart/form-data; boundary=${B}`;

/** A multipart body from text and byte pieces (no closing delimiter unless a piece adds it). */
export function formBytes(...pieces: (string | Uint8Array)[]): Uint8Array {
  const parts = pieces.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
