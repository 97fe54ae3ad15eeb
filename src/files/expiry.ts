import { invalidRequest } from '../http/errors';
import * as z from '../http/zod';

/** OpenAI's bounds for `expires_after.seconds`: one hour to 30 days. */
export const MIN_EXPIRY_S = 3600;
export const MAX_EXPIRY_S = 2_592_000;

/** `{"anchor": "created_at", "seconds": n}` in JSON bodies (uploads.create, batches.create's output_expires_after). */
export const expiresAfterSchema = z.strictObject({
  anchor: z.literal('created_at'),
  seconds: z.int().check(z.minimum(MIN_EXPIRY_S), z.maximum(MAX_EXPIRY_S)),
});

const FIELDS = ['expires_after[anchor]', 'expires_after[seconds]'];

/**
 * The same policy in a multipart form, where the OpenAI SDKs flatten nested objects into `expires_after[anchor]`
 * and `expires_after[seconds]`. Returns the seconds, or undefined when the form sets no expiry.
 */
export function formExpiresAfter(fields: ReadonlyMap<string, string>): number | undefined {
  const names = [...fields.keys()].filter((name) => name.startsWith('expires_after'));
  if (names.length === 0) return undefined;
  const unknown = names.find((name) => !FIELDS.includes(name));
  if (unknown) {
    throw invalidRequest(`${unknown.slice(0, 80)}: unknown field; send expires_after[anchor] and expires_after[seconds]`, unknown.slice(0, 80));
  }
  const anchor = fields.get('expires_after[anchor]');
  if (anchor === undefined) throw invalidRequest('expires_after[anchor]: is required', 'expires_after[anchor]');
  if (anchor !== 'created_at') throw invalidRequest('expires_after[anchor]: expected "created_at"', 'expires_after[anchor]');
  const seconds = fields.get('expires_after[seconds]');
  if (seconds === undefined) throw invalidRequest('expires_after[seconds]: is required', 'expires_after[seconds]');
  const value = /^\d{1,10}$/.test(seconds) ? Number(seconds) : NaN;
  if (!(value >= MIN_EXPIRY_S && value <= MAX_EXPIRY_S)) {
    throw invalidRequest(`expires_after[seconds]: expected an integer from ${MIN_EXPIRY_S} to ${MAX_EXPIRY_S}`, 'expires_after[seconds]');
  }
  return value;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
