import type { CallContext } from './call-context';
import { currentRoutingTable, getRoutingTable } from '../deployments/config-cache';
import type { Deployment } from '../deployments/schema';
import { likelyPromptTokens } from '../accounting/estimate';
import { costNanos, priceOf } from '../accounting/pricing';
import { reachableDeployments } from '../accounting/reachable';
import { reservationOf } from '../accounting/reservation';
import { fromNanos } from '../accounting/money';
import { GatewayError } from '../http/errors';
import { isSubrequestLimit } from '../http/subrequest-limit';
import type { Settlement } from '../keys/ledger-types';
import { findModel, modelNotFound } from '../routing/resolve';
import { dispatch } from '../routing/dispatch';
import type { UpstreamTarget } from '../upstream/vllm/target';
import type { BuiltRequest } from './response-adapter';
import type { Usage } from '../upstream/usage';
import { admitCall, MASTER_ACCOUNT, rateHeaders, settleCall, type CallAccount } from './accounting';
import { UPSTREAM_PATH, type Endpoint } from './endpoint';
import { readJsonAnswer, type JsonAnswer } from './json-response';
import { isLarge, openAnswer, relayLargeAnswer } from './large-answer';
import { callResponse, type CallFacts } from './response-headers';
import { streamResponse } from './stream-response';

/** What an OpenAI route hands to the shared request path once it has parsed and validated its body. */
export interface InferenceRequest {
  endpoint: Endpoint;
  /** The model the client asked for: a model group or a deployment id. */
  model: string;
  stream: boolean;
  /** The gateway injected `stream_options.include_usage`; the usage chunk is removed before the client sees it. */
  stripUsageChunk: boolean;
  /** The parsed body, for the token estimate (empty for uploads). */
  body: Record<string, unknown>;
  /** A streamed upload: its declared size (Content-Length; undefined when chunked) bounds what admission reserves. */
  upload?: { bytes: number | undefined };
  /** Builds the upstream request for one deployment (called again for a retry on another one). */
  upstreamBody(target: UpstreamTarget, deployment: Deployment): BuiltRequest;
  /** Adjusts a JSON response before it is returned (rerank adds LiteLLM's `meta`). Default: forwarded untouched. */
  reshape?(value: Record<string, unknown>): Record<string, unknown>;
  /** False when the body can be sent only once (a streamed upload): no retries then. */
  replayable?: boolean;
  /** Final say over a complete answer (a transcription asked as text was fetched as JSON for its duration). */
  present?(answer: JsonAnswer): JsonAnswer;
  /** A deployment of the group to try first (a batch lane's own, so each deployment's batch_concurrency holds). */
  preferDeployment?: string;
}

/**
 * The request path shared by every inference route: resolve the model group → admit in the key's ledger →
 * dispatch to a deployment → answer (JSON or SSE) → settle the cost off the response path.
 */
export async function runInference(c: CallContext, req: InferenceRequest): Promise<Response> {
  // Awaits only when this isolate has no usable copy: each await is a turn of the event loop on the hot path.
  const table = currentRoutingTable() ?? (await getRoutingTable(c.env));
  const found = findModel(table, req.model);
  if (!found) throw modelNotFound(req.model);
  const target = req.preferDeployment ? { ...found, prefer: req.preferDeployment } : found;

  // The worst case on every deployment the call may reach (fallback groups included), at the prices it will be billed
  // at, is reserved at admission; master-key calls are not admitted, so it is not even computed for them.
  const account = c.caller.kind === 'master' ? MASTER_ACCOUNT : await admitCall(c, target.group, () => {
    const input = { endpoint: req.endpoint, body: req.body, batch: c.batch, ...(req.upload ? { upload: req.upload } : {}) };
    return reservationOf(input, reachableDeployments(table, target));
  });
  // A key's call must be booked even if its client leaves (its reservation and parallel slot wait for that, else for
  // their 15 min expiry): workerd ends a request when its client goes away, unless a waitUntil is pending. So the
  // call holds one until it is booked, and relays the client's signal to abort the upstream fetch meanwhile.
  // (The master key reserves nothing: its calls are not held, and a disconnected one leaves no spend-log row.)
  // A streamed upload relays the signal for any caller: a client body that breaks off must abort the upstream call
  // as the client's doing, not end as the deployment's failure (cooldown).
  const clientSignal = account.admitted || req.replayable === false ? c.clientSignal?.() : undefined;
  let release: (() => void) | undefined;
  if (clientSignal && account.admitted) c.waitUntil(new Promise<void>((resolve) => (release = resolve)));
  const startedAt = Date.now();
  const book = (deployment: Deployment | undefined, usage: Usage, ok: boolean, estimated: boolean, releaseOnly = false): void => {
    settleCall(c, account, {
      requestId: c.requestId,
      ...(releaseOnly ? { releaseOnly } : {}),
      group: target.group,
      deploymentId: deployment?.model_info.id ?? null,
      callType: req.endpoint,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      totalTokens: usage.total_tokens,
      nanos: deployment ? costNanos(priceOf(deployment, c.batch), usage) : 0,
      status: ok ? 'success' : 'failure',
      estimated,
      startedAt,
      endedAt: Date.now(),
    } satisfies Settlement);
    release?.();
  };

  let outcome;
  try {
    outcome = await dispatch(c, table, target, account, {
      path: UPSTREAM_PATH[req.endpoint],
      stream: req.stream,
      build: req.upstreamBody,
      replayable: req.replayable !== false,
      ...(clientSignal ? { signal: clientSignal } : {}),
    });
  } catch (err) {
    // Not sent: a batch line hands it back and runs it again under the same id, which a failure row would shadow.
    book(undefined, NO_USAGE, false, false, c.batch && isSubrequestLimit(err));
    throw withAccountHeaders(err, account);
  }
  const { deployment, upstream, adapter } = outcome;
  const facts: CallFacts = {
    group: outcome.group,
    deploymentId: deployment.model_info.id,
    retries: outcome.retries,
    fallbacks: outcome.fallbacks,
    ...(account.admitted ? { keySpend: account.admitted.spend } : {}),
  };
  const extra = rateHeaders(account.admitted?.rate);

  if ((upstream.response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return streamResponse(c, upstream, facts, extra, {
      stripUsageChunk: req.stripUsageChunk,
      ...(adapter ? { mapEvent: adapter.events() } : {}),
      onEnd(end) {
        const estimated = end.usage === undefined;
        const usage = end.usage ?? estimateUsage(likelyPromptTokens(req.body), Math.max(0, end.events - (req.endpoint === 'chat' ? 1 : 0)));
        book(deployment, usage, end.completed && !end.error, estimated);
      },
    });
  }
  let answer;
  try {
    // An answer the gateway must change is read whole; any other may be too large to hold (large-answer.ts).
    const reshape = reshapeWith(adapter?.json, req.reshape);
    const opened = reshape || req.present ? await readJsonAnswer(upstream, reshape) : await openAnswer(upstream);
    if (isLarge(opened)) {
      const contentType = upstream.response.headers.get('content-type') ?? 'application/json';
      return relayLargeAnswer(c, upstream, opened, contentType, facts, extra, (usage, complete) => {
        if (complete) book(deployment, usage ?? NO_USAGE, true, false);
        else if (usage) book(deployment, usage, false, false);
        else book(deployment, estimateUsage(likelyPromptTokens(req.body), 0), false, true);
      });
    }
    answer = req.present ? req.present(opened) : opened;
  } catch (err) {
    book(deployment, NO_USAGE, false, false);
    throw withAccountHeaders(err, account);
  }
  const usage = answer.usage ?? NO_USAGE;
  facts.cost = fromNanos(costNanos(priceOf(deployment, c.batch), usage));
  book(deployment, usage, true, false);
  c.upstreamMs = Date.now() - startedAt;
  return callResponse(c, answer.body, upstream.response.status, answer.contentType, facts, extra);
}

type Reshape = (value: Record<string, unknown>) => Record<string, unknown>;

function reshapeWith(first: Reshape | undefined, second: Reshape | undefined): Reshape | undefined {
  if (!first || !second) return first ?? second;
  return (value) => second(first(value));
}

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

function estimateUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Rate-limit headers belong on every response to a key with limits, failures included. */
function withAccountHeaders(err: unknown, account: CallAccount): unknown {
  if (!(err instanceof GatewayError) || !account.admitted) return err;
  const headers = { ...rateHeaders(account.admitted.rate), ...err.options.headers };
  return new GatewayError(err.kind, err.message, { ...err.options, headers });
}
