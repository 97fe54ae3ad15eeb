import type { Deployment, RouterSettings } from '../deployments/schema';
import { busyCount } from './busy';
import { isCoolingDown } from './cooldown';
import { weightedPick } from './shuffle';

/**
 * The next deployment to try: one not tried yet and not cooling down, by the group's strategy. When every
 * deployment is cooling down, the group still gets one attempt rather than failing without trying.
 */
export function chooseDeployment(
  group: readonly Deployment[],
  tried: ReadonlySet<string>,
  strategy: RouterSettings['routing_strategy'],
  prefer?: string,
): Deployment | undefined {
  // A group of one (the common case) has nothing to choose between: cooling down or not, it gets its attempt.
  if (group.length === 1) return tried.has(group[0]!.model_info.id) ? undefined : group[0];
  const fresh = group.filter((d) => !tried.has(d.model_info.id));
  if (fresh.length === 0) return undefined;
  const healthy = fresh.filter((d) => !isCoolingDown(d.model_info.id));
  const preferred = prefer === undefined ? undefined : healthy.find((d) => d.model_info.id === prefer);
  if (preferred) return preferred;
  const pool = healthy.length > 0 ? healthy : fresh;
  if (strategy === 'least-busy') {
    let best = pool[0]!;
    for (const d of pool) if (busyCount(d.model_info.id) < busyCount(best.model_info.id)) best = d;
    return best;
  }
  return weightedPick(pool);
}
