import { invalidRequest } from '../http/errors';
import type { TopLevelEdits } from '../http/json-edit';
import { renderPrompt, type TemplateParams, type TextMessage } from './prompt-template';

/**
 * Chat fields that mean nothing to a completion model. They are refused by name rather than dropped: a client
 * that sends tools must not get a plain-text answer as if tools had been considered.
 */
const CHAT_ONLY = ['tools', 'thinking', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'logprobs', 'top_logprobs', 'audio', 'modalities', 'prediction', 'web_search_options'];

function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw invalidRequest(`${where} must be a string or an array of text parts`, where);
  return content
    .map((part: unknown, i) => {
      const p = part as { type?: unknown; text?: unknown };
      if (p?.type !== 'text' || typeof p.text !== 'string') {
        throw invalidRequest(
          `${where}[${i}]: this model serves text completions only; ${String(p?.type ?? 'non-text')} parts cannot be sent to it`,
          `${where}[${i}]`,
        );
      }
      return p.text;
    })
    .join('');
}

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  function_call?: unknown;
}

/** Tool turns carry structure a prompt cannot hold; refused like `tools`, not flattened into text. */
const TOOL_ROLES = new Set(['tool', 'function']);

function textMessage(m: ChatMessage, i: number): TextMessage {
  if (TOOL_ROLES.has(m.role)) {
    throw invalidRequest(`messages[${i}]: ${m.role} messages are not supported by this model: it serves text completions only`, `messages[${i}].role`);
  }
  for (const field of ['tool_calls', 'function_call'] as const) {
    const value = m[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw invalidRequest(`messages[${i}].${field} is not supported by this model: it serves text completions only`, `messages[${i}].${field}`);
    }
  }
  // OpenAI's `developer` role is the newer name of `system`; templates define `system`.
  return { role: m.role === 'developer' ? 'system' : m.role, text: textOf(m.content, `messages[${i}].content`) };
}

/** The edits that turn a chat request body into a completions request for a template deployment. */
export function chatToCompletionEdits(body: Record<string, unknown>, template: TemplateParams): TopLevelEdits {
  for (const field of CHAT_ONLY) {
    if (body[field] !== undefined && body[field] !== null && body[field] !== false) {
      throw invalidRequest(`${field} is not supported by this model: it serves text completions only`, field);
    }
  }
  const format = body.response_format as { type?: unknown } | null | undefined;
  if (format && format.type !== 'text') {
    throw invalidRequest('response_format with a schema is not supported by this model: it serves text completions only', 'response_format');
  }
  const messages = (body.messages as ChatMessage[]).map((m, i): TextMessage => textMessage(m, i));
  const edits: TopLevelEdits = {
    messages: undefined,
    prompt: renderPrompt(messages, template),
    response_format: undefined,
    // vLLM's chat-only switches; harmless to vLLM but meaningless for a completion.
    chat_template_kwargs: undefined,
    add_generation_prompt: undefined,
  };
  if (body.max_completion_tokens !== undefined) {
    edits.max_completion_tokens = undefined;
    if (body.max_tokens === undefined) edits.max_tokens = body.max_completion_tokens;
  }
  return edits;
}
