import type { Caller } from '../auth/caller';
import type { Bindings } from '../env';
import type { CallContext } from './call-context';
import { ledger } from '../keys/ledger-client';
import * as outbox from '../keys/settlement-outbox';
import { GatewayError } from '../http/errors';
import { allowsModel, type KeyView } from '../keys/key-record';
import type { Admitted, RateSnapshot, Refusal, Settlement } from '../keys/ledger-types';

/** The ledger that books master-key calls: the operator's own traffic is accounted too, without limits. */
const MASTER_LEDGER = 'master';
/**
 * Settlements of the master key and of keys without budget, tpm or parallel limits share one ledger call per this
 * window and isolate (settlement-outbox.ts): no admission waits on them, so only spend logs and the key's spend
 * trail, by this much at most. Keys with those limits settle at once: their reservations hold until then.
 */
const SETTLE_WINDOW_MS = 100;

/** A request's account: who pays, what they may use, and what admission reported. */
export interface CallAccount {
  /** The name the spend log records: the key's sha256, or "master". */
  apiKey: string;
  admitted: Admitted | undefined;
  allows(group: string): boolean;
}

/** The master key's account: booked in its own ledger, never admitted or limited. */
export const MASTER_ACCOUNT: CallAccount = { apiKey: MASTER_LEDGER, admitted: undefined, allows: () => true };

/**
 * Admission: the one Durable Object round trip before the upstream call. It checks the key's live state (deleted,
 * blocked, expired), its model allowlist against the group actually used, budget and rate limits, and reserves
 * the request's worst case. Master-key calls need no admission.
 */
export async function admitCall(
  c: CallContext,
  group: string,
  estimate: () => { tokens: number; nanos: number },
): Promise<CallAccount> {
  const { caller } = c;
  if (caller.kind === 'master') return MASTER_ACCOUNT;
  const result = await ledger(c.env, caller.hash).admit({ requestId: c.requestId, group, estimate: estimate() });
  if (!result.ok) throw refusalError(result.refusal);
  const { admitted } = result;
  return { apiKey: caller.hash, admitted, allows: (g) => allowsModel(admitted.models, g) };
}

/**
 * For routes that answer from a key's record without admitting a request (/v1/models, /key/info, /spend/logs):
 * the record of a key that is still valid, or the same 401 an inference request would get.
 */
export async function liveKey(env: Bindings, caller: Caller): Promise<KeyView | undefined> {
  if (caller.kind === 'master') return undefined;
  const view = await ledger(env, caller.hash).view();
  if (!view) throw new GatewayError('unauthorized', 'Invalid API key');
  if (view.blocked) throw new GatewayError('unauthorized', 'This key is blocked; an admin can unblock it');
  if (view.expires && Date.parse(view.expires) <= Date.now()) {
    throw new GatewayError('expired_key', `This key expired at ${view.expires}`);
  }
  return view;
}

/**
 * Books the request in its ledger after the response, off the response path and even if the client has gone,
 * sharing the call with other settlements for the same ledger (settlement-outbox.ts). A batch line waits for its
 * own booking (it reports the line once its cost is in the ledger).
 */
export function settleCall(c: CallContext, account: CallAccount, settlement: Settlement): void {
  const windowMs = account.admitted?.settlePromptly ? 0 : SETTLE_WINDOW_MS;
  const pending = outbox.settle(c.env, account.apiKey, settlement, { windowMs, receipt: c.batch });
  if (pending) c.waitUntil(pending);
}

const RATE_TYPES = {
  requests: 'rpm_limit_exceeded',
  tokens: 'tpm_limit_exceeded',
  max_parallel_requests: 'max_parallel_requests_exceeded',
} as const;

export function refusalError(r: Refusal): GatewayError {
  const headers: Record<string, string> = { ...rateHeaders(r.rate) };
  if (r.retryAfterSeconds !== undefined) headers['retry-after'] = String(r.retryAfterSeconds);
  if (r.limitType) headers['rate_limit_type'] = r.limitType;
  switch (r.kind) {
    case 'rate_limited':
      return new GatewayError('rate_limited', r.message, { type: RATE_TYPES[r.limitType ?? 'requests'], headers });
    case 'budget_exceeded':
      return new GatewayError('budget_exceeded', r.message, { headers });
    case 'key_model_access_denied':
      return new GatewayError('key_model_access_denied', r.message, { param: 'model' });
    case 'expired_key':
      return new GatewayError('expired_key', r.message);
    case 'unauthorized':
      return new GatewayError('unauthorized', r.message);
  }
}

/** OpenAI's rate-limit headers, for keys that have limits. */
export function rateHeaders(rate: RateSnapshot | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const w = rate?.[kind];
    if (!w) continue;
    out[`x-ratelimit-limit-${kind}`] = String(w.limit);
    out[`x-ratelimit-remaining-${kind}`] = String(w.remaining);
    out[`x-ratelimit-reset-${kind}`] = `${w.resetSeconds}s`;
  }
  return out;
}
