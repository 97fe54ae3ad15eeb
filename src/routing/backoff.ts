import { GatewayError } from '../http/errors';

/** LiteLLM's backoff (the OpenAI SDK's): 0.5 s doubling up to 8 s, each pause cut by up to a quarter at random. */
const BASE_MS = 500;
const CAP_MS = 8_000;
/** A Retry-After up to this long is waited out as asked; a longer one is not taken at its word (as LiteLLM). */
const MAX_RETRY_AFTER_MS = 60_000;

/** The failed attempt's Retry-After (delay-seconds or an HTTP date), in ms; undefined when absent or not ahead. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  return retryAfterHeaderMs(err instanceof GatewayError ? err.options.headers?.['retry-after'] : undefined, now);
}

/** A Retry-After header's value (delay-seconds or an HTTP date), in ms; undefined when absent or not ahead. */
export function retryAfterHeaderMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return ms > 0 ? ms : undefined;
}

/**
 * The pause before retry number `retry` (1-based) of a request when it goes back to a deployment it already tried
 * (another deployment is tried at once): the deployment's Retry-After when it sent a reasonable one, else the
 * backoff, never less than router_settings `retry_after` (`minMs`).
 */
export function backoffMs(err: unknown, retry: number, minMs = 0, random: () => number = Math.random): number {
  const asked = retryAfterMs(err);
  if (asked !== undefined && asked <= MAX_RETRY_AFTER_MS) return Math.max(asked, minMs);
  // Counted as LiteLLM counts (`num_retries - remaining_retries`): the first two pauses are both the base.
  const exponent = Math.max(0, retry - 2);
  const ms = Math.min(BASE_MS * 2 ** exponent, CAP_MS) * (1 - 0.25 * random());
  return Math.max(ms, minMs);
}
