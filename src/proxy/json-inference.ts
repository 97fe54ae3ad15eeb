import type * as z from '../http/zod';
import type { Deployment } from '../deployments/schema';
import type { JsonBody } from '../http/body';
import { editTopLevel, type TopLevelEdits } from '../http/json-edit';
import { validate } from '../http/validate';
import {
  chatRequestSchema,
  completionRequestSchema,
  embeddingRequestSchema,
  rerankRequestSchema,
} from '../openai/schemas';
import { addBilledUnits } from '../openai/rerank-meta';
import { isPlainChat, isPlainCompletion, isPlainEmbedding, type ModelAndStream } from '../openai/quick-checks';
import { chatForCompletionModel } from '../templates/conversion';
import { chatEdits } from '../upstream/vllm/chat-transforms';
import type { Endpoint } from './endpoint';
import type { InferenceRequest } from './inference';
import type { Conversion } from './response-adapter';

type ModelBody = z.ZodMiniType<{ model: string; stream?: boolean | null }>;

/** How one JSON endpoint reads its body and shapes the upstream request. */
export interface JsonRoute {
  endpoint: Endpoint;
  schema: ModelBody;
  /** A hand check of the usual body that implies the schema's yes, so the schema's copy is skipped (quick-checks.ts). */
  quick?(body: Record<string, unknown>): body is ModelAndStream;
  /** Edits beyond `model` (computed once; applied for every deployment tried). */
  edits?(body: Record<string, unknown>): TopLevelEdits;
  reshape?(value: Record<string, unknown>): Record<string, unknown>;
  /** For a deployment that needs the request in another shape (chat served by a completion-only model). */
  convert?(deployment: Deployment, body: Record<string, unknown>): Conversion | undefined;
}

export const JSON_ROUTES = {
  chat: { endpoint: 'chat', schema: chatRequestSchema, quick: isPlainChat, edits: chatEdits, convert: chatForCompletionModel },
  completion: { endpoint: 'completion', schema: completionRequestSchema, quick: isPlainCompletion },
  embedding: { endpoint: 'embedding', schema: embeddingRequestSchema, quick: isPlainEmbedding },
  rerank: { endpoint: 'rerank', schema: rerankRequestSchema, reshape: addBilledUnits },
} satisfies Record<string, JsonRoute>;

/**
 * Validates a JSON body and builds the request for the shared path — used by the live routes and, with the batch's
 * model forced, by every line of a batch, so both reach vLLM in exactly the same shape.
 */
export function jsonInference(route: JsonRoute, raw: JsonBody, modelOverride?: string): InferenceRequest {
  const body = modelOverride ? { ...raw.value, model: modelOverride } : raw.value;
  const parsed = route.quick?.(body) ? body : validate(route.schema, body);
  const stream = parsed.stream === true;
  const edits = route.edits?.(raw.value) ?? {};
  // Usage is needed to bill a stream: ask vLLM for it and hide the extra chunk from a client that did not.
  const options = raw.value.stream_options as Record<string, unknown> | null | undefined;
  const inject = stream && options?.include_usage !== true;
  const usageEdit: TopLevelEdits = inject ? { stream_options: usageOptions(options) } : {};
  return {
    endpoint: route.endpoint,
    model: parsed.model,
    stream,
    stripUsageChunk: inject,
    body: raw.value,
    upstreamBody: (target, deployment) => {
      const conversion = route.convert?.(deployment, raw.value);
      const own = conversion ? conversion.edits : edits;
      const body = editTopLevel(raw.text, { ...own, ...usageEdit, model: target.servedModel });
      if (!conversion) return { body, contentType: 'application/json' };
      return { body, contentType: 'application/json', path: conversion.path, adapter: conversion.adapter };
    },
    ...(route.reshape ? { reshape: route.reshape } : {}),
  };
}

/**
 * The client's stream_options with include_usage on. vLLM honours continuous_usage_stats only together with
 * include_usage: a client that set it alone gets no usage at all, so it must not get usage on every chunk because
 * the gateway asked for the final one.
 */
function usageOptions(options: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options, include_usage: true };
  if (options?.continuous_usage_stats === true) out.continuous_usage_stats = false;
  return out;
}
