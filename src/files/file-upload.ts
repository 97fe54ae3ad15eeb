import { GatewayError, invalidRequest } from '../http/errors';
import { multipartEvents } from '../http/multipart/request';
import { formExpiresAfter, nowSeconds } from './expiry';
import { FileSink, type SinkResult } from './file-sink';
import { assertFilename } from './filename';
import { CLIENT_PURPOSES, type FileRecord, type Purpose } from './file-store';
import { encodeId, newInternalId } from './ids';
import { fileKey } from './r2-layout';

const MAX_FIELD = 4096;

export interface ReceivedForm {
  internal: string;
  filename: string;
  fields: Map<string, string>;
  result: SinkResult;
}

/**
 * `POST /v1/files` body: the `file` part is streamed into R2 as it arrives — never formData(), never whole in
 * memory — and the small text fields (purpose, model, target_model_names, expires_after[…]) are collected wherever
 * they appear.
 */
export async function receiveForm(request: Request, bucket: R2Bucket, owner: string): Promise<ReceivedForm> {
  const events = multipartEvents(request, 'Request body is empty; expected a multipart form');
  const internal = newInternalId();
  const fields = new Map<string, string>();
  let sink: FileSink | undefined;
  let filename: string | undefined;
  let field: { name: string; text: string } | undefined;
  let inFile = false;
  try {
    for await (const e of events) {
      if (e.kind === 'headers') {
        if (field) fields.set(field.name, field.text.trim());
        field = undefined;
        inFile = e.name === 'file' && e.filename !== undefined;
        if (inFile) {
          if (sink) throw invalidRequest('the form has more than one file part', 'file');
          assertFilename(e.filename!, 'file');
          filename = e.filename!.slice(0, 255);
          // Validate as batch JSONL unless the purpose, sent before the file, already says it is not a batch.
          const purpose = fields.get('purpose');
          sink = new FileSink(bucket, fileKey(owner, internal), purpose === undefined || purpose === 'batch');
        } else field = { name: e.name, text: '' };
      } else if (e.kind === 'data') {
        if (inFile) await sink!.write(e.raw);
        else if (field && (field.text += new TextDecoder().decode(e.raw)).length > MAX_FIELD) {
          throw invalidRequest(`form field ${field.name} is too long`, field.name);
        }
      } else if (e.kind === 'close' && field) {
        fields.set(field.name, field.text.trim());
        field = undefined;
      }
    }
    if (!sink || filename === undefined) throw invalidRequest('the form has no file part named "file"', 'file');
    return { internal, filename, fields, result: await sink.finish() };
  } catch (err) {
    await sink?.abort();
    throw err;
  }
}

/** Where a file's model came from: each is checked its own way (see routes/openai/files.ts). */
export type ModelSource = 'named' | 'form' | 'lines' | 'none';

/**
 * Turns a received form into a file record, refusing (and deleting what was stored) when it cannot be one. The
 * model is, in order: the one named in the request (header or query), the form field `target_model_names` (its
 * first entry), the form field `model` (LiteLLM's `extra_body={"model": …}`), and for a batch file the `body.model`
 * that every line names.
 */
export async function acceptForm(
  form: ReceivedForm,
  owner: string,
  namedModel: string | undefined,
  bucket: R2Bucket,
): Promise<{ record: FileRecord; source: ModelSource }> {
  const discard = () => bucket.delete(fileKey(owner, form.internal));
  try {
    return accept(form, owner, namedModel);
  } catch (err) {
    await discard();
    throw err;
  }
}

function accept(form: ReceivedForm, owner: string, namedModel: string | undefined): { record: FileRecord; source: ModelSource } {
  const purpose = form.fields.get('purpose');
  if (!purpose || !(CLIENT_PURPOSES as readonly string[]).includes(purpose)) {
    throw invalidRequest(`purpose must be one of ${CLIENT_PURPOSES.join(', ')}`, 'purpose');
  }
  const expiresAfter = formExpiresAfter(form.fields);
  const fromForm = form.fields.get('target_model_names')?.split(',')[0]?.trim() || form.fields.get('model') || undefined;
  let model = namedModel ?? fromForm ?? '';
  let source: ModelSource = namedModel ? 'named' : fromForm ? 'form' : 'none';
  const batch = purpose === 'batch' ? form.result.batch : undefined;
  if (purpose === 'batch') {
    if (form.result.batchError || !batch) {
      throw new GatewayError('invalid_request', `Invalid batch file: ${form.result.batchError?.message ?? 'no requests'}`, { param: 'file' });
    }
    if (!model) {
      if (!batch.model) {
        throw invalidRequest(
          `a batch file needs a model: the form field model or target_model_names, the x-litellm-model header, ?model=, ` +
            `or the same body.model on every line (${batch.modelProblem ?? 'no line names one'})`,
          'model',
        );
      }
      model = batch.model;
      source = 'lines';
    }
  }
  const created_at = nowSeconds();
  const record: FileRecord = {
    id: encodeId('file', form.internal, model),
    internal: form.internal,
    owner,
    model,
    purpose: purpose as Purpose,
    filename: form.filename,
    bytes: form.result.bytes,
    created_at,
    ...(batch ? { batch_url: batch.url, requests: batch.requests } : {}),
    ...(expiresAfter !== undefined ? { expires_at: created_at + expiresAfter } : {}),
  };
  return { record, source };
}
