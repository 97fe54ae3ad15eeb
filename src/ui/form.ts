import { readTextLimited, sizeText } from '../http/body';
import { GatewayError } from '../http/errors';

/** Dashboard forms are small (the largest is a pasted config.yaml); a larger body is not a dashboard form. */
export const MAX_FORM_BYTES = 1024 * 1024;
/** Sign-in needs no session, so anyone can post to it: it gets only what a master key and a `next` path need. */
export const LOGIN_FORM_BYTES = 64 * 1024;

/** Why a form could not be read, for the page to show: the dashboard answers bad forms with pages, not JSON. */
export interface FormProblem {
  status: 400 | 413;
  message: string;
}

export function isFormProblem(form: Record<string, string> | FormProblem): form is FormProblem {
  return typeof form.status === 'number';
}

/**
 * A posted form's text fields (the last value of a repeated name, as Hono's parseBody kept it). The body is read
 * with a limit enforced while reading, declared length or not (chunked), so nothing past `limit` is buffered; a
 * multipart body is parsed only once it is known to be within the limit. Other content types carry no form.
 */
export async function readForm(request: Request, limit: number): Promise<Record<string, string> | FormProblem> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return {};
  let text: string;
  try {
    // Read as a body without its form type: workerd warns on every `.text()` of a form body, which this is meant as.
    const headers = new Headers(request.headers);
    headers.delete('content-type');
    text = await readTextLimited(new Request(request.url, { method: 'POST', headers, body: request.body }), limit);
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'payload_too_large') {
      return { status: 413, message: `The form is larger than ${sizeText(limit)}, more than any dashboard form sends.` };
    }
    // A body cut short (broken connection, or shorter than its Content-Length) is the client's, not a crash.
    return { status: 400, message: 'The form could not be read in full. Reload the page and try again.' };
  }
  if (type === 'application/x-www-form-urlencoded') return textFields(new URLSearchParams(text));
  try {
    // Re-parsed from the bounded text: file parts are dropped anyway, and text fields are UTF-8 either way.
    return textFields(await new Response(text, { headers: { 'content-type': request.headers.get('content-type')! } }).formData());
  } catch {
    return { status: 400, message: 'The form is not valid multipart/form-data (a boundary is missing or the body does not match it).' };
  }
}

function textFields(entries: Iterable<[string, File | string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of entries) if (typeof value === 'string') out[name] = value;
  return out;
}
