import type { CallContext } from './call-context';
import { tapSse, type StreamOutcome } from '../upstream/sse-tap';
import type { UpstreamResponse } from '../upstream/vllm/client';
import { GatewayError } from '../http/errors';
import { callResponse, SSE_CONTENT_TYPE, type CallFacts } from './response-headers';

/**
 * Streams an upstream SSE answer to the client as it arrives. The tap reads usage, turns a cut into an error event,
 * and reports the end, which is kept alive with waitUntil so a client that leaves early is still billed.
 */
export function streamResponse(
  c: CallContext,
  upstream: UpstreamResponse,
  facts: CallFacts,
  extraHeaders: Record<string, string>,
  options: {
    stripUsageChunk: boolean;
    mapEvent?: (event: Record<string, unknown>) => Record<string, unknown>[];
    onEnd(outcome: StreamOutcome): void;
  },
): Response {
  const { response } = upstream;
  c.upstreamMs = upstream.headersMs;
  let finished!: () => void;
  c.waitUntil(new Promise<void>((resolve) => (finished = resolve)));
  const body = tapSse(response.body ?? new ReadableStream(), {
    stripUsageChunk: options.stripUsageChunk,
    ...(options.mapEvent ? { mapEvent: options.mapEvent } : {}),
    onChunk: upstream.chunk,
    onRead: upstream.reading,
    describeError(err) {
      const mapped = upstream.mapReadError(err);
      return mapped instanceof GatewayError ? mapped.message : 'The upstream connection broke off mid-stream';
    },
    onEnd(outcome) {
      upstream.finish();
      try {
        options.onEnd(outcome);
      } finally {
        finished();
      }
    },
  });
  return callResponse(c, body, 200, SSE_CONTENT_TYPE, facts, extraHeaders);
}
