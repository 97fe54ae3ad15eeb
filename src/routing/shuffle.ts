import type { Deployment } from '../deployments/schema';

/**
 * LiteLLM's simple-shuffle: pick at random, weighted by `weight`, else `rpm`, else `tpm`, else uniformly. The first
 * of those fields that any candidate sets decides the weighting for the whole group.
 */
export function weightOf(d: Deployment, field: 'weight' | 'rpm' | 'tpm' | undefined): number {
  if (!field) return 1;
  return d.litellm_params[field] ?? 0;
}

export function weightField(candidates: readonly Deployment[]): 'weight' | 'rpm' | 'tpm' | undefined {
  for (const field of ['weight', 'rpm', 'tpm'] as const) {
    if (candidates.some((d) => d.litellm_params[field] !== undefined)) return field;
  }
  return undefined;
}

export function weightedPick(candidates: readonly Deployment[], random: () => number = Math.random): Deployment {
  const field = weightField(candidates);
  let total = 0;
  for (const d of candidates) total += weightOf(d, field);
  if (total <= 0) return candidates[Math.floor(random() * candidates.length)]!;
  let point = random() * total;
  for (const d of candidates) {
    point -= weightOf(d, field);
    if (point < 0) return d;
  }
  return candidates[candidates.length - 1]!;
}
