import { GatewayError, notFound } from '../http/errors';
import type { BatchEndpoint } from './batch-file';
import { nowSeconds } from './expiry';
import { decodeId, encodeId } from './ids';
import { fileKey, fileMetaKey } from './r2-layout';

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
  /** Unix seconds after which the file is gone (OpenAI's `expires_after`); absent: kept until deleted. */
  expires_at?: number;
  /** Unix seconds before which an expired file's objects are kept: a batch reading it as input is still running. */
  held_until?: number;
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
    expires_at: f.expires_at ?? null,
  };
}

/** Past its `expires_at`: shown nowhere, and deleted when noticed. */
export function isExpired(f: FileRecord, now = nowSeconds()): boolean {
  return f.expires_at !== undefined && f.expires_at <= now;
}

/** An expired file whose objects no running batch still reads. */
export function isDeletable(f: FileRecord, now = nowSeconds()): boolean {
  return isExpired(f, now) && (f.held_until === undefined || f.held_until <= now);
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
  if (f.expires_at !== undefined) m.expires_at = String(f.expires_at);
  if (f.held_until !== undefined) m.held_until = String(f.held_until);
  return m;
}

export function fromMetadata(owner: string, internal: string, m: Record<string, string>): FileRecord {
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
    ...(m.expires_at ? { expires_at: Number(m.expires_at) } : {}),
    ...(m.held_until ? { held_until: Number(m.held_until) } : {}),
  };
}

/** Records a file whose content is already at fileKey(owner, internal). */
export async function saveFileRecord(bucket: R2Bucket, f: FileRecord): Promise<void> {
  await bucket.put(fileMetaKey(f.owner, f.internal), new Uint8Array(0), { customMetadata: toMetadata(f) });
}

/**
 * Changes a stored record from its current state rather than from a copy read earlier, and only while it is still
 * there: the put is conditional on the etag of the record just read, so a DELETE landing in between is never
 * undone (R2 refuses the put for a missing object). Undefined when the record is gone. Records are empty objects,
 * so their etags do not tell two metadata versions apart: this guards deletes, not concurrent metadata edits.
 */
export async function updateFileRecord(
  bucket: R2Bucket,
  owner: string,
  internal: string,
  change: (f: FileRecord) => FileRecord,
): Promise<FileRecord | undefined> {
  const key = fileMetaKey(owner, internal);
  for (let tries = 0; tries < 3; tries++) {
    const head = await bucket.head(key);
    if (!head) return undefined;
    const next = change(fromMetadata(owner, internal, head.customMetadata ?? {}));
    const put = await bucket.put(key, new Uint8Array(0), { customMetadata: toMetadata(next), onlyIf: { etagMatches: head.etag } });
    if (put) return next;
  }
  throw new GatewayError('conflict', 'The file changed while it was being updated; try again');
}

/**
 * The caller's file for this id, or 404: the id must decode, the owner's metadata must exist, the model the id
 * carries must be the stored one (an edited id is a different id), and the file must not have expired (an expired
 * one is deleted here, once no running batch reads it).
 */
export async function ownedFile(bucket: R2Bucket, owner: string, id: string): Promise<FileRecord> {
  const record = await findOwnedFile(bucket, owner, id);
  if (!record) throw notFound(`No such file: ${id.slice(0, 120)}`, 'file_id');
  return record;
}

/** `ownedFile` for callers to whom a file that is not there (never written, deleted, expired) is no error. */
export async function findOwnedFile(bucket: R2Bucket, owner: string, id: string): Promise<FileRecord | undefined> {
  const decoded = decodeId('file', id);
  if (!decoded) return undefined;
  const head = await bucket.head(fileMetaKey(owner, decoded.internal));
  if (!head) return undefined;
  const record = fromMetadata(owner, decoded.internal, head.customMetadata ?? {});
  if (record.model !== decoded.model) return undefined;
  if (isExpired(record)) {
    if (isDeletable(record)) await deleteFiles(bucket, [record], true);
    return undefined;
  }
  return record;
}

/**
 * Deletes files, content and record in one call (R2 takes 1,000 keys a call), so R2 never keeps one without the
 * other for long. `noticed`: expired files found on the way, whose failure is only logged (the file already reads
 * as gone and is retried when next noticed); otherwise a failure is the caller's error.
 */
export async function deleteFiles(bucket: R2Bucket, files: readonly FileRecord[], noticed = false): Promise<void> {
  const keys = files.flatMap((f) => [fileKey(f.owner, f.internal), fileMetaKey(f.owner, f.internal)]);
  for (let i = 0; i < keys.length; i += 1000) {
    const done = bucket.delete(keys.slice(i, i + 1000));
    await (noticed ? done.catch((err: unknown) => console.error('deleting expired files failed', err)) : done);
  }
}
