import type { RoutingTable } from '../deployments/config-cache';
import type { Deployment } from '../deployments/schema';
import { fallbackGroups } from '../routing/fallbacks';
import type { ModelTarget } from '../routing/resolve';

/**
 * Every deployment a request for `target` may end on: its own group's, then those of the groups dispatch can fall
 * back to (`fallbacks` after failures, `context_window_fallbacks` after a context-length refusal), read with the
 * same fallbackGroups and, like dispatch, for the requested group only (a fallback's own fallbacks are not followed).
 * The key's allowlist is not known before admission, so groups it may not use are included: the bound stays an
 * upper bound, at the price of reserving a little more for such keys.
 */
export function reachableDeployments(table: RoutingTable, target: ModelTarget): readonly Deployment[] {
  const settings = table.config.router_settings;
  const afterFailure = fallbackGroups(settings.fallbacks, target.group);
  const afterTooLong = fallbackGroups(settings.context_window_fallbacks, target.group);
  // The common case (no fallbacks configured) allocates nothing more.
  if (afterFailure.length === 0 && afterTooLong.length === 0) return target.deployments;
  const out = [...target.deployments];
  // A pinned deployment's own group may be listed too: dispatch would follow it, so it counts.
  for (const name of new Set([...afterFailure, ...afterTooLong])) {
    const group = table.groups.get(name);
    if (group) out.push(...group);
  }
  return out;
}
