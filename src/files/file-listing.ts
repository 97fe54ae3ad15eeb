import { invalidRequest } from '../http/errors';
import { nowSeconds } from './expiry';
import { deleteFiles, fromMetadata, isDeletable, isExpired, type FileRecord } from './file-store';
import { decodeId, timeOf, timePrefix } from './ids';
import { fileMetaPrefix } from './r2-layout';

/** A bound on the time windows of one oldest-first page; the last one is listed whole, however long it is. */
const MAX_WINDOWS = 128;

export interface FilePage {
  data: FileRecord[];
  has_more: boolean;
}

export interface ListOptions {
  purpose?: string;
  limit: number;
  /** A file id of the previous page. */
  after?: string;
  order: 'asc' | 'desc';
}

/**
 * `GET /v1/files` by `created_at`, newest first (`desc`) or oldest first (`asc`). Expired files are left out and
 * deleted on the way.
 */
export async function listFiles(bucket: R2Bucket, owner: string, options: ListOptions): Promise<FilePage> {
  const prefix = fileMetaPrefix(owner);
  const afterInternal = options.after === undefined ? undefined : afterPoint(options.after);
  const now = nowSeconds();
  const data: FileRecord[] = [];
  const expired: FileRecord[] = [];
  /** Takes one listed record; true once a match beyond the page shows there is more. */
  const take = (o: R2Object): boolean => {
    const f = fromMetadata(owner, o.key.slice(prefix.length), o.customMetadata ?? {});
    if (isExpired(f, now)) {
      if (isDeletable(f, now)) expired.push(f);
      return false;
    }
    if (options.purpose && f.purpose !== options.purpose) return false;
    if (data.length === options.limit) return true;
    data.push(f);
    return false;
  };
  const has_more =
    options.order === 'asc'
      ? await oldestFirst(bucket, prefix, afterInternal, take, () => options.limit + 1 - data.length)
      : await newestFirst(bucket, prefix, afterInternal?.internal, take);
  if (expired.length) await deleteFiles(bucket, expired, true);
  return { data, has_more };
}

/**
 * The internal id of `after`. It must be a file id whose internal part carries a creation time, since the oldest
 * first walk starts at that time; anything else is the caller's mistake, not a reason to list from the start.
 */
function afterPoint(after: string): { internal: string; time: number } {
  const internal = decodeId('file', after)?.internal;
  const time = internal === undefined ? undefined : timeOf(internal);
  if (internal === undefined || time === undefined) throw invalidRequest('after: expected a file id from a previous page', 'after');
  return { internal, time };
}

/** R2 lists keys in ascending order, and internal ids sort newest first: this is R2's own order. */
async function newestFirst(bucket: R2Bucket, prefix: string, afterInternal: string | undefined, take: (o: R2Object) => boolean): Promise<boolean> {
  for await (const page of listPages(bucket, prefix, afterInternal ? prefix + afterInternal : undefined, true)) {
    for (const o of page.objects) if (take(o)) return true;
  }
  return false;
}

/**
 * Oldest first, against R2's order, without reading every key: R2 can only start a listing at a key, so this walks
 * time windows forward from the `after` file (or from the start of time). A window is the key range of ids made up
 * to a time `to` that are newer than what was taken (keys below `bound`). Its keys are listed alone (a thousand per
 * call); a window holding more than that is narrowed (halfway to the oldest key seen) before anything of it is
 * taken, one that fits is followed by a window twice as long, and the last one is open-ended. The records of a
 * window are then read from its oldest end, only as many as the page still needs.
 */
async function oldestFirst(
  bucket: R2Bucket,
  prefix: string,
  after: { internal: string; time: number } | undefined,
  take: (o: R2Object) => boolean,
  wanted: () => number,
): Promise<boolean> {
  let bound = after ? prefix + after.internal : undefined;
  let from = after?.time ?? 0;
  let to = Infinity;
  /** The oldest key of the last window that overflowed: a window reaching past it would overflow again. */
  let ceiling = Infinity;
  let exhaustive = false;
  for (let windows = 1; ; windows++) {
    // Halving and doubling take a few dozen windows at most; should they ever not converge, the rest is listed whole.
    if (windows === MAX_WINDOWS) [to, exhaustive] = [Infinity, true];
    const start = to === Infinity ? undefined : prefix + timePrefix(to);
    const window = await windowKeys(bucket, prefix, start, bound, exhaustive);
    if (window.overflow) {
      if (window.overflowAt !== undefined) ceiling = window.overflowAt;
      const middle = from + Math.floor(((window.overflowAt ?? NaN) - from) / 2);
      // More than a thousand ids made within a millisecond or two (never in practice), or a key without a time:
      // list that window whole. Written so that NaN lands here too.
      if (!(middle > from)) exhaustive = true;
      else to = middle;
      continue;
    }
    const keys = window.keys;
    for (let end = keys.length; end > 0; ) {
      const begin = Math.max(0, end - Math.min(1000, wanted()));
      const records = await recordsBetween(bucket, prefix, begin > 0 ? keys[begin - 1] : start, keys[end - 1]!);
      for (const o of records.reverse()) if (take(o)) return true;
      end = begin;
    }
    if (to === Infinity) return false;
    const span = to - from;
    bound = start;
    from = to;
    if (ceiling <= from) ceiling = Infinity;
    to = Math.min(from + 2 * span, ceiling);
    if (to >= Date.now()) to = Infinity;
    exhaustive = false;
  }
}

/**
 * The keys after `start` and below `bound`, in R2's order. Unless `exhaustive`, a range that does not fit one
 * listing is not read on: `overflowAt` is then the creation time of the oldest key seen (if it has one).
 */
async function windowKeys(
  bucket: R2Bucket,
  prefix: string,
  start: string | undefined,
  bound: string | undefined,
  exhaustive: boolean,
): Promise<{ keys: string[]; overflow?: true; overflowAt?: number | undefined }> {
  const keys: string[] = [];
  for await (const page of listPages(bucket, prefix, start, false)) {
    for (const o of page.objects) {
      if (bound !== undefined && o.key >= bound) return { keys };
      keys.push(o.key);
    }
    if (page.truncated && !exhaustive && keys.length) return { keys: [], overflow: true, overflowAt: timeOf(keys.at(-1)!.slice(prefix.length)) };
  }
  return { keys };
}

/** The records after `start` up to and including `last`, in R2's order (a listing with metadata may page often). */
async function recordsBetween(bucket: R2Bucket, prefix: string, start: string | undefined, last: string): Promise<R2Object[]> {
  const records: R2Object[] = [];
  for await (const page of listPages(bucket, prefix, start, true)) {
    for (const o of page.objects) {
      if (o.key > last) return records;
      records.push(o);
    }
  }
  return records;
}

/** R2's listing of `prefix` after `start`, a page (a thousand keys or fewer) at a time; stopping early lists no more. */
async function* listPages(bucket: R2Bucket, prefix: string, start: string | undefined, withMetadata: boolean): AsyncGenerator<R2Objects> {
  let cursor: string | undefined;
  for (;;) {
    const page = await bucket.list({
      prefix,
      limit: 1000,
      ...(withMetadata ? { include: ['customMetadata' as const] } : {}),
      ...(cursor ? { cursor } : start ? { startAfter: start } : {}),
    });
    yield page;
    if (!page.truncated) return;
    cursor = page.cursor;
  }
}
