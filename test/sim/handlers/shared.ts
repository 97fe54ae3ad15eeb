// Request validation shared by the inference handlers, with vLLM's wording.
import type { RouteContext } from '../context';
import { VllmError } from '../reply';
import type { SimConfig } from '../types';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function badRequest(message: string, param: string | null = null): VllmError {
  return new VllmError(400, message, param);
}

/** The request body as a JSON object, or vLLM's 400. */
export function jsonBody(ctx: RouteContext): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    throw badRequest('JSON decode error');
  }
  if (!isObject(parsed)) throw badRequest('Input should be a valid dictionary or object to extract fields from');
  return parsed;
}

/** The served model the request names (vLLM picks the first one when `model` is absent). */
export function resolveModel(config: SimConfig, model: unknown): string {
  if (model === undefined || model === null) return config.models[0] ?? 'sim-model';
  if (typeof model !== 'string') throw badRequest('model: Input should be a valid string', 'model');
  if (!config.models.includes(model)) throw new VllmError(404, `The model \`${model}\` does not exist.`, 'model');
  return model;
}

/** An optional integer field that must be ≥ `min` when present. */
export function optionalInt(body: JsonObject, name: string, min: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw badRequest(`${name}: Input should be a valid integer`, name);
  if ((value as number) < min) throw badRequest(`${name} must be at least ${min}, got ${String(value)}.`, name);
  return value as number;
}

export interface StreamFlags {
  stream: boolean;
  includeUsage: boolean;
  /** vLLM only honours continuous_usage_stats together with include_usage. */
  continuousUsage: boolean;
}

export function streamFlags(body: JsonObject): StreamFlags {
  const stream = body.stream === true;
  const options = body.stream_options;
  if (options !== undefined && options !== null && !stream) {
    throw badRequest('Stream options can only be defined when `stream=True`.');
  }
  const includeUsage = isObject(options) && options.include_usage === true;
  const continuousUsage = includeUsage && isObject(options) && options.continuous_usage_stats === true;
  return { stream, includeUsage, continuousUsage };
}

/** vLLM's context-length check (same wording for chat and completions: "in the messages"). */
export function checkContextLength(config: SimConfig, promptTokens: number, maxTokens: number | undefined): void {
  const limit = config.maxModelLen;
  if (maxTokens === undefined) {
    if (promptTokens < limit) return;
    throw badRequest(
      `This model's maximum context length is ${limit} tokens. However, you requested ${promptTokens} tokens in the messages, Please reduce the length of the messages.`,
    );
  }
  if (promptTokens + maxTokens <= limit) return;
  throw badRequest(
    `This model's maximum context length is ${limit} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
  );
}

export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: null;
}

/** Usage as vLLM renders it; `details` adds `prompt_tokens_details: null` (non-streaming bodies). */
export function usageOf(promptTokens: number, completionTokens: number, details = true): Usage {
  const usage: Usage = {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
  };
  if (details) usage.prompt_tokens_details = null;
  return usage;
}
