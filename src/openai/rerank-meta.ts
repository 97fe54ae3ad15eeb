/** Cohere-style clients (LiteLLM's rerank users) read `meta.billed_units.total_tokens`; vLLM reports `usage.total_tokens`. */
export function addBilledUnits(value: Record<string, unknown>): Record<string, unknown> {
  const usage = value.usage as { total_tokens?: unknown } | undefined;
  const total = typeof usage?.total_tokens === 'number' ? usage.total_tokens : 0;
  const meta = (value.meta && typeof value.meta === 'object' ? value.meta : {}) as Record<string, unknown>;
  return { ...value, meta: { ...meta, billed_units: { total_tokens: total } } };
}
