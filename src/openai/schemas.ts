import { z } from 'zod';

/**
 * Only the fields the gateway itself reads are checked; everything else (vLLM's extras included) is the upstream's
 * business and passes through untouched, so these schemas are loose objects.
 */
const model = z.string().min(1, 'must be a non-empty string');
const count = z.number().int().positive().nullable().optional();
const tokenIds = z.array(z.number().int());

export const streamOptionsSchema = z
  .looseObject({ include_usage: z.boolean().nullable().optional() })
  .nullable()
  .optional();

export const chatRequestSchema = z.looseObject({
  model,
  messages: z.array(z.looseObject({ role: z.string() })).min(1, 'must contain at least one message'),
  stream: z.boolean().nullable().optional(),
  stream_options: streamOptionsSchema,
  max_tokens: count,
  max_completion_tokens: count,
  n: count,
});

export const completionRequestSchema = z.looseObject({
  model,
  prompt: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  stream: z.boolean().nullable().optional(),
  stream_options: streamOptionsSchema,
  max_tokens: count,
  n: count,
});

export const embeddingRequestSchema = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: count,
});

export const rerankRequestSchema = z.looseObject({
  model,
  query: z.string(),
  documents: z
    .array(z.union([z.string(), z.looseObject({ text: z.string() })]))
    .min(1, 'must contain at least one document'),
  top_n: count,
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
