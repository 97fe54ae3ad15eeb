/**
 * Completion answers reshaped into chat answers, so an OpenAI SDK cannot tell a template deployment from a chat
 * one: `chat.completion` objects, and `chat.completion.chunk` streams that open each choice with a role delta.
 */
type Json = Record<string, unknown>;

interface CompletionChoice {
  index?: number;
  text?: string;
  finish_reason?: unknown;
  stop_reason?: unknown;
}

const chatId = (id: unknown): unknown => (typeof id === 'string' ? id.replace(/^cmpl-/, 'chatcmpl-') : id);

export function completionToChat(value: Json): Json {
  const choices = Array.isArray(value.choices) ? (value.choices as CompletionChoice[]) : [];
  return {
    ...value,
    id: chatId(value.id),
    object: 'chat.completion',
    choices: choices.map((c, i) => ({
      index: c.index ?? i,
      message: { role: 'assistant', content: c.text ?? '' },
      logprobs: null,
      finish_reason: c.finish_reason ?? null,
      ...(c.stop_reason !== undefined ? { stop_reason: c.stop_reason } : {}),
    })),
  };
}

/** A stateful mapper for one stream: the first chunk of each choice is preceded by its role delta. */
export function completionChunksToChat(): (event: Json) => Json[] {
  const opened = new Set<number>();
  return (event) => {
    if (event.error || !Array.isArray(event.choices)) return [event];
    const base = { ...event, id: chatId(event.id), object: 'chat.completion.chunk' };
    if (event.choices.length === 0) return [base];
    const out: Json[] = [];
    const choices = (event.choices as CompletionChoice[]).map((c, i) => {
      const index = c.index ?? i;
      if (!opened.has(index)) {
        opened.add(index);
        out.push({ ...base, choices: [{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: undefined });
      }
      return { index, delta: { content: c.text ?? '' }, logprobs: null, finish_reason: c.finish_reason ?? null };
    });
    out.push({ ...base, choices });
    return out;
  };
}
