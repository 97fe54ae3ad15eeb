import * as z from '../http/zod';

/**
 * Only the fields the gateway itself reads are checked; everything else (vLLM's extras included) is the upstream's
 * business and passes through untouched, so these schemas are loose objects.
 */
const model = z.string().check(z.minLength(1, 'must be a non-empty string'));
const count = z.optional(z.nullable(z.int().check(z.positive())));
const tokenIds = z.array(z.int());
const stream = z.optional(z.nullable(z.boolean()));

export const streamOptionsSchema = z.optional(z.nullable(z.looseObject({ include_usage: z.optional(z.nullable(z.boolean())) })));

export const chatRequestSchema = z.looseObject({
  model,
  messages: z.array(z.looseObject({ role: z.string() })).check(z.minLength(1, 'must contain at least one message')),
  stream,
  stream_options: streamOptionsSchema,
  max_tokens: count,
  max_completion_tokens: count,
  n: count,
});

export const completionRequestSchema = z.looseObject({
  model,
  prompt: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  stream,
  stream_options: streamOptionsSchema,
  max_tokens: count,
  n: count,
});

export const embeddingRequestSchema = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  encoding_format: z.optional(z.enum(['float', 'base64'])),
  dimensions: count,
});

export const rerankRequestSchema = z.looseObject({
  model,
  query: z.string(),
  documents: z
    .array(z.union([z.string(), z.looseObject({ text: z.string() })]))
    .check(z.minLength(1, 'must contain at least one document')),
  top_n: count,
});
