import * as z from '../http/zod';
import { REDACTED } from './normalize';
import { refersToMasterKey } from './secrets';

/**
 * Descriptive `model_info` keys LiteLLM documents (capabilities, version, provider, tokenizer). The gateway never acts
 * on them; they are stored and shown by /model/info so a LiteLLM config imports as it is and clients that read them
 * still find them. Keys that change LiteLLM's behaviour (access_groups, team_id, health_check_*) stay refused.
 */
const SUPPORTS = [
  'supports_function_calling',
  'supports_parallel_function_calling',
  'supports_tool_choice',
  'supports_vision',
  'supports_response_schema',
  'supports_system_messages',
  'supports_prompt_caching',
  'supports_audio_input',
  'supports_audio_output',
  'supports_pdf_input',
  'supports_video_input',
  'supports_reasoning',
  'supports_web_search',
  'supports_assistant_prefill',
  'supports_computer_use',
  'supports_embedding_image_input',
  'supports_native_streaming',
  'supports_url_context',
] as const;

const supportsFields = Object.fromEntries(SUPPORTS.map((k) => [k, z.optional(z.boolean())])) as Record<
  (typeof SUPPORTS)[number],
  z.ZodMiniOptional<z.ZodMiniBoolean>
>;

// Tokenizer for LiteLLM's /utils/token_counter; auth_token is a secret, redacted like api_key.
const customTokenizer = z.strictObject({
  identifier: z.string().check(z.minLength(1), z.maxLength(256)),
  revision: z.optional(z.string().check(z.maxLength(256))),
  auth_token: z.optional(
    z.string().check(
      z.minLength(1),
      z.refine((v) => !refersToMasterKey(v), 'must not be os.environ/MASTER_KEY'),
      z.refine((v) => v !== REDACTED, `"${REDACTED}" is what /model/info shows in place of a secret; send the token again`),
    ),
  ),
});

export const modelMetadataFields = {
  ...supportsFields,
  version: z.optional(z.union([z.number(), z.string().check(z.maxLength(64))])),
  litellm_provider: z.optional(z.string().check(z.maxLength(64))),
  custom_tokenizer: z.optional(customTokenizer),
};
