import { bodyReadError } from './body-read-error';
import { GatewayError, invalidRequest } from './errors';

const DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Limit for JSON request bodies: parsing a JSON document costs several times its size in an isolate's 128 MB. */
export function maxJsonBytes(configured: string | undefined): number {
  const mb = Number(configured);
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : DEFAULT_MAX_JSON_BYTES;
}

export function requireJsonContentType(request: Request): void {
  const raw = request.headers.get('content-type');
  if (raw === 'application/json') return; // what SDKs send: no parsing on the hot path
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new GatewayError(
      'unsupported_media_type',
      `Content-Type must be application/json, got ${type ? `'${type.slice(0, 80)}'` : 'none'}`,
    );
  }
}

/**
 * Reads the body as UTF-8 text, refusing (413) before or while reading once it exceeds `limit` bytes. Not `async`:
 * the usual case hands back the runtime's own promise, without wrapping it in another.
 */
export function readTextLimited(request: Request, limit: number): Promise<string> {
  const length = request.headers.get('content-length');
  if (length !== null) {
    const declared = Number(length);
    if (declared > limit) return Promise.reject(tooLarge(limit));
    // A declared length within the limit (the usual case) lets the runtime read the body natively. The `body`
    // getter is not touched on this path: it builds a JS stream object the native read does not need.
    if (Number.isFinite(declared)) return request.text();
  }
  return readStreamed(request, limit);
}

/** readTextLimited for routes off the hot path: a body cut short is the client's 400, not the runtime's I/O error. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  try {
    return await readTextLimited(request, limit);
  } catch (err) {
    throw bodyReadError(err);
  }
}

async function readStreamed(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('payload_too_large', `Request body exceeds the ${sizeText(limit)} limit`);
}

/** A byte limit as a message states it: KiB below a MiB (never "0 MiB"), else MiB. */
export function sizeText(bytes: number): string {
  return bytes >= 1048576 ? `${Math.round((bytes / 1048576) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

export interface JsonBody {
  /** The body exactly as the client sent it: forwarded upstream with surgical edits, so numbers keep their digits. */
  text: string;
  value: Record<string, unknown>;
}

export async function readJsonObject(request: Request, limit: number): Promise<JsonBody> {
  requireJsonContentType(request);
  let text: string;
  try {
    text = await readTextLimited(request, limit);
  } catch (err) {
    throw bodyReadError(err);
  }
  if (text.trim() === '') throw invalidRequest('Request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('Request body must be a JSON object');
  }
  return { text, value: value as Record<string, unknown> };
}
