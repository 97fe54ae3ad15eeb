import { GatewayError, invalidRequest } from '../http/errors';
import { readChunk, releaseBody } from '../http/multipart/body-reader';
import { badForm, boundaryOf } from '../http/multipart/request';
import { MultipartScanner, type Segment } from '../http/multipart/scanner';

/**
 * Streams a transcription upload upstream with two field values changed: `model` becomes the served name, and
 * `response_format: text` becomes `json` (same length, known to every vLLM version) so the answer carries the audio
 * duration the request is billed by; the gateway turns it back into text. Nothing else is touched (never
 * `verbose_json`). When the model must be read from the form itself, the parts before it (usually the audio: the
 * OpenAI SDKs send `file` first) are held in memory up to a limit; otherwise nothing is held.
 */
export interface PreparedUpload {
  /** The form's model field, when it was read before the upstream call (the model was not given in header/query). */
  formModel: string | undefined;
  /** The upstream body with `model` set to `served`; `length` is known when the whole delta could be computed. */
  body(served: string): { stream: ReadableStream<Uint8Array>; length: number | undefined };
  /** The client asked for `response_format: text` (known once the form has been sent, before the answer). */
  wantsText(): boolean;
  /**
   * A malformed form, or a body that broke off, found while streaming: the upstream call fails, and this is the 400
   * to answer with.
   */
  streamError(): unknown;
  /**
   * The signal for the upstream call: the client's own, also fired when a fixed-length upload turns out malformed
   * or broken (streamError), so the call ends as if the client had left (not retried, not counted against the
   * deployment). runInference relays it for every streamed upload (not replayable), master key included.
   */
  relaySignal(client: AbortSignal): AbortSignal;
  /** Reads out and releases whatever the upstream did not take (see releaseBody). Call once the call is over. */
  release(): Promise<void>;
}

const encoder = new TextEncoder();
const FIELDS = new Set(['model', 'response_format']);
const JSON_BYTES = encoder.encode('json');

export async function prepareUpload(
  request: Request,
  options: { modelKnown: boolean; holdLimit: number },
): Promise<PreparedUpload> {
  const boundary = boundaryOf(request.headers.get('content-type'));
  if (!request.body) throw invalidRequest('Request body is empty; expected a multipart form');
  const scanner = new MultipartScanner(boundary, FIELDS);
  const reader = request.body.getReader();
  const held: Segment[] = [];
  let heldBytes = 0;
  let formModel: string | undefined;
  let ended = false;
  let streamError: unknown;
  let wantsText = false;

  try {
    while (!options.modelKnown && formModel === undefined && !ended) {
      const { done, value } = await readChunk(reader);
      const segments = done ? scanner.end() : scanner.push(value);
      ended = done;
      for (const s of segments) {
        held.push(s);
        if (s.kind === 'bytes') heldBytes += s.data.byteLength;
        if (s.kind === 'field' && s.name === 'model') formModel = s.value;
      }
      if (heldBytes > options.holdLimit) {
        throw new GatewayError(
          'payload_too_large',
          `The form's model field comes after ${Math.round(options.holdLimit / 1048576)} MiB of upload; ` +
            'send the model field before the file, or name the model in the x-litellm-model header or ?model=',
        );
      }
    }
  } catch (err) {
    await releaseBody(reader);
    throw badForm(err);
  }

  const failed = new AbortController();
  let relayed = false;
  let released = false;
  return {
    formModel,
    wantsText: () => wantsText,
    streamError: () => streamError,
    relaySignal(client) {
      relayed = true;
      return AbortSignal.any([client, failed.signal]);
    },
    release() {
      if (released) return Promise.resolve();
      released = true;
      return releaseBody(reader);
    },
    body(served) {
      const servedBytes = encoder.encode(served);
      const extraPart = encoder.encode(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${served}`);
      let sawModel = false;
      const render = (segments: Segment[], out: Uint8Array[]): void => {
        for (const s of segments) {
          if (s.kind === 'bytes') out.push(s.data);
          else if (s.kind === 'close') {
            if (!sawModel) out.push(extraPart);
          } else if (s.name === 'model') {
            sawModel = true;
            out.push(s.headers, servedBytes);
          } else {
            // Only an exact "text" is swapped (for "json": same length); any other value goes on byte for byte.
            wantsText = s.value === 'text' && s.raw.length === 4;
            out.push(s.headers, wantsText ? JSON_BYTES : s.raw);
          }
        }
      };
      const declared = Number(request.headers.get('content-length'));
      const modelField = held.find((s) => s.kind === 'field' && s.name === 'model');
      let length: number | undefined;
      if (Number.isFinite(declared) && declared > 0) {
        // response_format values are replaced by one of the same length, so only the model changes the size.
        if (modelField?.kind === 'field') length = declared - modelField.raw.length + servedBytes.length;
        else if (ended) length = declared + extraPart.length;
      }
      let pendingHeld: Segment[] | undefined = held;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // After a failure nothing more is sent: the read stays pending until the aborted call cancels the body.
          if (streamError !== undefined) return;
          const out: Uint8Array[] = [];
          try {
            if (pendingHeld) {
              render(pendingHeld, out);
              pendingHeld = undefined;
            }
            while (out.length === 0 && !ended) {
              const { done, value } = await readChunk(reader);
              ended = done;
              render(done ? scanner.end() : scanner.push(value), out);
            }
          } catch (err) {
            streamError = badForm(err);
            // Never errored: the runtime logs an errored request body as uncaught. A chunked upload is closed: it
            // reaches the upstream incomplete and is refused there. One of fixed length would fail its length check,
            // a failure of the deployment: its call is aborted instead when the abort is relayed (see relaySignal).
            if (length !== undefined && relayed) failed.abort(streamError);
            else controller.close();
            return;
          }
          for (const chunk of out) controller.enqueue(chunk);
          if (ended) controller.close();
        },
        // The upstream is done with the body (answered, or failed): what is left is release()'s to read out.
        cancel() {},
      });
      return { stream, length };
    },
  };
}
