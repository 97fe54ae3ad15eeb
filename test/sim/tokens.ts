// The simulator's "model": a token is a whitespace-separated word, and generation echoes the
// last user text. Deterministic, so tests can assert exact content and usage.

export type FinishReason = 'stop' | 'length';

export interface Generation {
  words: string[];
  finishReason: FinishReason;
}

/** vLLM's default when a request gives no max_tokens is "the rest of the context"; 16 keeps replies short. */
export const DEFAULT_MAX_TOKENS = 16;

const FALLBACK_WORDS = ['hello'];

export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

export function countTokens(text: string): number {
  return words(text).length;
}

/** Echo `source` once (or "hello"), truncated at `maxTokens` with finish reason `length`. */
export function generate(source: readonly string[], maxTokens: number): Generation {
  const all = source.length > 0 ? [...source] : FALLBACK_WORDS;
  if (all.length <= maxTokens) return { words: all, finishReason: 'stop' };
  return { words: all.slice(0, maxTokens), finishReason: 'length' };
}

/** Stream deltas whose concatenation equals `words.join(' ')`. */
export function deltaPieces(generated: readonly string[]): string[] {
  return generated.map((w, i) => (i === 0 ? w : ` ${w}`));
}
