import { deletePrefix } from './delete-prefix';
import { sizeText } from '../http/body';
import { GatewayError, invalidRequest, notFound } from '../http/errors';
import { multipartEvents } from '../http/multipart/request';
import { nowSeconds } from './expiry';
import { FileSink } from './file-sink';
import { type FileRecord, type Purpose } from './file-store';
import { decodeId, encodeId, newInternalId } from './ids';
import { PartWriter } from './part-writer';
import { fileKey, uploadMetaKey, uploadPartKey, uploadPartsPrefix } from './r2-layout';

/** OpenAI's Uploads API: a file sent in parts (each its own request, so each under the edge's body limit). */
export interface UploadRecord {
  id: string;
  internal: string;
  owner: string;
  model: string;
  filename: string;
  purpose: Purpose;
  bytes: number;
  mime_type: string;
  created_at: number;
  expires_at: number;
  status: 'pending' | 'completed' | 'cancelled' | 'expired';
  file_id?: string;
  /** `expires_after.seconds` for the file the upload becomes (anchored at that file's created_at). */
  file_expires_after?: number;
}

const UPLOAD_TTL_S = 3600;

export function toUploadObject(u: UploadRecord, file: Record<string, unknown> | null = null): Record<string, unknown> {
  const expired = u.status === 'pending' && u.expires_at <= nowSeconds();
  return {
    id: u.id,
    object: 'upload',
    bytes: u.bytes,
    created_at: u.created_at,
    filename: u.filename,
    purpose: u.purpose,
    status: expired ? 'expired' : u.status,
    expires_at: u.expires_at,
    file,
  };
}

export async function saveUpload(bucket: R2Bucket, u: UploadRecord): Promise<void> {
  const meta: Record<string, string> = {
    model: u.model,
    filename: u.filename,
    purpose: u.purpose,
    bytes: String(u.bytes),
    mime_type: u.mime_type,
    created_at: String(u.created_at),
    expires_at: String(u.expires_at),
    status: u.status,
  };
  if (u.file_id) meta.file_id = u.file_id;
  if (u.file_expires_after !== undefined) meta.file_expires_after = String(u.file_expires_after);
  await bucket.put(uploadMetaKey(u.owner, u.internal), new Uint8Array(0), { customMetadata: meta });
}

export function newUpload(
  owner: string,
  model: string,
  input: { filename: string; purpose: Purpose; bytes: number; mime_type: string },
  fileExpiresAfter: number | undefined,
): UploadRecord {
  const internal = newInternalId();
  const now = nowSeconds();
  return {
    id: encodeId('upload', internal, model),
    internal,
    owner,
    model,
    ...input,
    created_at: now,
    expires_at: now + UPLOAD_TTL_S,
    status: 'pending',
    ...(fileExpiresAfter !== undefined ? { file_expires_after: fileExpiresAfter } : {}),
  };
}

/** The caller's upload for this id, or 404 (same owner and model checks as files). */
export async function ownedUpload(bucket: R2Bucket, owner: string, id: string): Promise<UploadRecord> {
  const decoded = decodeId('upload', id);
  const missing = notFound(`No such upload: ${id.slice(0, 120)}`, 'upload_id');
  if (!decoded) throw missing;
  const head = await bucket.head(uploadMetaKey(owner, decoded.internal));
  const m = head?.customMetadata;
  if (!m || (m.model ?? '') !== decoded.model) throw missing;
  return {
    id,
    internal: decoded.internal,
    owner,
    model: decoded.model,
    filename: m.filename ?? '',
    purpose: (m.purpose ?? 'user_data') as Purpose,
    bytes: Number(m.bytes ?? 0),
    mime_type: m.mime_type ?? '',
    created_at: Number(m.created_at ?? 0),
    expires_at: Number(m.expires_at ?? 0),
    status: (m.status ?? 'pending') as UploadRecord['status'],
    ...(m.file_id ? { file_id: m.file_id } : {}),
    ...(m.file_expires_after ? { file_expires_after: Number(m.file_expires_after) } : {}),
  };
}

export function assertPending(u: UploadRecord): void {
  if (u.status !== 'pending') throw invalidRequest(`Upload ${u.id} is ${u.status}`, 'upload_id');
  if (u.expires_at <= nowSeconds()) throw invalidRequest(`Upload ${u.id} has expired`, 'upload_id');
}

/** OpenAI's cap on one part of an Upload ("at most 64 MB"); taken as MiB, the lenient reading. */
export const MAX_PART_BYTES = 64 * 1024 * 1024;

/** Streams the `data` field of a part request into its own R2 object; returns the part id. */
export async function receivePart(request: Request, bucket: R2Bucket, u: UploadRecord): Promise<string> {
  const events = multipartEvents(request, 'Request body is empty; expected a multipart form with a data part');
  const part = newInternalId();
  const writer = new PartWriter(bucket, uploadPartKey(u.owner, u.internal, part));
  let inData = false;
  let seen = false;
  let received = 0;
  try {
    for await (const e of events) {
      if (e.kind === 'headers') {
        inData = e.name === 'data';
        if (inData && seen) throw invalidRequest('the form has more than one data part', 'data');
        seen ||= inData;
      } else if (e.kind === 'data' && inData) {
        received += e.raw.byteLength;
        if (received > MAX_PART_BYTES) throw new GatewayError('payload_too_large', `An upload part can be at most ${sizeText(MAX_PART_BYTES)}`, { param: 'data' });
        await writer.write(e.raw);
      }
    }
    if (!seen) throw invalidRequest('the form has no part named "data"', 'data');
    await writer.close();
    return `part_${part}`;
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/**
 * Joins the parts, in the order the client lists them, into the final file (validating batch JSONL on the way) and
 * checks the total against the declared size; nothing is kept if anything is wrong (the caller removes the parts
 * once the file is recorded). The file's model is the one named when the upload was created, else `named` (at
 * completion), else for a batch file the `body.model` every line names (`fromLines`: the caller checks that one
 * against the key, as for a file upload).
 */
export async function completeUpload(
  bucket: R2Bucket,
  u: UploadRecord,
  partIds: string[],
  named?: string,
): Promise<{ file: FileRecord; fromLines: boolean }> {
  const existing = await storedParts(bucket, uploadPartsPrefix(u.owner, u.internal));
  for (const id of partIds) if (!existing.has(id)) throw invalidRequest(`Unknown part ${id.slice(0, 80)} for this upload`, 'part_ids');
  if (new Set(partIds).size !== partIds.length) throw invalidRequest('part_ids lists a part twice', 'part_ids');
  const internal = newInternalId();
  const sink = new FileSink(bucket, fileKey(u.owner, internal), u.purpose === 'batch');
  try {
    for (const id of partIds) {
      const object = await bucket.get(uploadPartKey(u.owner, u.internal, id.slice('part_'.length)));
      if (!object) throw invalidRequest(`Part ${id} disappeared`, 'part_ids');
      const reader = object.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) await sink.write(r.value);
    }
    const result = await sink.finish();
    if (result.bytes !== u.bytes) {
      throw invalidRequest(`The parts hold ${result.bytes} bytes but the upload declared ${u.bytes}`, 'bytes');
    }
    if (u.purpose === 'batch' && (result.batchError || !result.batch)) {
      throw new GatewayError('invalid_request', `Invalid batch file: ${result.batchError?.message ?? 'no requests'}`, { param: 'file' });
    }
    let model = u.model || named || '';
    const fromLines = u.purpose === 'batch' && !model;
    if (fromLines) {
      if (!result.batch?.model) {
        throw invalidRequest(
          'a batch upload needs a model: the x-litellm-model header or ?model= when it is created or completed, ' +
            `or the same body.model on every line (${result.batch?.modelProblem ?? 'no line names one'})`,
          'model',
        );
      }
      model = result.batch.model;
    }
    const created_at = nowSeconds();
    const file: FileRecord = {
      id: encodeId('file', internal, model),
      internal,
      owner: u.owner,
      model,
      purpose: u.purpose,
      filename: u.filename,
      bytes: result.bytes,
      created_at,
      ...(result.batch ? { batch_url: result.batch.url, requests: result.batch.requests } : {}),
      ...(u.file_expires_after !== undefined ? { expires_at: created_at + u.file_expires_after } : {}),
    };
    return { file, fromLines };
  } catch (err) {
    await sink.abort();
    await bucket.delete(fileKey(u.owner, internal)).catch(() => undefined);
    throw err;
  }
}

export function deleteParts(bucket: R2Bucket, u: UploadRecord): Promise<void> {
  return deletePrefix(bucket, uploadPartsPrefix(u.owner, u.internal));
}

/** The part ids stored under an upload, every page of the listing (an upload may have up to 10,000 parts). */
async function storedParts(bucket: R2Bucket, prefix: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) ids.add(`part_${o.key.slice(prefix.length)}`);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return ids;
}
