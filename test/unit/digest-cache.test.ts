import { describe, expect, it } from 'vitest';
import { digestOf, knownDigest, sha256 } from '../../src/auth/hash';

describe('key digest cache', () => {
  it('keeps digests of key-sized strings, and only hashes longer ones (any header value can be presented)', async () => {
    const key = `sk-${'a'.repeat(48)}`;
    await digestOf(key);
    expect(knownDigest(key)).toEqual(await sha256(key));
    const junk = 'x'.repeat(100_000);
    expect(await digestOf(junk)).toEqual(await sha256(junk));
    expect(knownDigest(junk)).toBeUndefined();
  });
});
