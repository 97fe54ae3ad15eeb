import type { CallContext } from './call-context';
import type { UpstreamResponse } from '../upstream/vllm/client';
import type { Usage } from '../upstream/usage';
import { answerOf, readJsonAnswer, type JsonAnswer } from './json-response';
import { callResponse, type CallFacts } from './response-headers';
import { UsageScanner } from './usage-scanner';

/**
 * Answers up to this size are read whole (their cost goes in x-litellm-response-cost); larger ones pass through as
 * they arrive. Holding an answer costs the isolate about twice its size (the bytes, then the string), and an
 * embeddings answer of 1,000 inputs at 4,096 dimensions is ~84 MiB: read whole it grew workerd by 189 MiB, past
 * the 128 MB an isolate may use, taking every request in the isolate down with it.
 */
export const WHOLE_ANSWER_BYTES = 1024 * 1024;

/** An answer too large to hold: what was read of it so far, and the rest still to read. */
export interface LargeAnswer {
  head: Uint8Array[];
  reader: ReadableStreamDefaultReader<Uint8Array>;
}

/**
 * Reads a JSON answer whole when it is small enough, else returns it to be relayed. A declared Content-Length (what
 * vLLM sends) decides without reading; without one, reading stops as soon as the bound is passed.
 */
export function openAnswer(upstream: UpstreamResponse): Promise<JsonAnswer | LargeAnswer> {
  const { headers } = upstream.response;
  // A compressed answer's Content-Length counts compressed bytes (the runtime decompresses): not a bound then.
  const declared = headers.has('content-encoding') ? null : headers.get('content-length');
  // The usual case, on the hot path: the runtime reads the body natively, and no promise of ours wraps it.
  if (declared !== null && Number(declared) <= WHOLE_ANSWER_BYTES) return readJsonAnswer(upstream);
  return readBounded(upstream, declared);
}

async function readBounded(upstream: UpstreamResponse, declared: string | null): Promise<JsonAnswer | LargeAnswer> {
  const { response } = upstream;
  const contentType = response.headers.get('content-type') ?? 'application/json';
  const reader = response.body?.getReader();
  if (!reader) {
    upstream.finish();
    return answerOf('', contentType);
  }
  if (declared !== null) return { head: [], reader };
  const head: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      head.push(value);
      size += value.byteLength;
      if (size > WHOLE_ANSWER_BYTES) return { head, reader };
    }
  } catch (err) {
    upstream.finish();
    throw upstream.mapReadError(err);
  }
  upstream.finish();
  const decoder = new TextDecoder();
  let text = '';
  for (const part of head) text += decoder.decode(part, { stream: true });
  return answerOf(text + decoder.decode(), contentType);
}

export const isLarge = (answer: JsonAnswer | LargeAnswer): answer is LargeAnswer => 'reader' in answer;

/**
 * Relays a large answer byte for byte while reading its usage on the way (usage-scanner.ts); `onEnd` books it
 * once the last byte is through, or with no usage when the upstream broke off or the client left. The headers are
 * LiteLLM's less x-litellm-response-cost, unknown until the end. A break is passed on as a broken body: a JSON
 * answer has no place for an error once it has started.
 */
export function relayLargeAnswer(
  c: CallContext,
  upstream: UpstreamResponse,
  answer: LargeAnswer,
  contentType: string,
  facts: CallFacts,
  extra: Record<string, string>,
  onEnd: (usage: Usage | undefined, complete: boolean) => void,
): Response {
  c.upstreamMs = upstream.headersMs;
  const scanner = new UsageScanner();
  const { head, reader } = answer;
  let ended = false;
  let first = true;
  let finished!: () => void;
  // Booking happens at the end of the body, which may come after the client has gone.
  c.waitUntil(new Promise<void>((resolve) => (finished = resolve)));
  const end = (usage: Usage | undefined, complete: boolean): void => {
    if (ended) return;
    ended = true;
    upstream.finish();
    try {
      onEnd(usage, complete);
    } finally {
      finished();
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const held = head.shift();
        if (held) {
          scanner.push(held);
          controller.enqueue(held);
          return;
        }
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          // Deadlines run while the gateway waits on the upstream, not while a slow client reads (keys' calls;
          // a master-key call's single deadline covers the whole exchange).
          upstream.reading();
          chunk = await reader.read();
        } catch (err) {
          end(scanner.end(), false);
          controller.error(upstream.mapReadError(err));
          return;
        }
        if (chunk.done) {
          controller.close();
          end(scanner.end(), true);
          return;
        }
        upstream.chunk(first);
        first = false;
        scanner.push(chunk.value);
        controller.enqueue(chunk.value);
      },
      async cancel(reason) {
        // The usage may have gone by already (the client left at the very end).
        end(scanner.end(), false);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return callResponse(c, body, upstream.response.status, contentType, facts, extra);
}
