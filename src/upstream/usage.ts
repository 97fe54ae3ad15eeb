/** Token usage as vLLM reports it (chat, completions, embeddings) or audio duration (transcriptions). */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Transcriptions: seconds of audio, when the upstream reports it. */
  seconds?: number;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Reads a `usage` object from any vLLM response shape; undefined when there is none. */
export function readUsage(value: unknown): Usage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const u = value as Record<string, unknown>;
  if (u.type === 'duration') {
    return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, seconds: num(u.seconds) };
  }
  const completion = num(u.completion_tokens ?? u.output_tokens);
  const total = num(u.total_tokens);
  // Rerank (and some embedding servers) report only total_tokens: all of it is input.
  const prompt = u.prompt_tokens !== undefined || u.input_tokens !== undefined ? num(u.prompt_tokens ?? u.input_tokens) : Math.max(0, total - completion);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total || prompt + completion };
}
