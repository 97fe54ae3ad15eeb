/**
 * LiteLLM's model-carrying ids: `file-` / `batch_` + base64url-nopad(`litellm:<internal-id>;model,<model_name>`), so
 * the model of every later call is in the id. The id is only a routing hint: each access also checks the stored
 * owner and model, so an edited or forged id finds nothing.
 */
export type IdKind = 'file' | 'batch' | 'upload';

const PREFIX: Record<IdKind, string> = { file: 'file-', batch: 'batch_', upload: 'upload_' };
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Internal ids sort newest first (a reversed time prefix) so R2 lists an owner's objects in OpenAI's order, and
 * carry 96 random bits so they cannot be guessed.
 */
export function newInternalId(now = Date.now()): string {
  return `${timePrefix(now)}${base64url(crypto.getRandomValues(new Uint8Array(12)))}`;
}

const TIME_MAX = 8_640_000_000_000_000;

/** The first 11 characters of every internal id made at `ms`: later times sort first. */
export function timePrefix(ms: number): string {
  return (TIME_MAX - ms).toString(36).padStart(11, '0');
}

/**
 * When an internal id was made (ms), read back from its prefix; undefined when the prefix is not one timePrefix
 * makes (an id edited by hand: its NaN would stall a walk over time windows).
 */
export function timeOf(internal: string): number | undefined {
  const prefix = internal.slice(0, 11);
  if (!/^[0-9a-z]{11}$/.test(prefix)) return undefined;
  const ms = TIME_MAX - parseInt(prefix, 36);
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= TIME_MAX ? ms : undefined;
}

export function encodeId(kind: IdKind, internal: string, model: string): string {
  return PREFIX[kind] + base64url(encoder.encode(`litellm:${internal};model,${model}`));
}

export interface DecodedId {
  internal: string;
  model: string;
}

/** Undefined for anything that is not a well-formed id of this kind (the caller answers 404). */
export function decodeId(kind: IdKind, id: string): DecodedId | undefined {
  if (!id.startsWith(PREFIX[kind]) || id.length > 600) return undefined;
  const bytes = unbase64url(id.slice(PREFIX[kind].length));
  if (!bytes) return undefined;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  const match = /^litellm:([A-Za-z0-9_-]{20,64});model,(.*)$/s.exec(text);
  return match ? { internal: match[1]!, model: match[2]! } : undefined;
}
