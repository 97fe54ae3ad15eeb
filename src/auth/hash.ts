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

export async function digestOf(key: string): Promise<Uint8Array> {
  const known = digests.get(key);
  if (known) return known;
  const digest = await sha256(key);
  if (digests.size >= MAX_DIGESTS) digests.clear();
  digests.set(key, digest);
  return digest;
}

/** Compares two digests without leaking, through timing, how many leading bytes match. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}
