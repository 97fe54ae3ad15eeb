// GET /v1/files?order=asc walks time windows read from the ids' reversed-time prefixes: an `after` (or a stored
// key) without a readable time must neither stall that walk nor list from the start as if it were absent.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson, expectEnvelope } from '../helpers/gateway';
import { keyWithId } from '../helpers/files';
import { saveFileRecord } from '../../src/files/file-store';
import { encodeId, newInternalId } from '../../src/files/ids';

/** Seeds file records straight into R2 (the same objects the gateway writes), a hundred at a time. */
async function seed(owner: string, internals: readonly string[]): Promise<void> {
  for (let i = 0; i < internals.length; i += 100) {
    await Promise.all(
      internals.slice(i, i + 100).map((internal) =>
        saveFileRecord(env.FILES, {
          id: encodeId('file', internal, ''),
          internal,
          owner,
          model: '',
          purpose: 'user_data',
          filename: 'seeded.txt',
          bytes: 1,
          created_at: 1,
        }),
      ),
    );
  }
}

/** Answers within `ms`, or fails the test instead of waiting on a request that never ends. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const randomTail = (): string => newInternalId().slice(11);

describe('GET /v1/files?order=asc&after=', () => {
  it('refuses an after whose internal id carries no creation time, naming after (before: walked windows forever)', async () => {
    const owner = await keyWithId();
    // More than one R2 listing, so the first window overflows and is narrowed from the after's time.
    const base = Date.now() - 3_600_000;
    await seed(owner.id, Array.from({ length: 1100 }, (_, i) => newInternalId(base + i * 1000)));
    for (const internal of ['_' + 'a'.repeat(23), 'NaNNaNNaNNa' + 'b'.repeat(16), 'zzzzzzzzzzz' + 'c'.repeat(16)]) {
      const after = encodeId('file', internal, 'm');
      for (const order of ['asc', 'desc']) {
        const { status, body } = await within(10_000, callJson(`/v1/files?order=${order}&after=${after}`, { key: owner.key }));
        expect(status, `${order} ${internal}`).toBe(400);
        expect(expectEnvelope(body).param).toBe('after');
      }
    }
    // An id that is not a file id at all is refused the same way (it used to list from the start).
    const { status } = await callJson('/v1/files?after=file-nonsense', { key: owner.key });
    expect(status).toBe(400);
  });

  it('ends, exact, when stored keys carry no time (a window that cannot be narrowed is listed whole)', async () => {
    const owner = await keyWithId();
    // Keys starting with `_` sort after every real one (oldest); 1,001 of them overflow the first window.
    const odd = Array.from({ length: 1001 }, () => '_' + randomTail() + 'xxxxxxxxxx');
    const real = Array.from({ length: 5 }, (_, i) => newInternalId(Date.now() - 10_000 + i));
    await seed(owner.id, [...odd, ...real]);
    const { status, body } = await within(
      15_000,
      callJson<{ data: { id: string }[]; has_more: boolean }>('/v1/files?order=asc&limit=1010', { key: owner.key }),
    );
    expect(status).toBe(200);
    const expected = [...odd, ...real].sort().reverse().map((internal) => encodeId('file', internal, ''));
    expect(body.data.map((f) => f.id)).toEqual(expected);
    expect(body.has_more).toBe(false);
  }, 30_000);
});
