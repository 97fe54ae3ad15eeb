import { Hono } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { GatewayError } from '../../http/errors';
import { validate } from '../../http/validate';
import { hashOf } from '../../keys/key-service';
import { allSpendLogs } from '../../keys/spend-logs';
import { ledger } from '../../keys/ledger-client';
import type { SpendLogQuery } from '../../keys/ledger-types';
import { liveKey } from '../../proxy/accounting';

const date = z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD) or an ISO time'));

const querySchema = z.strictObject({
  api_key: z.optional(z.string().check(z.minLength(1))),
  request_id: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  start_date: z.optional(date),
  end_date: z.optional(date),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 100),
});

/** A bare date as end_date includes that whole day, as LiteLLM's date filters do. */
function endOf(value: string): number {
  const t = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? t + 86_400_000 : t;
}

/**
 * `GET /spend/logs`: one row per request. The master key reads any key's rows (or everyone's, newest first);
 * a virtual key reads only its own.
 */
export function spendRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/spend/logs', authenticate, async (c) => {
    const q = validate(querySchema, c.req.query());
    const query: SpendLogQuery = {
      limit: q.limit,
      ...(q.request_id ? { requestId: q.request_id } : {}),
      ...(q.start_date ? { from: Date.parse(q.start_date) } : {}),
      ...(q.end_date ? { to: endOf(q.end_date) } : {}),
    };
    const own = await liveKey(c.env, c.get('caller'));
    if (own) {
      if (q.api_key && (await hashOf(q.api_key)) !== own.token) {
        throw new GatewayError('forbidden', 'A key may only read its own spend logs');
      }
      return c.json(await ledger(c.env, own.token).logs(query));
    }
    if (q.api_key) return c.json(await ledger(c.env, q.api_key === 'master' ? 'master' : await hashOf(q.api_key)).logs(query));
    return c.json(await allSpendLogs(c.env, query));
  });
  return app;
}
