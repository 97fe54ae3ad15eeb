// POST /v1/completions
import type { RouteContext } from '../context';
import { randomId, unixNow } from '../ids';
import { writeSse } from '../sse';
import { DEFAULT_MAX_TOKENS, deltaPieces, generate, words, type FinishReason } from '../tokens';
import { streamEvents, type ChoicePlan } from './chunks';
import { badRequest, checkContextLength, jsonBody, optionalInt, resolveModel, streamFlags, usageOf } from './shared';

const isTokenIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every(Number.isInteger);

/** `prompt` as a list of word lists: string | string[] | token ids | token id lists. */
function readPrompts(prompt: unknown): string[][] {
  if (typeof prompt === 'string') return [words(prompt)];
  if (isTokenIds(prompt)) return [prompt.map(String)];
  if (Array.isArray(prompt) && prompt.length > 0) {
    if (prompt.every((p) => typeof p === 'string')) return prompt.map((p: string) => words(p));
    if (prompt.every(isTokenIds)) return prompt.map((ids: number[]) => ids.map(String));
  }
  throw badRequest('prompt: Input should be a valid string or list', 'prompt');
}

export async function completions(ctx: RouteContext): Promise<void> {
  const body = jsonBody(ctx);
  if (body.prompt === undefined || body.prompt === null) throw badRequest('prompt: Field required', 'prompt');
  const prompts = readPrompts(body.prompt);
  const flags = streamFlags(body);
  const model = resolveModel(ctx.config, body.model);
  const n = optionalInt(body, 'n', 1) ?? 1;
  const maxTokens = optionalInt(body, 'max_tokens', 1);
  for (const p of prompts) checkContextLength(ctx.config, p.length, maxTokens);

  const plans: ChoicePlan[] = [];
  const texts: string[] = [];
  prompts.forEach((prompt, p) => {
    const gen = generate(prompt, maxTokens ?? DEFAULT_MAX_TOKENS);
    for (let j = 0; j < n; j++) {
      plans.push({ index: p * n + j, pieces: deltaPieces(gen.words), finishReason: gen.finishReason, promptTokens: prompt.length });
      texts.push(gen.words.join(' '));
    }
  });
  const promptTokens = prompts.reduce((sum, p) => sum + p.length, 0);
  const completionTokens = plans.reduce((sum, c) => sum + c.pieces.length, 0);
  const head = { id: randomId('cmpl'), object: 'text_completion', created: unixNow(), model };

  if (!flags.stream) {
    const choices = plans.map((c, i) => ({
      index: c.index,
      text: texts[i],
      logprobs: null,
      finish_reason: c.finishReason,
      stop_reason: null,
      prompt_logprobs: null,
    }));
    ctx.reply.json(200, { ...head, choices, usage: usageOf(promptTokens, completionTokens) });
    return;
  }

  const render = (piece: string, finish: FinishReason | null): Record<string, unknown> => ({
    text: piece,
    logprobs: null,
    finish_reason: finish,
    stop_reason: null,
  });
  const events = streamEvents({ head, choices: plans, render, flags, usage: usageOf(promptTokens, completionTokens, false) });
  await writeSse(ctx.reply, events, ctx.knobs);
}
