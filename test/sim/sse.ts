import { setTimeout as sleep } from 'node:timers/promises';
import type { Reply } from './reply';

export interface SseOptions {
  chunkDelayMs: number;
  /** Wait after the headers, before the first event. */
  firstChunkDelayMs?: number;
  /** Destroy the socket after this many `data:` events ([DONE] counts as one). */
  cutAfterChunks?: number;
  /** Send vLLM's in-stream error event after this many events, then [DONE]. */
  errorAfterChunks?: number;
}

const DONE = '[DONE]';

// What vLLM sends when the engine fails after the 200 and the first chunks went out.
const MID_STREAM_ERROR = {
  error: { message: 'simulated mid-stream error', type: 'InternalServerError', param: null, code: 500 },
};

/** Waits `ms` unless the client leaves first; resolves false if it left. */
export async function pause(ms: number, reply: Reply): Promise<boolean> {
  if (ms > 0) await sleep(ms, undefined, { signal: reply.signal }).catch(() => undefined);
  return !reply.gone;
}

function frame(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/**
 * Streams `events` then `[DONE]` as Server-Sent Events, one socket write per event, honouring the
 * delay / cut / in-stream-error knobs. Stops quietly when the client disconnects.
 */
export async function writeSse(reply: Reply, events: readonly unknown[], opts: SseOptions): Promise<void> {
  reply.head(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  reply.res.flushHeaders();
  const sequence: unknown[] = [...events, DONE];
  for (const [sent, payload] of sequence.entries()) {
    if (!(await pause(sent > 0 ? opts.chunkDelayMs : (opts.firstChunkDelayMs ?? 0), reply))) return;
    if (sent === opts.cutAfterChunks) return reply.cut();
    if (sent === opts.errorAfterChunks) {
      if (!(await reply.write(frame(MID_STREAM_ERROR)))) return;
      if (!(await reply.write(frame(DONE)))) return;
      return reply.end();
    }
    if (!(await reply.write(frame(payload)))) return;
  }
  reply.end();
}
