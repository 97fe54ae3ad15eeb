import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration';
import type { Json } from './key-record';

const json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);

/**
 * Request bodies of LiteLLM's /key/* API. Unlike LiteLLM, unknown fields are refused: a typo in `rpm_limt` must
 * not silently create an unlimited key.
 */
const duration = z.string().refine((v) => parseDuration(v) !== undefined, `must be ${DURATION_HINT}`);
const optionalId = z.string().min(1).max(128).nullable().optional();
const count = z.number().int().nonnegative().nullable().optional();

const keySettings = {
  key_alias: z.string().min(1).max(200).nullable().optional(),
  models: z.array(z.string().min(1).max(256)).max(1000).optional(),
  max_budget: z.number().finite().nonnegative().nullable().optional(),
  budget_duration: duration.nullable().optional(),
  tpm_limit: count,
  rpm_limit: count,
  max_parallel_requests: count,
  metadata: z.record(z.string(), json).optional(),
  user_id: optionalId,
  team_id: optionalId,
  blocked: z.boolean().optional(),
};

/** A custom key: LiteLLM requires the `sk-` prefix; a minimum length keeps guessable keys out. */
export const customKey = z
  .string()
  .regex(/^sk-[\x21-\x7e]{8,250}$/, 'must start with "sk-" followed by 8 to 250 printable characters');

/** A key given by its plaintext or by its sha256 hex (what /key/list shows). */
export const keyOrHash = z.string().min(1).max(300);

export const generateKeySchema = z.strictObject({
  ...keySettings,
  duration: duration.nullable().optional(),
  key: customKey.optional(),
});

export const updateKeySchema = z.strictObject({
  ...keySettings,
  key: keyOrHash,
  // "-1" is LiteLLM's way to make a key never expire.
  duration: z.union([z.literal('-1'), duration]).nullable().optional(),
});

export const regenerateKeySchema = z.strictObject({
  ...keySettings,
  key: keyOrHash.optional(),
  new_key: customKey.optional(),
  duration: z.union([z.literal('-1'), duration]).nullable().optional(),
});

export const deleteKeysSchema = z
  .strictObject({
    keys: z.array(keyOrHash).min(1).max(100).optional(),
    key_aliases: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  })
  .refine((v) => v.keys !== undefined || v.key_aliases !== undefined, 'give "keys" or "key_aliases"');

export const blockKeySchema = z.strictObject({ key: keyOrHash });

export const listKeysQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(100).default(10),
  key_alias: z.string().optional(),
  team_id: z.string().optional(),
  user_id: z.string().optional(),
  key_hash: z.string().optional(),
  return_full_object: z.enum(['true', 'false']).optional(),
});

export type GenerateKeyInput = z.infer<typeof generateKeySchema>;
export type UpdateKeyInput = z.infer<typeof updateKeySchema>;
export type RegenerateKeyInput = z.infer<typeof regenerateKeySchema>;
export type KeySettings = Omit<UpdateKeyInput, 'key'>;
