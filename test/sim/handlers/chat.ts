// POST /v1/chat/completions
import type { RouteContext } from '../context';
import { randomId, unixNow } from '../ids';
import { writeSse } from '../sse';
import { DEFAULT_MAX_TOKENS, countTokens, deltaPieces, generate, words, type FinishReason } from '../tokens';
import { streamEvents } from './chunks';
import {
  badRequest,
  checkContextLength,
  isObject,
  jsonBody,
  optionalInt,
  resolveModel,
  streamFlags,
  usageOf,
  type JsonObject,
} from './shared';

/** The text of a message: string content, or its `{type:"text"}` parts (images etc. carry no words here). */
function messageText(message: JsonObject): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is JsonObject => isObject(part) && part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join(' ');
}

function readMessages(body: JsonObject): JsonObject[] {
  const { messages } = body;
  if (!Array.isArray(messages)) throw badRequest('messages: Field required', 'messages');
  if (!messages.every(isObject)) throw badRequest('messages: Input should be a valid list of message objects', 'messages');
  return messages;
}

export async function chatCompletions(ctx: RouteContext): Promise<void> {
  const body = jsonBody(ctx);
  const messages = readMessages(body);
  const flags = streamFlags(body);
  const model = resolveModel(ctx.config, body.model);
  const n = optionalInt(body, 'n', 1) ?? 1;
  const maxTokens = optionalInt(body, 'max_completion_tokens', 1) ?? optionalInt(body, 'max_tokens', 1);
  const promptTokens = messages.reduce((sum, m) => sum + countTokens(messageText(m)), 0);
  checkContextLength(ctx.config, promptTokens, maxTokens);

  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const gen = generate(words(lastUser ? messageText(lastUser) : ''), maxTokens ?? DEFAULT_MAX_TOKENS);
  const head = { id: randomId('chatcmpl'), object: 'chat.completion', created: unixNow(), model };
  const completionTokens = gen.words.length * n;
  const indexes = Array.from({ length: n }, (_, i) => i);

  if (!flags.stream) {
    const choices = indexes.map((index) => ({
      index,
      message: { role: 'assistant', content: gen.words.join(' '), reasoning_content: null, tool_calls: [] },
      logprobs: null,
      finish_reason: gen.finishReason,
      stop_reason: null,
    }));
    const usage = usageOf(promptTokens, completionTokens);
    ctx.reply.json(200, { ...head, choices, usage, prompt_logprobs: null });
    return;
  }

  const render = (piece: string, finish: FinishReason | null): JsonObject => ({
    delta: { content: piece },
    logprobs: null,
    finish_reason: finish,
    ...(finish ? { stop_reason: null } : {}),
  });
  const events = streamEvents({
    head: { ...head, object: 'chat.completion.chunk' },
    choices: indexes.map((index) => ({ index, pieces: deltaPieces(gen.words), finishReason: gen.finishReason, promptTokens })),
    render,
    roleDelta: { role: 'assistant', content: '' },
    flags,
    usage: usageOf(promptTokens, completionTokens, false),
  });
  await writeSse(ctx.reply, events, ctx.knobs);
}
