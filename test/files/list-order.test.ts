import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson, expectEnvelope } from '../helpers/gateway';
import { keyWithId, uploadFile } from '../helpers/files';
import { sdk } from '../helpers/sdk';
import { saveFileRecord, type Purpose } from '../../src/files/file-store';
import { encodeId, newInternalId } from '../../src/files/ids';

interface Page {
  data: { id: string; created_at: number }[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Every page of GET /v1/files, following `after` = last_id like the SDKs do. */
async function allPages(key: string, query: string): Promise<string[][]> {
  const pages: string[][] = [];
  let after = '';
  for (;;) {
    const { status, body } = await callJson<Page>(`/v1/files?${query}${after ? `&after=${after}` : ''}`, { key });
    expect(status, JSON.stringify(body).slice(0, 200)).toBe(200);
    pages.push(body.data.map((f) => f.id));
    if (!body.has_more) return pages;
    expect(body.last_id).toBe(body.data.at(-1)!.id);
    after = body.last_id!;
  }
}

describe('GET /v1/files?order=', () => {
  it('asc lists oldest first, pages with after/limit/has_more, filters by purpose; desc and the SDK agree', async () => {
    const owner = await keyWithId();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const purpose = i === 2 ? 'assistants' : 'user_data';
      ids.push((await uploadFile(`doc ${i}`, { key: owner.key, purpose, filename: `d${i}.txt` })).body.id);
    }
    const asc = await callJson<Page>('/v1/files?order=asc', { key: owner.key });
    expect(asc.status).toBe(200);
    expect(asc.body).toMatchObject({ first_id: ids[0], last_id: ids[4], has_more: false });
    expect(asc.body.data.map((f) => f.id)).toEqual(ids);
    expect(await allPages(owner.key, 'order=asc&limit=2')).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(await allPages(owner.key, 'order=desc&limit=2')).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
    expect((await allPages(owner.key, 'order=asc&limit=2&purpose=user_data')).flat()).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    const listed: string[] = [];
    for await (const f of sdk(owner.key).files.list({ order: 'asc', limit: 2 })) listed.push(f.id);
    expect(listed).toEqual(ids);
  });

  it('refuses an order other than asc or desc, naming the field', async () => {
    const { status, body } = await callJson('/v1/files?order=newest');
    expect(status).toBe(400);
    expect(expectEnvelope(body).param).toBe('order');
  });

  it('stays exact over thousands of files: spread over decades, and 1,100 made in the same millisecond', async () => {
    const owner = await keyWithId();
    const base = Date.UTC(2025, 0, 1);
    const times = [
      ...Array.from({ length: 300 }, (_, i) => Date.UTC(1975, 0, 1) + i * 3_500_000_000), // ~33 years, every ~40 days
      ...Array.from({ length: 1100 }, () => base), // more than one R2 listing page within one millisecond
      ...Array.from({ length: 300 }, (_, i) => base + 1 + i * 37), // a dense run right after it
      ...Array.from({ length: 100 }, (_, i) => Date.now() - 100_000 + i * 1000), // the last minutes
    ];
    const internals = times.map((t) => newInternalId(t));
    for (let i = 0; i < internals.length; i += 100) {
      await Promise.all(
        internals.slice(i, i + 100).map((internal, j) =>
          saveFileRecord(env.FILES, {
            id: encodeId('file', internal, ''),
            internal,
            owner: owner.id,
            model: '',
            purpose: ((i + j) % 3 === 0 ? 'assistants' : 'user_data') as Purpose,
            filename: 'seeded.txt',
            bytes: 1,
            created_at: Math.floor(times[i + j]! / 1000),
          }),
        ),
      );
    }
    // R2 lists keys ascending, which is newest first; oldest first is the exact reverse.
    const newest = [...internals].sort().map((internal) => encodeId('file', internal, ''));
    const oldest = [...newest].reverse();
    const asc = await allPages(owner.key, 'order=asc&limit=1000');
    expect(asc.map((p) => p.length)).toEqual([1000, 800]);
    expect(asc.flat()).toEqual(oldest);
    expect((await allPages(owner.key, 'order=desc&limit=1000')).flat()).toEqual(newest);
    // Small pages that start inside the same-millisecond run, and a purpose filter across windows.
    const inside = oldest[1000]!;
    const next = await callJson<Page>(`/v1/files?order=asc&limit=300&after=${inside}`, { key: owner.key });
    expect(next.body.data.map((f) => f.id)).toEqual(oldest.slice(1001, 1301));
    expect(next.body.has_more).toBe(true);
    const assistants = newest.filter((id) => internals.indexOf(idToInternal(id)) % 3 === 0).reverse();
    expect((await allPages(owner.key, 'order=asc&limit=400&purpose=assistants')).flat()).toEqual(assistants);
  });
});

function idToInternal(id: string): string {
  return /litellm:([^;]+);/.exec(atob(id.slice(5).replace(/-/g, '+').replace(/_/g, '/')))![1]!;
}
