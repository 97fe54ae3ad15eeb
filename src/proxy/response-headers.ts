import type { CallContext } from './call-context';

/** LiteLLM's response headers, so dashboards and scripts written against LiteLLM read the same values. */
export interface CallFacts {
  group: string;
  deploymentId: string;
  cost?: number;
  keySpend?: number;
  retries?: number;
  fallbacks?: number;
}

export function applyCallHeaders(c: CallContext, headers: Headers, facts: CallFacts): void {
  headers.set('x-litellm-model-group', facts.group);
  headers.set('x-litellm-model-id', facts.deploymentId);
  if (facts.retries !== undefined) headers.set('x-litellm-attempted-retries', String(facts.retries));
  if (facts.fallbacks !== undefined) headers.set('x-litellm-attempted-fallbacks', String(facts.fallbacks));
  if (facts.cost !== undefined) headers.set('x-litellm-response-cost', String(facts.cost));
  if (facts.keySpend !== undefined) headers.set('x-litellm-key-spend', String(facts.keySpend));
  const overhead = Date.now() - c.startedAt - c.upstreamMs;
  headers.set('x-litellm-overhead-duration-ms', String(Math.max(0, overhead)));
}
