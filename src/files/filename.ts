import { invalidRequest } from '../http/errors';

/** C0 controls and DEL: no header can carry them, and no file name needs them. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses a file name holding a control character (400 naming the first one), before anything is stored. */
export function assertFilename(name: string, param: string): void {
  const found = CONTROL.exec(name)?.[0];
  if (found === undefined) return;
  const code = `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  throw invalidRequest(
    `${param === 'file' ? 'The file name' : 'filename'} contains the control character ${code}; ` +
      'file names must not contain U+0000 to U+001F or U+007F',
    param,
  );
}

/** RFC 5987 attr-char: what may stand unencoded in `filename*`. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;
const encoder = new TextEncoder();

/**
 * A `Content-Disposition` that is a valid header for any stored name (records from before names were checked
 * included): an ASCII `filename` with everything else replaced by `_`, plus the exact name as UTF-8 in `filename*`
 * whenever the two differ, which clients prefer (RFC 6266).
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  if (fallback === name) return `attachment; filename="${name}"`;
  // TextEncoder turns a lone surrogate into U+FFFD, so this never throws (encodeURIComponent would).
  let encoded = '';
  for (const byte of encoder.encode(name)) {
    const char = String.fromCharCode(byte);
    encoded += ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
