/**
 * Deployment health as this isolate has seen it. A deployment that failed `allowed_fails` times within a minute is
 * skipped for `cooldown_time` seconds; some failures skip it at once (see retry-policy.ts). The state lives in
 * isolate memory: it is shared by the requests one isolate serves, not across isolates or locations (each learns on
 * its own within a few failed requests), and it costs no storage round trip on the hot path.
 */
const WINDOW_MS = 60_000;

const failures = new Map<string, number[]>();
const coolUntil = new Map<string, number>();

export const DEFAULT_ALLOWED_FAILS = 3;
export const DEFAULT_COOLDOWN_S = 5;

export function isCoolingDown(id: string, now = Date.now()): boolean {
  const until = coolUntil.get(id);
  if (until === undefined) return false;
  if (until > now) return true;
  coolUntil.delete(id);
  return false;
}

export function recordFailure(
  id: string,
  options: { allowedFails: number; cooldownMs: number; retryAfterMs?: number; immediate?: boolean },
  now = Date.now(),
): void {
  // An upstream that says when to come back (429/503 with Retry-After) is left alone at least that long.
  if (options.retryAfterMs) coolUntil.set(id, Math.max(coolUntil.get(id) ?? 0, now + options.retryAfterMs));
  // A failure that will not clear by itself (wrong key, model not served) or a 429 in a group skips the count. As
  // LiteLLM, its Retry-After, when sent, sets how long instead of cooldown_time.
  if (options.immediate) {
    coolUntil.set(id, Math.max(coolUntil.get(id) ?? 0, now + (options.retryAfterMs ?? options.cooldownMs)));
    failures.delete(id);
    return;
  }
  const recent = (failures.get(id) ?? []).filter((t) => t > now - WINDOW_MS);
  recent.push(now);
  if (recent.length >= options.allowedFails) {
    coolUntil.set(id, Math.max(coolUntil.get(id) ?? 0, now + options.cooldownMs));
    failures.delete(id);
    return;
  }
  failures.set(id, recent);
}

/** Test hook and admin aid: forget everything this isolate learned. */
export function resetCooldowns(): void {
  failures.clear();
  coolUntil.clear();
}
