// Builds the SSE event payloads of a streamed chat/text completion (the writing is sse.ts's job).
import type { FinishReason } from '../tokens';
import { usageOf, type JsonObject, type StreamFlags, type Usage } from './shared';

export interface ChoicePlan {
  index: number;
  pieces: string[];
  finishReason: FinishReason;
  promptTokens: number;
}

export interface StreamPlan {
  /** id, object, created, model: identical on every chunk. */
  head: JsonObject;
  choices: ChoicePlan[];
  /** Renders one choice of a chunk; `finish` is set on the choice's last piece only. */
  render: (piece: string, finish: FinishReason | null) => JsonObject;
  /** Chat sends one `{"role":"assistant","content":""}` delta per choice first. */
  roleDelta?: JsonObject;
  flags: StreamFlags;
  /** Sent in the trailing `choices: []` chunk when include_usage is on. */
  usage: Usage;
}

export function streamEvents(plan: StreamPlan): JsonObject[] {
  const events: JsonObject[] = [];
  const push = (choice: JsonObject, c: ChoicePlan, produced: number): void => {
    const event: JsonObject = { ...plan.head, choices: [{ index: c.index, ...choice }] };
    if (plan.flags.continuousUsage) event.usage = usageOf(c.promptTokens, produced, false);
    events.push(event);
  };
  if (plan.roleDelta) {
    for (const c of plan.choices) push({ delta: plan.roleDelta, logprobs: null, finish_reason: null }, c, 0);
  }
  // vLLM interleaves choices token by token; the last piece of a choice carries its finish_reason.
  const longest = Math.max(0, ...plan.choices.map((c) => c.pieces.length));
  for (let t = 0; t < longest; t++) {
    for (const c of plan.choices) {
      const piece = c.pieces[t];
      if (piece === undefined) continue;
      const last = t === c.pieces.length - 1;
      push(plan.render(piece, last ? c.finishReason : null), c, t + 1);
    }
  }
  if (plan.flags.includeUsage) events.push({ ...plan.head, choices: [], usage: plan.usage });
  return events;
}
