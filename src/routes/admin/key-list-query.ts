import * as z from '../../http/zod';
import { KEY_SORT_FIELDS } from '../../keys/key-listing';
import { queryBool } from './query-bool';

/**
 * `GET /key/list`'s query, with LiteLLM's parameter names. Unknown parameters are ignored, as LiteLLM (FastAPI) and
 * this gateway's other admin reads do; a known one with a bad value is a 400 naming it. `organization_id` and
 * `include_team_keys` are accepted and ignored: keys here belong to no organization, and the master key (the only
 * caller) sees every team's keys anyway.
 */
export const listKeysQuerySchema = z.object({
  page: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 1),
  size: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 10),
  key_alias: z.optional(z.string()),
  team_id: z.optional(z.string()),
  user_id: z.optional(z.string()),
  key_hash: z.optional(z.string()),
  organization_id: z.optional(z.string()),
  return_full_object: z._default(queryBool, false),
  include_team_keys: z._default(queryBool, false),
  sort_by: z.optional(z.enum(KEY_SORT_FIELDS, { error: `must be one of ${KEY_SORT_FIELDS.join(', ')}` })),
  // LiteLLM compares the order case-insensitively.
  sort_order: z._default(
    z.pipe(
      z.pipe(z.string(), z.transform((v: string) => v.toLowerCase())),
      z.enum(['asc', 'desc'], { error: "must be 'asc' or 'desc'" }),
    ),
    'desc',
  ),
});

export type ListKeysQuery = z.infer<typeof listKeysQuerySchema>;
