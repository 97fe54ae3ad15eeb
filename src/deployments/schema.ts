import { z } from 'zod';

/**
 * Deployments use LiteLLM's `model_list` entry shape so configs and /model/new scripts carry over. Unknown fields are
 * refused rather than ignored: an operator who sets an option we do not implement must learn so at import time.
 */
const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();

/** Literal value or a reference `os.environ/NAME`, resolved from the Worker's env per request and never stored resolved. */
export const secretRef = z.string().min(1);

const promptRole = z.strictObject({ pre_message: z.string().optional(), post_message: z.string().optional() });

export const pricingFields = {
  input_cost_per_token: nonNegative.optional(),
  output_cost_per_token: nonNegative.optional(),
  input_cost_per_second: nonNegative.optional(),
  output_cost_per_second: nonNegative.optional(),
  input_cost_per_token_batches: nonNegative.optional(),
  output_cost_per_token_batches: nonNegative.optional(),
};

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export const litellmParamsSchema = z.strictObject({
  model: z
    .string()
    .regex(/^(hosted_vllm|openai)\/.+/, 'must be "hosted_vllm/<served-model-name>" (or "openai/<name>" with api_base)'),
  api_base: z
    .string()
    .refine((v) => v.startsWith('os.environ/') || isHttpUrl(v), 'must be an http(s) URL or os.environ/NAME')
    .optional(),
  api_key: secretRef.optional(),
  timeout: positive.optional(),
  stream_timeout: positive.optional(),
  weight: nonNegative.optional(),
  rpm: nonNegative.int().optional(),
  tpm: nonNegative.int().optional(),
  max_parallel_requests: positive.int().optional(),
  ...pricingFields,
  // LiteLLM prompt-template fields for completion-only (base) models.
  initial_prompt_value: z.string().optional(),
  final_prompt_value: z.string().optional(),
  bos_token: z.string().optional(),
  eos_token: z.string().optional(),
  roles: z.partialRecord(z.enum(['system', 'user', 'assistant', 'tool']), promptRole).optional(),
});

export const modeSchema = z.enum([
  'chat',
  'completion',
  'embedding',
  'rerank',
  'audio_transcription',
]);

export const modelInfoSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"')
    .optional(),
  mode: modeSchema.optional(),
  ...pricingFields,
  max_tokens: positive.int().optional(),
  max_input_tokens: positive.int().optional(),
  max_output_tokens: positive.int().optional(),
  batch_concurrency: positive.int().max(1000).optional(),
  base_model: z.string().optional(),
  description: z.string().max(1000).optional(),
});

export const deploymentInputSchema = z.strictObject({
  model_name: z.string().min(1).max(256),
  litellm_params: litellmParamsSchema,
  model_info: modelInfoSchema.optional(),
});

export type DeploymentInput = z.infer<typeof deploymentInputSchema>;
export type LitellmParams = z.infer<typeof litellmParamsSchema>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export type DeploymentMode = z.infer<typeof modeSchema>;

/** A stored deployment: the input with its id fixed. */
export interface Deployment {
  model_name: string;
  litellm_params: LitellmParams;
  model_info: ModelInfo & { id: string; created_at?: string };
}

export const routingStrategySchema = z.enum(['simple-shuffle', 'least-busy']);

const fallbackList = z.array(z.record(z.string(), z.array(z.string()).min(1)));

export const routerSettingsSchema = z.strictObject({
  routing_strategy: routingStrategySchema.optional(),
  num_retries: nonNegative.int().max(10).optional(),
  allowed_fails: nonNegative.int().optional(),
  cooldown_time: nonNegative.optional(),
  timeout: positive.optional(),
  stream_timeout: positive.optional(),
  retry_after: nonNegative.optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
});

export type RouterSettings = z.infer<typeof routerSettingsSchema>;

/** What KV holds under `config:v1` and every isolate caches: the whole routing table in one read. */
export interface GatewayConfig {
  version: number;
  updated_at: string;
  deployments: Deployment[];
  router_settings: RouterSettings;
}

export const emptyConfig = (): GatewayConfig => ({
  version: 0,
  updated_at: new Date(0).toISOString(),
  deployments: [],
  router_settings: {},
});
