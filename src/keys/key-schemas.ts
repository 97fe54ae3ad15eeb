import * as z from '../http/zod';
import { DURATION_HINT, parseDuration } from './duration';
import type { Json } from './key-record';

/**
 * Request bodies of LiteLLM's /key/* API. Unlike LiteLLM, unknown fields are refused: a typo in `rpm_limt` must
 * not silently create an unlimited key.
 */
const json: z.ZodMiniType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);

/** Far beyond any real metadata, far below what the recursive `json` schema (and storage) can walk. */
const MAX_METADATA_DEPTH = 32;

/** Whether arrays/objects nest more than `limit` levels: a stack, not recursion, since the input is the client's. */
function nestedDeeperThan(root: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[root, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}

// The depth is checked first: a pipe stops at a failed check, so `json` never recurses into a too-deep value.
const metadata = z.pipe(
  z.unknown().check(
    z.refine((v) => !nestedDeeperThan(v, MAX_METADATA_DEPTH), `is nested more than ${MAX_METADATA_DEPTH} levels deep`),
  ),
  z.record(z.string(), json),
);

const duration = z.string().check(z.refine((v) => parseDuration(v) !== undefined, `must be ${DURATION_HINT}`));
const optionalId = z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(128))));
const count = z.optional(z.nullable(z.int().check(z.nonnegative())));

/**
 * An alias is also a KV key (`alias:` + its URI encoding), and KV keys hold 512 bytes: 200 ASCII characters fit,
 * but a character outside ASCII takes up to 12 bytes encoded.
 */
const alias = z.string().check(
  z.minLength(1),
  z.maxLength(200),
  z.refine((v) => encodeURIComponent(v).length <= 500, 'is too long: at most 500 bytes once URL-encoded (about 55 characters outside ASCII)'),
);

const keySettings = {
  key_alias: z.optional(z.nullable(alias)),
  models: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.maxLength(1000))),
  max_budget: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  budget_duration: z.optional(z.nullable(duration)),
  tpm_limit: count,
  rpm_limit: count,
  max_parallel_requests: count,
  metadata: z.optional(metadata),
  user_id: optionalId,
  team_id: optionalId,
  blocked: z.optional(z.boolean()),
};

/** A custom key: LiteLLM requires the `sk-` prefix; a minimum length keeps guessable keys out. */
export const customKey = z
  .string()
  .check(z.regex(/^sk-[\x21-\x7e]{8,250}$/, 'must start with "sk-" followed by 8 to 250 printable characters'));

/** A key given by its plaintext or by its sha256 hex (what /key/list shows). */
export const keyOrHash = z.string().check(z.minLength(1), z.maxLength(300));

// "-1" is LiteLLM's way to make a key never expire.
const updatableDuration = z.optional(z.nullable(z.union([z.literal('-1'), duration])));

export const generateKeySchema = z.strictObject({
  ...keySettings,
  duration: z.optional(z.nullable(duration)),
  key: z.optional(customKey),
});

export const updateKeySchema = z.strictObject({ ...keySettings, key: keyOrHash, duration: updatableDuration });

export const regenerateKeySchema = z.strictObject({
  ...keySettings,
  key: z.optional(keyOrHash),
  new_key: z.optional(customKey),
  duration: updatableDuration,
});

export const deleteKeysSchema = z
  .strictObject({
    keys: z.optional(z.array(keyOrHash).check(z.minLength(1), z.maxLength(100))),
    key_aliases: z.optional(z.array(alias).check(z.minLength(1), z.maxLength(100))),
  })
  .check(z.refine((v) => v.keys !== undefined || v.key_aliases !== undefined, 'give "keys" or "key_aliases"'));

export const blockKeySchema = z.strictObject({ key: keyOrHash });

export type GenerateKeyInput = z.infer<typeof generateKeySchema>;
export type UpdateKeyInput = z.infer<typeof updateKeySchema>;
export type RegenerateKeyInput = z.infer<typeof regenerateKeySchema>;
export type KeySettings = Omit<UpdateKeyInput, 'key'>;
