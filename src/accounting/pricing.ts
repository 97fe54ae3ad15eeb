import type { Deployment } from '../deployments/schema';
import type { Usage } from '../upstream/usage';
import { toNanos } from './money';

export interface Price {
  inputPerToken: number;
  outputPerToken: number;
  inputPerSecond: number;
  outputPerSecond: number;
}

/**
 * A deployment's price, from `litellm_params` or `model_info` (LiteLLM accepts both). Batch requests use the
 * `*_batches` prices, by default half the live price. Unpriced deployments cost 0.
 */
export function priceOf(d: Deployment, batch = false): Price {
  const p = d.litellm_params;
  const i = d.model_info;
  const input = p.input_cost_per_token ?? i.input_cost_per_token ?? 0;
  const output = p.output_cost_per_token ?? i.output_cost_per_token ?? 0;
  const perSecondIn = p.input_cost_per_second ?? i.input_cost_per_second ?? 0;
  const perSecondOut = p.output_cost_per_second ?? i.output_cost_per_second ?? 0;
  if (!batch) return { inputPerToken: input, outputPerToken: output, inputPerSecond: perSecondIn, outputPerSecond: perSecondOut };
  return {
    inputPerToken: p.input_cost_per_token_batches ?? i.input_cost_per_token_batches ?? input / 2,
    outputPerToken: p.output_cost_per_token_batches ?? i.output_cost_per_token_batches ?? output / 2,
    inputPerSecond: perSecondIn / 2,
    outputPerSecond: perSecondOut / 2,
  };
}

/**
 * Cost in nano-dollars: tokens at the token prices, plus audio seconds (transcriptions) at the per-second prices.
 * Capped at the largest exact integer ($9M): prices are bounded, but token counts come from the upstream.
 */
export function costNanos(price: Price, usage: Usage): number {
  const seconds = usage.seconds ?? 0;
  const nanos = toNanos(
    usage.prompt_tokens * price.inputPerToken +
      usage.completion_tokens * price.outputPerToken +
      seconds * (price.inputPerSecond + price.outputPerSecond),
  );
  return nanos <= Number.MAX_SAFE_INTEGER ? nanos : Number.MAX_SAFE_INTEGER;
}

/**
 * The most a request could cost on any of the deployments it may reach: what admission reserves against the budget.
 * Priced as the call will be billed (batch lines at batch prices), so the reservation matches the settlement.
 */
export function worstCaseNanos(deployments: readonly Deployment[], bound: Usage, batch = false): number {
  let worst = 0;
  for (const d of deployments) {
    const cost = costNanos(priceOf(d, batch), bound);
    if (cost > worst) worst = cost;
  }
  return worst;
}
