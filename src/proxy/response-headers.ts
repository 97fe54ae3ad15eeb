import type { CallContext } from './call-context';
import { CALL_ID_HEADER } from '../http/request-context';

/** LiteLLM's response headers, so dashboards and scripts written against LiteLLM read the same values. */
export interface CallFacts {
  group: string;
  deploymentId: string;
  cost?: number;
  keySpend?: number;
  retries?: number;
  fallbacks?: number;
}

/** Headers that are the same for every answer of a deployment, per combination (see callResponse). */
const TEMPLATES = new Map<string, Headers>();
/** Combinations kept per isolate (deployments × content types × attempt counts): past it the cache starts over. */
const MAX_TEMPLATES = 256;

/**
 * A Response carrying LiteLLM's headers. Those that stay the same for every answer of a deployment (the content
 * type, for a stream `cache-control`, the group, the deployment id, the attempt counts) come from a Headers object
 * made once per isolate and combination, which the Response copies natively; only the call's own are set on it.
 * Converting and checking every header from a record on each answer cost 12–49k more workerd instructions per
 * request (of ~1,500k; bench:instr, three processes).
 */
export function callResponse(
  c: CallContext,
  body: BodyInit | null,
  status: number,
  contentType: string,
  facts: CallFacts,
  extra: Record<string, string>,
): Response {
  const response = new Response(body, { status, headers: template(contentType, facts) });
  const headers = response.headers;
  headers.set(CALL_ID_HEADER, c.requestId);
  if (facts.cost !== undefined) headers.set('x-litellm-response-cost', String(facts.cost));
  if (facts.keySpend !== undefined) headers.set('x-litellm-key-spend', String(facts.keySpend));
  for (const name of Object.keys(extra)) headers.set(name, extra[name]!);
  headers.set('x-litellm-overhead-duration-ms', String(Math.max(0, Date.now() - c.startedAt - c.upstreamMs)));
  return response;
}

/** A stream's content type: its answers also say `cache-control: no-cache`. */
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

function template(contentType: string, facts: CallFacts): Headers {
  const key = `${contentType}\u0000${facts.group}\u0000${facts.deploymentId}\u0000${facts.retries}\u0000${facts.fallbacks}`;
  let headers = TEMPLATES.get(key);
  if (headers) return headers;
  headers = new Headers({ 'content-type': contentType, 'x-litellm-model-group': facts.group, 'x-litellm-model-id': facts.deploymentId });
  if (contentType === SSE_CONTENT_TYPE) headers.set('cache-control', 'no-cache');
  if (facts.retries !== undefined) headers.set('x-litellm-attempted-retries', String(facts.retries));
  if (facts.fallbacks !== undefined) headers.set('x-litellm-attempted-fallbacks', String(facts.fallbacks));
  if (TEMPLATES.size >= MAX_TEMPLATES) TEMPLATES.clear();
  TEMPLATES.set(key, headers);
  return headers;
}
