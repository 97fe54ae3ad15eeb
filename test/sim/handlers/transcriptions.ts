// POST /v1/audio/transcriptions (multipart)
import type { RouteContext } from '../context';
import { randomId, unixNow } from '../ids';
import { writeSse } from '../sse';
import { countTokens, deltaPieces, words } from '../tokens';
import { wavDurationSeconds } from '../wav';
import { badRequest, resolveModel, usageOf, type JsonObject } from './shared';

export async function transcriptions(ctx: RouteContext): Promise<void> {
  const form = ctx.form;
  const file = form?.files.find((f) => f.field === 'file');
  if (!form || !file) throw badRequest('file: Field required', 'file');
  const fields = form.fields;
  const model = resolveModel(ctx.config, fields.model);
  const format = fields.response_format ?? 'json';
  if (!ctx.config.transcriptionFormats.includes(format)) {
    throw badRequest('Currently only support response_format `text` or `json`', 'response_format');
  }

  const language = fields.language?.trim();
  const text = `sim transcript of ${file.size} bytes${language ? ` in ${language}` : ''}`;

  if (fields.stream === 'true') {
    const head = { id: randomId('trsc'), object: 'transcription.chunk', created: unixNow(), model };
    const pieces = deltaPieces(words(text));
    const events: JsonObject[] = pieces.map((content, i) => ({
      ...head,
      choices: [{ delta: { content }, ...(i === pieces.length - 1 ? { finish_reason: 'stop', stop_reason: null } : {}) }],
    }));
    if (fields.stream_include_usage === 'true') {
      events.push({ ...head, choices: [], usage: usageOf(countTokens(fields.prompt ?? ''), pieces.length, false) });
    }
    await writeSse(ctx.reply, events, ctx.knobs);
    return;
  }

  if (format === 'text') {
    ctx.reply.send(200, text, 'text/plain; charset=utf-8');
    return;
  }
  const duration = wavDurationSeconds(file.bytes);
  const seconds = duration === undefined ? 0 : Math.ceil(duration);
  ctx.reply.json(200, { text, usage: { type: 'duration', seconds } });
}
