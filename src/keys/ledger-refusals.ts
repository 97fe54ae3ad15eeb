import { fromNanos, toNanos } from '../accounting/money';
import type { KeyRecord, RateSnapshot, Refusal } from './ledger-types';

/** What a key's ledger answers when admission refuses a request for its budget or a rate limit. */

/**
 * Spent out, or held by requests still in flight (their worst case is reserved until they settle). The second
 * case clears within moments, so it says so and asks for a retry after a second.
 */
export function budgetRefusal(
  key: { spendNanos: number; budgetResetAt: number | null },
  record: KeyRecord,
  reservedNanos: number,
  now: number,
  rate: RateSnapshot,
): Refusal {
  const spent = fromNanos(key.spendNanos);
  if (key.spendNanos >= toNanos(record.max_budget ?? 0)) {
    const resetIn = key.budgetResetAt ? Math.max(1, Math.ceil((key.budgetResetAt - now) / 1000)) : undefined;
    return {
      kind: 'budget_exceeded',
      message: `Budget has been exceeded! Current cost: ${spent}, Max budget: ${record.max_budget}`,
      ...(resetIn ? { retryAfterSeconds: resetIn } : {}),
      rate,
    };
  }
  return {
    kind: 'budget_exceeded',
    message:
      `Budget is held by requests in flight: spent ${spent} + reserved ${fromNanos(reservedNanos)} ` +
      `of max budget ${record.max_budget}; retry when they finish`,
    retryAfterSeconds: 1,
    rate,
  };
}

export function rateLimited(
  limitType: 'requests' | 'tokens' | 'max_parallel_requests',
  what: string,
  retryAfterSeconds: number,
  rate: RateSnapshot,
): Refusal {
  return {
    kind: 'rate_limited',
    message: `Rate limit exceeded for this key: ${what} reached. Limit type: ${limitType}`,
    limitType,
    // A window whose tokens are all reservations in flight resets "now": those clear as calls settle, so at least 1 s.
    retryAfterSeconds: Math.max(1, retryAfterSeconds),
    rate,
  };
}
