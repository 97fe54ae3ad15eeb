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

/**
 * Adds LiteLLM's headers to `headers`. A plain record, turned into the Response's headers in one native call rather
 * than one per header (this runs on every response).
 */
export function applyCallHeaders(c: CallContext, headers: Record<string, string>, facts: CallFacts): Record<string, string> {
  headers[CALL_ID_HEADER] = c.requestId;
  headers['x-litellm-model-group'] = facts.group;
  headers['x-litellm-model-id'] = facts.deploymentId;
  if (facts.retries !== undefined) headers['x-litellm-attempted-retries'] = String(facts.retries);
  if (facts.fallbacks !== undefined) headers['x-litellm-attempted-fallbacks'] = String(facts.fallbacks);
  if (facts.cost !== undefined) headers['x-litellm-response-cost'] = String(facts.cost);
  if (facts.keySpend !== undefined) headers['x-litellm-key-spend'] = String(facts.keySpend);
  const overhead = Date.now() - c.startedAt - c.upstreamMs;
  headers['x-litellm-overhead-duration-ms'] = String(Math.max(0, overhead));
  return headers;
}
