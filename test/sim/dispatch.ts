// The pipeline of one simulated-vLLM request: log → body → auth → route → knobs → handler.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteContext } from './context';
import { readKnobs } from './knobs';
import { recordBody, type RequestLog } from './log';
import { isMultipart, parseMultipart } from './multipart';
import { Reply, VllmError } from './reply';
import { findRoute } from './routes';
import { pause } from './sse';
import type { SimConfig } from './types';

export interface DispatchTarget {
  readonly config: SimConfig;
  readonly requestLog: RequestLog;
  /** Consumes one pending `failNext`; true when this request must fail. */
  takeFailNext(): boolean;
}

/** The whole body, or undefined when the client went away before sending all of it. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(req.complete ? Buffer.concat(chunks) : undefined));
  });
}

function retryAfter(config: SimConfig, status: number): OutgoingHttpHeaders {
  if (config.retryAfterSeconds === undefined || (status !== 429 && status !== 503)) return {};
  return { 'retry-after': String(config.retryAfterSeconds) };
}

function authorized(config: SimConfig, req: IncomingMessage, path: string): boolean {
  // vLLM's --api-key middleware only guards /v1 paths; /health, /version and /rerank stay open.
  if (config.apiKey === undefined || !path.startsWith('/v1')) return true;
  return req.headers.authorization === `Bearer ${config.apiKey}`;
}

export async function dispatch(target: DispatchTarget, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const entry = target.requestLog.start(req, url);
  const reply = new Reply(res, entry);
  const body = await readBody(req);
  if (!body) return;
  const contentType = req.headers['content-type'];
  const form = isMultipart(contentType) ? await parseMultipart(body, contentType) : undefined;
  recordBody(entry, body, form);

  const config = target.config;
  if (!authorized(config, req, url.pathname)) return reply.json(401, { error: 'Unauthorized' });
  const route = findRoute(req.method ?? 'GET', url.pathname);
  if (route === undefined) return reply.json(404, { detail: 'Not Found' });
  if (route === 'method') return reply.json(405, { detail: 'Method Not Allowed' });

  const knobs = readKnobs(config, req.headers);
  if (route.inference) {
    if (knobs.chunkedJson || knobs.cutJsonAfterBytes !== undefined) {
      reply.jsonDelivery = { chunked: true, ...(knobs.cutJsonAfterBytes !== undefined ? { cutAfterBytes: knobs.cutJsonAfterBytes } : {}) };
    }
    // Decide the failure on arrival, so concurrent requests consume `failNext` in arrival order.
    const failStatus = knobs.status ?? (target.takeFailNext() ? (config.failNextStatus ?? 500) : undefined);
    if (!(await pause(knobs.latencyMs, reply))) return;
    if (failStatus !== undefined) {
      return reply.error(new VllmError(failStatus, 'simulated failure'), retryAfter(config, failStatus));
    }
  }

  const ctx: RouteContext = { config, knobs, reply, body, ...(form ? { form } : {}) };
  try {
    await route.handler(ctx);
  } catch (err) {
    // Once a stream started there is no way to report an error but to drop the connection.
    if (res.headersSent) return reply.cut();
    if (err instanceof VllmError) return reply.error(err);
    console.error('[vllm-sim] handler failed:', err);
    reply.error(new VllmError(500, err instanceof Error ? err.message : String(err)));
  }
}
