import * as z from '../http/zod';
import { refersToMasterKey } from './secrets';
import { modelMetadataFields } from './model-metadata';

/**
 * Deployments use LiteLLM's `model_list` entry shape so configs and /model/new scripts carry over. Unknown fields are
 * refused rather than ignored: an operator who sets an option we do not implement must learn so at import time.
 */
const nonNegative = z.number().check(z.nonnegative());
/**
 * Dollars per token or per second. Bounded so a cost is always a finite amount: an absurd price (1e308) made costs
 * Infinity, which no budget check or spend log can hold.
 */
export const MAX_PRICE = 1000;
const price = z.number().check(z.nonnegative(), z.lte(MAX_PRICE, `must be at most ${MAX_PRICE} (dollars per token or per second)`));
const positive = z.number().check(z.positive());
const nonNegativeInt = z.int().check(z.nonnegative());
const positiveInt = z.int().check(z.positive());

/** Literal value or a reference `os.environ/NAME`, resolved from the Worker's env per request and never stored resolved. */
export const secretRef = z
  .string()
  .check(z.minLength(1), z.refine((v) => !refersToMasterKey(v), 'must not be os.environ/MASTER_KEY: the master key is never sent upstream'));

const promptRole = z.strictObject({ pre_message: z.optional(z.string()), post_message: z.optional(z.string()) });

export const pricingFields = {
  input_cost_per_token: z.optional(price),
  output_cost_per_token: z.optional(price),
  input_cost_per_second: z.optional(price),
  output_cost_per_second: z.optional(price),
  input_cost_per_token_batches: z.optional(price),
  output_cost_per_token_batches: z.optional(price),
};

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * LiteLLM reads `*` in a model name as a wildcard (any model the provider has); the gateway routes only the names it
 * was given, so such a deployment could never serve a request.
 */
const noWildcard = z.refine<string>((v) => !v.includes('*'), 'wildcard deployments are not supported: list each model vLLM serves as its own entry');

/** A group name is sent back in the x-litellm-model-group header: a control character there fails the response. */
const noControl = z.refine<string>((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters');

const litellmParamsShape = z.strictObject({
  model: z
    .string()
    .check(
      z.regex(/^(hosted_vllm|openai)\/.+/, 'must be "hosted_vllm/<served-model-name>" (or "openai/<name>" with api_base)'),
      noWildcard,
    ),
  api_base: z.optional(
    z.string().check(
      z.refine((v) => v.startsWith('os.environ/') || isHttpUrl(v), 'must be an http(s) URL or os.environ/NAME'),
      // Request paths are appended to it: after a query or fragment they would never reach the server's routes.
      z.refine((v) => v.startsWith('os.environ/') || !/[?#]/.test(v), 'must not contain a query (?) or fragment (#)'),
      z.refine((v) => !refersToMasterKey(v), 'must not be os.environ/MASTER_KEY'),
    ),
  ),
  api_key: z.optional(secretRef),
  timeout: z.optional(positive),
  stream_timeout: z.optional(positive),
  weight: z.optional(nonNegative),
  rpm: z.optional(nonNegativeInt),
  tpm: z.optional(nonNegativeInt),
  max_parallel_requests: z.optional(positiveInt),
  ...pricingFields,
  // LiteLLM prompt-template fields for completion-only (base) models.
  initial_prompt_value: z.optional(z.string()),
  final_prompt_value: z.optional(z.string()),
  bos_token: z.optional(z.string()),
  eos_token: z.optional(z.string()),
  roles: z.optional(z.partialRecord(z.enum(['system', 'user', 'assistant', 'tool']), promptRole)),
});

// HOSTED_VLLM_API_BASE is the default for hosted_vllm/ only: an openai/ deployment without api_base imported fine and
// then failed every request.
export const litellmParamsSchema = litellmParamsShape.check(
  z.refine((p) => !p.model.startsWith('openai/') || p.api_base !== undefined, {
    message: 'is required for an "openai/" model (only "hosted_vllm/" models default to HOSTED_VLLM_API_BASE)',
    path: ['api_base'],
  }),
);

export const modeSchema = z.enum(['chat', 'completion', 'embedding', 'rerank', 'audio_transcription']);

export const modelInfoSchema = z.strictObject({
  id: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"')),
  ),
  mode: z.optional(modeSchema),
  ...pricingFields,
  max_tokens: z.optional(positiveInt),
  max_input_tokens: z.optional(positiveInt),
  max_output_tokens: z.optional(positiveInt),
  batch_concurrency: z.optional(positiveInt.check(z.maximum(1000))),
  base_model: z.optional(z.string()),
  description: z.optional(z.string().check(z.maxLength(1000))),
  ...modelMetadataFields,
});

export const deploymentInputSchema = z.strictObject({
  model_name: z.string().check(z.minLength(1), z.maxLength(256), noWildcard, noControl),
  litellm_params: litellmParamsSchema,
  model_info: z.optional(modelInfoSchema),
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

const fallbackList = z.array(z.record(z.string(), z.array(z.string()).check(z.minLength(1))));

export const routerSettingsSchema = z.strictObject({
  routing_strategy: z.optional(routingStrategySchema),
  num_retries: z.optional(nonNegativeInt.check(z.maximum(10))),
  allowed_fails: z.optional(nonNegativeInt),
  cooldown_time: z.optional(nonNegative),
  timeout: z.optional(positive),
  stream_timeout: z.optional(positive),
  retry_after: z.optional(nonNegative),
  fallbacks: z.optional(fallbackList),
  context_window_fallbacks: z.optional(fallbackList),
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
