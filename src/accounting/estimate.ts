import type { Deployment } from '../deployments/schema';
import { jsonLength } from './json-length';
import { utf8Bound } from './utf8-bound';

/** Token counts known before the upstream answers: reserved at admission. */
export interface TokenEstimate {
  promptTokens: number;
  /** The most the request may generate. */
  completionTokens: number;
}

/** Completion budget assumed when the request sets no max_tokens and the deployment declares no output limit. */
export const DEFAULT_MAX_COMPLETION_TOKENS = 4096;

/**
 * An upper bound, not an average: byte-level BPE tokenizers never emit more tokens than UTF-8 bytes, and chat
 * templates add a few tokens per message. Reserving the maximum is what keeps concurrent requests from overshooting
 * a budget; the difference is released when the request settles. (Image and audio parts are not counted.)
 */
const TEMPLATE_TOKENS_PER_MESSAGE = 8;
const TEMPLATE_TOKENS_BASE = 16;
/**
 * Tool definitions are rendered into the prompt as JSON (counted by their JSON length) inside instructions the chat
 * template adds: about 60 tokens for Llama 3.1's, 120 for Qwen 2.5's, 150 for Hermes'.
 */
const TEMPLATE_TOKENS_FOR_TOOLS = 256;

/**
 * UTF-8 bytes (bounded, see utf8Bound) of text in a prompt value (strings, arrays of them or of token ids, content parts). Walked with a stack,
 * not recursion: the body is the client's JSON, and nesting thousands of arrays deep must not overflow the stack.
 */
function textLength(root: unknown): number {
  let total = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') total += utf8Bound(value);
    else if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v === 'number') total += 1;
        else pending.push(v);
      }
    } else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.text === 'string') total += utf8Bound(v.text);
      else if (v.content !== undefined) pending.push(v.content);
      // An assistant turn's calls (name, arguments, id) and a tool result's call id are rendered into the prompt too.
      if (v.tool_calls !== undefined && v.tool_calls !== null) total += jsonLength(v.tool_calls);
      if (v.function_call !== undefined && v.function_call !== null) total += jsonLength(v.function_call);
      if (typeof v.tool_call_id === 'string') total += utf8Bound(v.tool_call_id);
    }
  }
  return total;
}

/** Tool (or legacy function) definitions offered to the model: the template renders them into the prompt. */
function hasTools(body: Record<string, unknown>): boolean {
  return (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
}

function promptBytes(body: Record<string, unknown>): number {
  const text = textLength(body.messages) + textLength(body.prompt) + textLength(body.input) + textLength(body.query) + textLength(body.documents);
  return hasTools(body) ? text + jsonLength(body.tools ?? null) + jsonLength(body.functions ?? null) : text;
}

/** The most prompt tokens the request can cost: what admission reserves. */
export function maxPromptTokens(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages.length : 0;
  const perMessage = messages > 0 ? TEMPLATE_TOKENS_BASE + messages * TEMPLATE_TOKENS_PER_MESSAGE : 0;
  return promptBytes(body) + perMessage + (hasTools(body) ? TEMPLATE_TOKENS_FOR_TOOLS : 0);
}

/** A typical count (about four bytes of text per token), billed when a stream ends without its usage chunk. */
export function likelyPromptTokens(body: Record<string, unknown>): number {
  return Math.ceil(promptBytes(body) / 4);
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
