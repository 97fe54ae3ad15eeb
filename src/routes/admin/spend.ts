import { Hono } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { GatewayError, invalidRequest } from '../../http/errors';
import { validate } from '../../http/validate';
import { hashOf } from '../../keys/key-service';
import { everyLedger, ledgerRef, readSpendLogs, type LedgerRef } from '../../keys/spend-logs';
import type { SpendLogQuery } from '../../keys/ledger-types';
import { liveKey } from '../../proxy/accounting';
import { queryBool } from './query-bool';
import { summarizeSpend } from './spend-summary';

const date = z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD) or an ISO time'));
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * LiteLLM's view_spend_logs parameters, plus `limit`. Unknown parameters are ignored, as LiteLLM (FastAPI) and the
 * other admin reads do; a known one with a bad value is a 400 naming it.
 */
const querySchema = z.object({
  api_key: z.optional(z.string().check(z.minLength(1))),
  user_id: z.optional(z.string().check(z.maxLength(128))),
  request_id: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  start_date: z.optional(date),
  end_date: z.optional(date),
  summarize: z._default(queryBool, true),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 100),
});

/** A bare date as end_date includes that whole day, as LiteLLM's date filters do. */
function endOf(value: string): number {
  const t = Date.parse(value);
  return BARE_DATE.test(value) ? t + 86_400_000 : t;
}

/**
 * `GET /spend/logs`: one row per request, or with `start_date` and `end_date` (and `summarize`, true by default, as
 * in LiteLLM) one entry per day. The master key reads any key's rows (or everyone's, newest first); a virtual key
 * reads only its own. `user_id` matches the keys' `user_id` (set by /key/generate or /key/update).
 */
export function spendRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/spend/logs', authenticate, async (c) => {
    const q = validate(querySchema, c.req.query());
    const own = await liveKey(c.env, c.get('caller'));
    let ledgers: LedgerRef[];
    if (own) {
      if (q.api_key && (await hashOf(q.api_key)) !== own.token) {
        throw new GatewayError('forbidden', 'A key may only read its own spend logs');
      }
      ledgers = [{ name: own.token, user: own.user_id ?? '' }];
    } else if (q.api_key) {
      ledgers = [await ledgerRef(c.env, q.api_key === 'master' ? 'master' : await hashOf(q.api_key))];
    } else {
      ledgers = await everyLedger(c.env);
    }
    if (q.user_id !== undefined) ledgers = ledgers.filter((l) => l.user === q.user_id);

    if (q.start_date !== undefined && q.end_date !== undefined && q.summarize) {
      for (const [param, value] of [['start_date', q.start_date], ['end_date', q.end_date]] as const) {
        if (!BARE_DATE.test(value)) {
          throw invalidRequest(`${param}: summarize=true sums whole days, so give a YYYY-MM-DD date (or pass summarize=false for times)`, param);
        }
      }
      const range = { from: Date.parse(q.start_date), to: endOf(q.end_date), ...(q.request_id ? { requestId: q.request_id } : {}) };
      return c.json(await summarizeSpend(c.env, ledgers, range));
    }
    const query: SpendLogQuery = {
      limit: q.limit,
      ...(q.request_id ? { requestId: q.request_id } : {}),
      ...(q.start_date ? { from: Date.parse(q.start_date) } : {}),
      ...(q.end_date ? { to: endOf(q.end_date) } : {}),
    };
    return c.json(await readSpendLogs(c.env, ledgers, query));
  });
  return app;
}
