const encoder = new TextEncoder();

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(text));
}

/**
 * sha256 of keys this isolate has seen, so a busy key is hashed once rather than on every request. Values are
 * stored resolved (never a promise one request would hand to another), and the map is simply cleared when full.
 */
const digests = new Map<string, Uint8Array>();
const MAX_DIGESTS = 10_000;
/**
 * Longer strings are hashed but not kept: anyone may present any header value as a key, and 10,000 kept strings of
 * up to 128 KB each would take more memory than an isolate has. Gateway keys are ~50 characters.
 */
const MAX_CACHED_KEY = 256;

/** The digest of a key this isolate has already hashed: no await on the hot path of a busy key. */
export function knownDigest(key: string): Uint8Array | undefined {
  return digests.get(key);
}

export async function digestOf(key: string): Promise<Uint8Array> {
  const known = knownDigest(key);
  if (known) return known;
  const digest = await sha256(key);
  if (key.length > MAX_CACHED_KEY) return digest;
  if (digests.size >= MAX_DIGESTS) digests.clear();
  digests.set(key, digest);
  return digest;
}

/**
 * Compares two digests without leaking, through timing, how many leading bytes match: every byte is visited and
 * differences are OR-ed together, with no early exit. (`crypto.subtle.timingSafeEqual` does the same natively but
 * cost ~25 µs per call here, on every request; the inputs are fixed-size digests, never the keys themselves.)
 */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
