/**
 * Dashboard sessions: the master key is checked once at sign-in and never stored in the browser. The cookie holds
 * `{sid, exp}` signed with HMAC-SHA256 under a key derived from MASTER_KEY, so rotating the master key ends every
 * session. CSRF tokens are HMACs of the session id under the same key. The only server-side state is the list of
 * signed-out sessions in KV, so a copied cookie dies with sign-out rather than at its expiry.
 */
export const SESSION_COOKIE = 'gw_session';
export const SESSION_TTL_S = 8 * 3600;

export interface Session {
  sid: string;
  exp: number;
}

const encoder = new TextEncoder();
let keyMemo: { master: string; key: CryptoKey } | undefined;

async function signingKey(master: string): Promise<CryptoKey> {
  if (keyMemo?.master === master) return keyMemo.key;
  const material = await crypto.subtle.digest('SHA-256', encoder.encode(`vllm-edge-gateway dashboard session v1\n${master}`));
  const key = await crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  keyMemo = { master, key };
  return key;
}

function b64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export async function issueSession(master: string, now = Date.now()): Promise<{ cookie: string; session: Session }> {
  const session: Session = { sid: b64url(crypto.getRandomValues(new Uint8Array(18))), exp: Math.floor(now / 1000) + SESSION_TTL_S };
  const payload = b64url(encoder.encode(JSON.stringify(session)));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(master), encoder.encode(payload)));
  return { cookie: `${payload}.${b64url(mac)}`, session };
}

export async function readSession(master: string, cookie: string | undefined, now = Date.now()): Promise<Session | undefined> {
  if (!cookie) return undefined;
  const [payload, mac] = cookie.split('.');
  const macBytes = mac ? unb64url(mac) : undefined;
  if (!payload || !macBytes) return undefined;
  const ok = await crypto.subtle.verify('HMAC', await signingKey(master), macBytes, encoder.encode(payload));
  if (!ok) return undefined;
  const bytes = unb64url(payload);
  if (!bytes) return undefined;
  try {
    const session = JSON.parse(new TextDecoder().decode(bytes)) as Session;
    return typeof session.sid === 'string' && typeof session.exp === 'number' && session.exp * 1000 > now ? session : undefined;
  } catch {
    return undefined;
  }
}

export async function csrfToken(master: string, session: Session): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await signingKey(master), encoder.encode(`csrf\n${session.sid}`));
  return b64url(new Uint8Array(mac));
}

/** Constant-time check of a submitted CSRF token. */
export async function csrfValid(master: string, session: Session, submitted: string | undefined): Promise<boolean> {
  const bytes = submitted ? unb64url(submitted) : undefined;
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', await signingKey(master), bytes, encoder.encode(`csrf\n${session.sid}`));
}

const REVOKED = 'session-revoked:';

/** Sign-out: the session id is refused from now on (KV drops the entry once the cookie would have expired anyway). */
export async function revokeSession(kv: KVNamespace, session: Session, now = Date.now()): Promise<void> {
  const left = session.exp - Math.floor(now / 1000);
  // KV's shortest expiry is 60 s.
  await kv.put(REVOKED + session.sid, '1', { expirationTtl: Math.max(60, left) });
}

export async function isRevoked(kv: KVNamespace, session: Session): Promise<boolean> {
  return (await kv.get(REVOKED + session.sid)) !== null;
}
