// What an oldest-first page of GET /v1/files costs in R2 listings (docs/storage.md quotes these numbers): it must
// grow with the log of the owner's file count, never with one listing per thousand files.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { keyWithId } from '../helpers/files';
import { listFiles } from '../../src/files/file-listing';
import { saveFileRecord } from '../../src/files/file-store';
import { encodeId, newInternalId } from '../../src/files/ids';

/** The real bucket, with its list calls counted (every other call goes straight through). */
function countingLists(bucket: R2Bucket): { bucket: R2Bucket; lists: () => number } {
  let lists = 0;
  const counted = new Proxy(bucket, {
    get(target, name) {
      if (name === 'list') {
        return (options?: R2ListOptions) => {
          lists++;
          return target.list(options);
        };
      }
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { bucket: counted, lists: () => lists };
}

async function seed(owner: string, times: readonly number[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < times.length; i += 100) {
    const chunk = times.slice(i, i + 100).map((t) => ({ internal: newInternalId(t), created_at: Math.floor(t / 1000) }));
    await Promise.all(
      chunk.map(({ internal, created_at }) =>
        saveFileRecord(env.FILES, { id: encodeId('file', internal, ''), internal, owner, model: '', purpose: 'user_data', filename: 's.txt', bytes: 1, created_at }),
      ),
    );
    ids.push(...chunk.map((c) => encodeId('file', c.internal, '')));
  }
  return ids;
}

const DAY = 86_400_000;

describe('GET /v1/files?order=asc cost', () => {
  const spreads: [string, number][] = [
    ['the last hour', 3_600_000],
    ['the last 30 days', 30 * DAY],
    ['the last 3 years', 3 * 365 * DAY],
  ];
  for (const [label, span] of spreads) {
    it(`a page of 100 over 2,000 files made over ${label}`, async () => {
      const owner = await keyWithId();
      const end = Date.now() - 1000;
      const ids = await seed(owner.id, Array.from({ length: 2000 }, (_, i) => end - span + Math.floor((i * span) / 2000)));
      const cost: Record<string, number> = {};
      const page = async (name: string, order: 'asc' | 'desc', after?: string): Promise<string[]> => {
        const counted = countingLists(env.FILES);
        const got = await listFiles(counted.bucket, owner.id, { limit: 100, order, ...(after ? { after } : {}) });
        cost[name] = counted.lists();
        return got.data.map((f) => f.id);
      };
      expect(await page('asc, first page', 'asc')).toEqual(ids.slice(0, 100));
      expect(await page('asc, after the 1,000th', 'asc', ids[999])).toEqual(ids.slice(1000, 1100));
      expect(await page('asc, last page', 'asc', ids[1899])).toEqual(ids.slice(1900));
      expect(await page('desc, first page', 'desc')).toEqual(ids.slice(-100).reverse());
      console.log(`R2 list calls, 2,000 files over ${label}: ${JSON.stringify(cost)}`);
      for (const calls of Object.values(cost)) expect(calls).toBeLessThanOrEqual(40);
    }, 60_000);
  }
});
