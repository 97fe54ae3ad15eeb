import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { invalidRequest } from '../../http/errors';
import { runInference } from '../../proxy/inference';
import { prepareUpload } from '../../upstream/multipart/model-rewrite';

/** OpenAI's transcription upload limit; parts held before a late `model` field never exceed it. */
const HOLD_LIMIT = 25 * 1024 * 1024;

/**
 * `POST /v1/audio/transcriptions`: the multipart body is streamed upstream with only its model field rewritten —
 * never parsed with formData(), and `response_format` is left as the client chose (many vLLM versions only know
 * json and text).
 */
export async function transcription(c: Context<AppEnv>): Promise<Response> {
  const named = c.req.header('x-litellm-model') ?? c.req.query('model');
  const upload = await prepareUpload(c.req.raw, { modelKnown: named !== undefined, holdLimit: HOLD_LIMIT });
  const model = named ?? upload.formModel;
  if (!model) throw invalidRequest('model is required: send it as the form field `model`', 'model');
  const boundaryType = c.req.header('content-type')!;
  try {
    return await runInference(c, {
      endpoint: 'transcription',
      model,
      stream: false,
      stripUsageChunk: false,
      body: {},
      replayable: false,
      upstreamBody: (target) => {
        const { stream, length } = upload.body(target.servedModel);
        if (length === undefined) return { body: stream, contentType: boundaryType };
        const fixed = new FixedLengthStream(length);
        stream.pipeTo(fixed.writable).catch(() => undefined);
        return { body: fixed.readable, contentType: boundaryType };
      },
    });
  } catch (err) {
    throw upload.streamError() ?? err;
  }
}
