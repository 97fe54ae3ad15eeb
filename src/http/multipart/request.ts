import { GatewayError, invalidRequest } from '../errors';
import { readChunk, releaseBody } from './body-reader';
import { MultipartError, MultipartParser, type PartEvent } from './parser';

/** The boundary of a multipart/form-data request, or the 415/400 a client gets for a body that is not one. */
export function boundaryOf(contentType: string | null): string {
  const type = (contentType ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    throw new GatewayError('unsupported_media_type', 'Content-Type must be multipart/form-data');
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) throw invalidRequest('multipart/form-data Content-Type has no boundary');
  return value;
}

/** A parse failure of the form becomes the client's 400; anything else is passed on as it is. */
export function badForm(err: unknown): unknown {
  return err instanceof MultipartError ? invalidRequest(`Malformed multipart body: ${err.message}`) : err;
}

/**
 * The parts of a multipart request body as they arrive, never buffered whole. A malformed body is a 400 naming
 * what is wrong, a body that breaks off mid-read a 400 too; a consumer that stops early (or throws) has the rest of
 * the body read out and released (releaseBody).
 */
export async function* multipartEvents(request: Request, emptyMessage: string): AsyncGenerator<PartEvent> {
  const parser = new MultipartParser(boundaryOf(request.headers.get('content-type')));
  if (!request.body) throw invalidRequest(emptyMessage);
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await readChunk(reader);
      let events: PartEvent[];
      try {
        events = done ? parser.end() : parser.push(value);
      } catch (err) {
        throw badForm(err);
      }
      yield* events;
      if (done) return;
    }
  } finally {
    await releaseBody(reader);
  }
}
