import type { Deployment } from '../deployments/schema';

/** Token estimate made before the upstream answers: reserved at admission, used when a stream ends without usage. */
export interface TokenEstimate {
  promptTokens: number;
  /** The most the request may generate. */
  completionTokens: number;
}

/** Completion budget assumed when the request sets no max_tokens and the deployment declares no output limit. */
export const DEFAULT_MAX_COMPLETION_TOKENS = 4096;

/** About four characters per token for English text with common tokenizers: enough for a reservation. */
function textTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + (typeof v === 'number' ? 4 : textLength(v)), 0);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.text === 'string') return v.text.length;
    if (v.content !== undefined) return textLength(v.content);
  }
  return 0;
}

export function promptTokensOf(body: Record<string, unknown>): number {
  const chars =
    textLength(body.messages) + textLength(body.prompt) + textLength(body.input) + textLength(body.query) + textLength(body.documents);
  return textTokens(chars);
}

/** max_tokens (or max_completion_tokens) × n, else the deployment's declared output limit, else a default. */
export function completionTokensOf(body: Record<string, unknown>, deployments: readonly Deployment[]): number {
  const n = typeof body.n === 'number' && body.n > 0 ? body.n : 1;
  const asked = body.max_completion_tokens ?? body.max_tokens;
  if (typeof asked === 'number' && asked > 0) return asked * n;
  let declared = 0;
  for (const d of deployments) declared = Math.max(declared, d.model_info.max_output_tokens ?? d.model_info.max_tokens ?? 0);
  return (declared || DEFAULT_MAX_COMPLETION_TOKENS) * n;
}
