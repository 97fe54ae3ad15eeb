import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { invalidRequest } from '../../http/errors';
import { runInference } from '../../proxy/inference';
import { httpCallContext } from '../../proxy/call-context';
import { beginCall } from '../../http/request-context';
import type { JsonAnswer } from '../../proxy/json-response';
import { prepareUpload } from '../../upstream/upload-rewrite';

/** OpenAI's transcription upload limit; parts held before a late `model` field never exceed it. */
const HOLD_LIMIT = 25 * 1024 * 1024;

/** The text a client asked for with response_format=text, from the JSON the gateway fetched instead. */
function asText(answer: JsonAnswer): JsonAnswer {
  if (!answer.contentType.includes('json')) return answer;
  try {
    const text = (JSON.parse(answer.body) as { text?: unknown }).text;
    return typeof text === 'string' ? { ...answer, body: text, contentType: 'text/plain; charset=utf-8' } : answer;
  } catch {
    return answer;
  }
}

/** The upload's declared size; undefined for a chunked one (or a header that is not a byte count). */
function declaredLength(header: string | undefined): number | undefined {
  const bytes = header === undefined ? NaN : Number(header);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * `POST /v1/audio/transcriptions`: the multipart body is streamed upstream, never parsed with formData(); only
 * `model` is rewritten, and `response_format: text` is fetched as `json` (for the duration the request is billed
 * by) and answered as text. `verbose_json` is never forced: many vLLM versions know only json and text.
 */
export async function transcription(c: Context<AppEnv>): Promise<Response> {
  const start = beginCall(c);
  const named = c.req.header('x-litellm-model') ?? c.req.query('model');
  const upload = await prepareUpload(c.req.raw, { modelKnown: named !== undefined, holdLimit: HOLD_LIMIT });
  const boundaryType = c.req.header('content-type')!;
  try {
    const model = named ?? upload.formModel;
    if (!model) throw invalidRequest('model is required: send it as the form field `model`', 'model');
    // An upload of known length that turns out malformed or broken is aborted as if the client had left (relaySignal).
    const call = { ...httpCallContext(c, start), clientSignal: () => upload.relaySignal(c.req.raw.signal) };
    const response = await runInference(call, {
      endpoint: 'transcription',
      model,
      stream: false,
      stripUsageChunk: false,
      body: {},
      // Bounds what admission reserves (upload-bound.ts): the header only, nothing of the upload is waited for.
      upload: { bytes: declaredLength(c.req.header('content-length')) },
      replayable: false,
      present: (answer) => (upload.wantsText() ? asText(answer) : answer),
      upstreamBody: (target) => {
        const { stream, length } = upload.body(target.servedModel);
        if (length === undefined) return { body: stream, contentType: boundaryType };
        const fixed = new FixedLengthStream(length);
        stream.pipeTo(fixed.writable).catch(() => undefined);
        return { body: fixed.readable, contentType: boundaryType };
      },
    });
    // An upstream that took a cut-short upload as whole does not make it one.
    const failed = upload.streamError();
    if (failed) throw failed;
    return response;
  } catch (err) {
    throw upload.streamError() ?? err;
  } finally {
    // Whatever the upstream did not take (a refusal before the call, an early answer) is read out and let go.
    await upload.release();
  }
}
