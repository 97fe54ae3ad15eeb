import type { KeyRecord, KeyView } from './key-record';

/** What the request path asks a key's ledger before calling upstream: one round trip. */
export interface AdmitRequest {
  requestId: string;
  /** The model group the request will use (already resolved from body, query, header or id). */
  group: string;
  /** Worst-case tokens and cost, reserved until the request settles. */
  estimate: { tokens: number; nanos: number };
}

export interface WindowSnapshot {
  limit: number;
  remaining: number;
  /** Seconds until the window frees capacity again. */
  resetSeconds: number;
}

export interface RateSnapshot {
  requests?: WindowSnapshot;
  tokens?: WindowSnapshot;
}

export type RefusalKind = 'unauthorized' | 'expired_key' | 'key_model_access_denied' | 'budget_exceeded' | 'rate_limited';

export interface Refusal {
  kind: RefusalKind;
  message: string;
  /** LiteLLM's `rate_limit_type` header value. */
  limitType?: 'requests' | 'tokens' | 'max_parallel_requests';
  retryAfterSeconds?: number;
  rate?: RateSnapshot;
}

export interface Admitted {
  /** The key's allowlist, so fallbacks can be checked without another round trip. */
  models: string[];
  /** Spend before this request (LiteLLM's x-litellm-key-spend). */
  spend: number;
  rate: RateSnapshot;
  /** The key has a budget, tpm or parallel limit: its admissions count on settlements landing at once. */
  settlePromptly: boolean;
}

export type AdmitResult = { ok: true; admitted: Admitted } | { ok: false; refusal: Refusal };

/** Settlements for one ledger, booked in one call (see settlement-outbox.ts). */
export interface SettledBatch {
  /** The spend log's `api_key`: the ledger's own name (the key's sha256, or "master"). */
  apiKey: string;
  items: Settlement[];
}

/** One spend-log row: written once per request id, whatever happens to the request. */
export interface Settlement {
  requestId: string;
  /**
   * Frees the request's reservation and books nothing: it was never sent and runs again under the same id (a batch
   * line handed back when its invocation reached the subrequest limit), so a row now would shadow the real one.
   */
  releaseOnly?: boolean;
  group: string;
  deploymentId: string | null;
  callType: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  nanos: number;
  status: 'success' | 'failure';
  /** Usage was estimated (a stream that ended without its usage chunk). */
  estimated: boolean;
  startedAt: number;
  endedAt: number;
}

export interface SpendLogRow {
  request_id: string;
  api_key: string;
  call_type: string;
  model_group: string;
  model_id: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  spend: number;
  status: string;
  usage_estimated: boolean;
  startTime: string;
  endTime: string;
}

export interface UsageBucket {
  /** Bucket start, ms since epoch. */
  t: number;
  model_group: string;
  spend: number;
  requests: number;
}

export interface SpendLogQuery {
  requestId?: string;
  from?: number;
  to?: number;
  limit: number;
}

export type LedgerStatus = 'active' | 'deleted' | 'regenerated';

export type { KeyRecord, KeyView };

/**
 * What a regenerated key's ledger hands its successor, taken in one synchronous step (`KeyLedger.handOver`): every
 * admission before it is here (spend, or a reservation still in flight), every settlement after it is forwarded.
 */
export interface Handover {
  record: KeyRecord;
  spendNanos: number;
  budgetResetAt: number | null;
  /** Requests admitted and not settled yet: they keep counting against budget, tpm and parallel limits. */
  reservations: { requestId: string; nanos: number; tokens: number; at: number }[];
  /** The last minute of the rpm and tpm windows, as [time, weight] events. */
  requests: [number, number][];
  tokens: [number, number][];
}
