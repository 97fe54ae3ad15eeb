import { notFound } from '../http/errors';
import type { BatchEndpoint } from './batch-file';
import { decodeId, encodeId } from './ids';
import { fileKey, fileMetaKey, fileMetaPrefix } from './r2-layout';

export const CLIENT_PURPOSES = ['batch', 'fine-tune', 'assistants', 'vision', 'user_data', 'evals'] as const;
export type Purpose = (typeof CLIENT_PURPOSES)[number] | 'batch_output';

/** A stored file as the gateway knows it; `toFileObject` is what the OpenAI API shows. */
export interface FileRecord {
  id: string;
  internal: string;
  owner: string;
  model: string;
  purpose: Purpose;
  filename: string;
  bytes: number;
  created_at: number;
  /** Batch input files: the endpoint every line targets, and how many requests there are. */
  batch_url?: BatchEndpoint;
  requests?: number;
}

export function toFileObject(f: FileRecord): Record<string, unknown> {
  return {
    id: f.id,
    object: 'file',
    bytes: f.bytes,
    created_at: f.created_at,
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
    status_details: null,
    expires_at: null,
  };
}

function toMetadata(f: FileRecord): Record<string, string> {
  const m: Record<string, string> = {
    model: f.model,
    purpose: f.purpose,
    filename: f.filename,
    bytes: String(f.bytes),
    created_at: String(f.created_at),
  };
  if (f.batch_url) m.batch_url = f.batch_url;
  if (f.requests !== undefined) m.requests = String(f.requests);
  return m;
}

function fromMetadata(owner: string, internal: string, m: Record<string, string>): FileRecord {
  const model = m.model ?? '';
  return {
    id: encodeId('file', internal, model),
    internal,
    owner,
    model,
    purpose: (m.purpose ?? 'user_data') as Purpose,
    filename: m.filename ?? '',
    bytes: Number(m.bytes ?? 0),
    created_at: Number(m.created_at ?? 0),
    ...(m.batch_url ? { batch_url: m.batch_url as BatchEndpoint } : {}),
    ...(m.requests ? { requests: Number(m.requests) } : {}),
  };
}

/** Records a file whose content is already at fileKey(owner, internal). */
export async function saveFileRecord(bucket: R2Bucket, f: FileRecord): Promise<void> {
  await bucket.put(fileMetaKey(f.owner, f.internal), new Uint8Array(0), { customMetadata: toMetadata(f) });
}

/**
 * The caller's file for this id, or 404: the id must decode, the owner's metadata must exist, and the model the
 * id carries must be the stored one (an edited id is a different id).
 */
export async function ownedFile(bucket: R2Bucket, owner: string, id: string): Promise<FileRecord> {
  const decoded = decodeId('file', id);
  const missing = notFound(`No such file: ${id.slice(0, 120)}`, 'file_id');
  if (!decoded) throw missing;
  const head = await bucket.head(fileMetaKey(owner, decoded.internal));
  if (!head) throw missing;
  const record = fromMetadata(owner, decoded.internal, head.customMetadata ?? {});
  if (record.model !== decoded.model) throw missing;
  return record;
}

export interface FilePage {
  data: FileRecord[];
  has_more: boolean;
}

/** Newest first (internal ids sort that way); `after` is a file id of the previous page. */
export async function listFiles(
  bucket: R2Bucket,
  owner: string,
  options: { purpose?: string; limit: number; after?: string },
): Promise<FilePage> {
  const prefix = fileMetaPrefix(owner);
  const afterInternal = options.after ? decodeId('file', options.after)?.internal : undefined;
  const data: FileRecord[] = [];
  let cursor: string | undefined;
  let startAfter = afterInternal ? prefix + afterInternal : undefined;
  for (;;) {
    const page = await bucket.list({
      prefix,
      limit: 1000,
      include: ['customMetadata'],
      ...(cursor ? { cursor } : startAfter ? { startAfter } : {}),
    });
    for (const o of page.objects) {
      const f = fromMetadata(owner, o.key.slice(prefix.length), o.customMetadata ?? {});
      if (options.purpose && f.purpose !== options.purpose) continue;
      if (data.length === options.limit) return { data, has_more: true };
      data.push(f);
    }
    if (!page.truncated) return { data, has_more: false };
    cursor = page.cursor;
    startAfter = undefined;
  }
}

export async function deleteFile(bucket: R2Bucket, f: FileRecord): Promise<void> {
  await bucket.delete([fileKey(f.owner, f.internal), fileMetaKey(f.owner, f.internal)]);
}
