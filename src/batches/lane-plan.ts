import type { Deployment } from '../deployments/schema';

/** One lane runs at most this many lines at once: an invocation may hold six outbound connections. */
export const LANE_SLOTS = 6;
/** Lines of a batch one deployment runs at once, unless its model_info.batch_concurrency says otherwise. */
export const DEFAULT_BATCH_CONCURRENCY = 8;

/** A lane and the deployment its lines go to first. */
export interface LanePlan {
  deployment: string;
  slots: number;
}

/**
 * Concurrency is per deployment: each gets lanes for its own `batch_concurrency`, and a lane's lines go to its
 * deployment first, so no vLLM server runs more batch lines than it was given. A failed attempt still moves to the
 * group's other deployments, like any request (a server that is down must not fail the lines assigned to it).
 */
export function planLanes(deployments: readonly Deployment[]): LanePlan[] {
  const plan: LanePlan[] = [];
  for (const d of deployments) {
    let left = d.model_info.batch_concurrency ?? DEFAULT_BATCH_CONCURRENCY;
    while (left > 0) {
      const slots = Math.min(LANE_SLOTS, left);
      plan.push({ deployment: d.model_info.id, slots });
      left -= slots;
    }
  }
  return plan;
}
