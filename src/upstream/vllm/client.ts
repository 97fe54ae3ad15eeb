import { GatewayError } from '../../http/errors';
import { isSubrequestLimit, subrequestLimitError } from '../../http/subrequest-limit';
import { Watchdog } from '../watchdog';
import type { UpstreamTarget } from './target';
import { upstreamError } from './upstream-error';

export interface UpstreamCall {
  target: UpstreamTarget;
  /** Path under the server root, e.g. `/v1/chat/completions` or `/rerank`. */
  path: string;
  method?: 'GET' | 'POST';
  body?: BodyInit | null;
  contentType?: string;
  stream: boolean;
  /**
   * A signal that aborts the call (the client went away; see CallContext.clientSignal). Without one, an HTTP
   * request's own calls are cancelled by workerd when its client goes away.
   */
  signal?: AbortSignal;
  /**
   * The call serves an HTTP request, whose pending timers end with it. Elsewhere (a Durable Object running batch
   * lines lives on) the call's timer is cleared when the call is over.
   */
  inRequest?: boolean;
  /** Called once when the exchange is over (body read, stream ended, or failed). */
  onFinish?(): void;
}

/** A 2xx upstream response; the caller reports streamed chunks and the end so timeouts and busy counts stay right. */
export interface UpstreamResponse {
  response: Response;
  /** A streamed chunk arrived: after the first, the limit becomes the idle time allowed between chunks. */
  chunk(first: boolean): void;
  /** A read of the next streamed chunk began: the idle limit runs only while one is awaited. */
  reading(): void;
  /** The exchange is over: stops the timer and releases the deployment. Safe to call twice. */
  finish(): void;
  /** Turns our timeout's abort while reading the body into a GatewayError; anything else is returned as it is. */
  mapReadError(err: unknown): unknown;
  /** Milliseconds from sending the request to the response headers (a stream's: to its first chunk). */
  headersMs: number;
}

/** Thrown when the caller's signal aborted the call (the client went away). */
export class ClientGone extends GatewayError {
  constructor() {
    super('client_gone', 'The client closed the request before the answer');
  }
}

export async function callUpstream(call: UpstreamCall): Promise<UpstreamResponse> {
  const { target } = call;
  // A JSON call of a request with nothing to relay has one limit for the whole exchange: a native timeout signal, no
  // timer of ours to set and clear (the two calls cost more than the rest of this function). A stream's limit
  // changes after its first chunk, a call outside a request must not leave its timer behind, and a relayed signal
  // needs a controller to abort: those get a controller and a watchdog.
  const controller = call.stream || !call.inRequest || call.signal ? new AbortController() : undefined;
  const firstLimit = call.stream ? target.streamTimeoutMs : target.timeoutMs;
  const watchdog = controller ? new Watchdog(firstLimit, () => controller.abort()) : undefined;
  const signal = controller ? controller.signal : AbortSignal.timeout(target.timeoutMs);
  // The caller's signal is relayed by a listener rather than `AbortSignal.any` (~15 µs per call here).
  const relay = (): void => controller?.abort(new ClientGone());
  if (call.signal?.aborted) relay();
  else call.signal?.addEventListener('abort', relay);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    watchdog?.stop();
    call.signal?.removeEventListener('abort', relay);
    call.onFinish?.();
  };
  const headers: Record<string, string> = { accept: call.stream ? 'text/event-stream' : 'application/json' };
  if (call.contentType) headers['content-type'] = call.contentType;
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;

  // Once a stream has sent its first chunk, the limit running is the idle time between chunks (`timeout`).
  let streaming = false;
  const mapReadError = (err: unknown): unknown => {
    if (!signal.aborted) return err;
    if (signal.reason instanceof ClientGone) return signal.reason;
    const id = target.deploymentId;
    const message = streaming
      ? `Deployment '${id}' sent nothing for ${seconds(target.timeoutMs)} s mid-stream`
      : `Deployment '${id}' did not answer within ${seconds(firstLimit)} s`;
    return new GatewayError('upstream_timeout', message);
  };

  const sent = Date.now();
  let response: Response;
  try {
    response = await fetch(target.base + call.path, {
      method: call.method ?? 'POST',
      headers,
      body: call.body ?? null,
      signal,
    });
  } catch (err) {
    finish();
    const mapped = mapReadError(err);
    if (mapped !== err) throw mapped;
    if (isSubrequestLimit(err)) throw subrequestLimitError();
    throw new GatewayError('upstream_unreachable', `Deployment '${target.deploymentId}' could not be reached`);
  }
  if (!response.ok) {
    try {
      throw await upstreamError(response, target.deploymentId, target.apiKey);
    } finally {
      finish();
    }
  }
  if (call.stream && response.body) {
    // vLLM sends a stream's headers at once and its first token after queueing and prefill: the deployment has
    // answered only once the first chunk is here. Until then a timeout or a broken stream is still a failed
    // attempt (retried elsewhere, counted for cooldown) rather than an error event inside a 200.
    const reader = response.body.getReader();
    let first: ReadableStreamReadResult<Uint8Array>;
    try {
      first = await reader.read();
    } catch (err) {
      finish();
      const mapped = mapReadError(err);
      if (mapped !== err) throw mapped;
      throw new GatewayError('upstream_unreachable', `Deployment '${target.deploymentId}' broke off before its first chunk`);
    }
    if (first.done) {
      finish();
      throw new GatewayError('upstream_unreachable', `Deployment '${target.deploymentId}' ended its stream without sending anything`);
    }
    response = new Response(startingWith(first.value, reader), { status: response.status, headers: response.headers });
  }
  const chunk = (first: boolean): void => {
    if (!watchdog) return;
    if (first) {
      streaming = true;
      watchdog.reset(target.timeoutMs);
    }
    watchdog.pause();
  };
  const reading = watchdog ? (): void => watchdog.resume() : noop;
  return { response, chunk, reading, finish, mapReadError, headersMs: Date.now() - sent };
}

const noop = (): void => undefined;

/** A limit as operators configure it (litellm_params timeouts are seconds), fractions kept. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** The stream again, with the chunk already read put back in front. */
function startingWith(head: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let pending: Uint8Array | undefined = head;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
