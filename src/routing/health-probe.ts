import type { Bindings } from '../env';
import type { Deployment, RouterSettings } from '../deployments/schema';
import { GatewayError } from '../http/errors';
import { callUpstream } from '../upstream/vllm/client';
import { resolveTarget, type UpstreamTarget } from '../upstream/vllm/target';

const PROBE_TIMEOUT_S = 10;

export interface ProbeResult {
  model: string;
  model_name: string;
  model_id: string;
  mode: string;
  api_base: string | null;
  error?: string;
}

/** The smallest real request for each mode: proves the model answers, not only that the server is up. */
function minimalRequest(d: Deployment, served: string): { path: string; body: unknown } | undefined {
  switch (d.model_info.mode ?? 'chat') {
    case 'chat':
      return { path: '/v1/chat/completions', body: { model: served, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 } };
    case 'completion':
      return { path: '/v1/completions', body: { model: served, prompt: 'ping', max_tokens: 1 } };
    case 'embedding':
      return { path: '/v1/embeddings', body: { model: served, input: 'ping' } };
    case 'rerank':
      return { path: '/rerank', body: { model: served, query: 'ping', documents: ['ping'] } };
    case 'audio_transcription':
      return undefined;
  }
}

/** Where a deployment points, without credentials or query string, for people to recognise it. */
function displayBase(target: UpstreamTarget | undefined): string | null {
  if (!target) return null;
  try {
    const url = new URL(target.base);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/$/, '');
  } catch {
    return null;
  }
}

/** vLLM's `/health`, then a minimal request of the deployment's mode. */
export async function probe(d: Deployment, env: Bindings, settings: RouterSettings): Promise<ProbeResult> {
  const result: ProbeResult = {
    model: d.litellm_params.model,
    model_name: d.model_name,
    model_id: d.model_info.id,
    mode: d.model_info.mode ?? 'chat',
    api_base: null,
  };
  let target: UpstreamTarget | undefined;
  try {
    target = { ...resolveTarget(d, env, settings), timeoutMs: PROBE_TIMEOUT_S * 1000 };
    result.api_base = displayBase(target);
    const health = await callUpstream({ target, path: '/health', method: 'GET', stream: false });
    await health.response.body?.cancel();
    health.finish();
    const request = minimalRequest(d, target.servedModel);
    if (request) {
      const answer = await callUpstream({
        target,
        path: request.path,
        body: JSON.stringify(request.body),
        contentType: 'application/json',
        stream: false,
      });
      await answer.response.text();
      answer.finish();
    }
  } catch (err) {
    result.error = err instanceof GatewayError ? err.message : 'probe failed';
  }
  return result;
}

/**
 * An invocation holds at most six outbound connections and queues the rest, while each probe's timeout runs from
 * its start: probing every deployment at once would report healthy ones queued behind slow ones as timed out. So
 * six at a time, results in the deployments' order.
 */
const PROBES_AT_ONCE = 6;

export async function probeAll(deployments: readonly Deployment[], env: Bindings, settings: RouterSettings): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array<ProbeResult>(deployments.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < deployments.length) {
      const i = next++;
      results[i] = await probe(deployments[i]!, env, settings);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, deployments.length) }, worker));
  return results;
}
