// PartWriter streams objects of unknown length into R2: one put for an object under a part, else 8 MiB multipart
// parts, two buffers used in turn. Whatever the chunking, R2 must hold exactly the bytes written.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PART_SIZE, PartWriter } from '../../src/files/part-writer';

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) % 251;
  return bytes;
}

async function writeAndRead(key: string, sizes: number[]): Promise<{ written: Uint8Array; stored: Uint8Array; bytes: number; calls: number }> {
  const writer = new PartWriter(env.FILES, key);
  const chunks = sizes.map((n, i) => pattern(n, i));
  for (const chunk of chunks) await writer.write(chunk);
  const { bytes } = await writer.close();
  const calls = writer.subrequests;
  const written = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const chunk of chunks) {
    written.set(chunk, at);
    at += chunk.length;
  }
  const object = await env.FILES.get(key);
  const stored = new Uint8Array(await object!.arrayBuffer());
  await env.FILES.delete(key);
  return { written, stored, bytes, calls };
}

describe('PartWriter', () => {
  // R2 calls: one put under a part; else create, one per part, complete (each a subrequest of the invocation).
  it.each([
    ['a few bytes', [1, 10], 1],
    ['a small object in one put', [1, 300 * 1024, 3 * 1024 * 1024, 1], 1],
    ['exactly one part', [PART_SIZE], 3],
    ['several parts, chunks across part boundaries', [5, 7 * 1024 * 1024, 9 * 1024 * 1024 + 3, 1, 2 * 1024 * 1024], 5],
  ] as [string, number[], number][])('stores %s byte for byte', async (_name, sizes, r2Calls) => {
    const { written, stored, bytes, calls } = await writeAndRead(`test/part-writer/${sizes.join('-')}`, sizes);
    expect(calls).toBe(r2Calls);
    expect(bytes).toBe(written.length);
    expect(stored.length).toBe(written.length);
    expect(Buffer.from(stored).equals(Buffer.from(written))).toBe(true);
  });
});
