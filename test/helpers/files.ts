import { env } from 'cloudflare:workers';
import { decodeId } from '../../src/files/ids';
import { fileKey, fileMetaKey } from '../../src/files/r2-layout';
import { call, callJson } from './gateway';

export { batchLine, jsonl } from './batch-lines';

export interface FileObject {
  id: string;
  object: string;
  bytes: number;
  filename: string;
  purpose: string;
  created_at: number;
  expires_at?: number | null;
}

export async function uploadFile(
  content: string | Uint8Array,
  options: {
    key?: string;
    purpose?: string;
    model?: string;
    /** form: `target_model_names`; model-field: the form field `model` (LiteLLM's extra_body). */
    via?: 'header' | 'query' | 'form' | 'model-field';
    filename?: string;
    /** More form fields, sent after the file as the OpenAI SDKs do. */
    fields?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: FileObject & { error?: { message: string; param: string | null; type: string } } }> {
  const form = new FormData();
  form.append('file', new Blob([content]), options.filename ?? 'batch.jsonl');
  if (options.purpose !== undefined) form.append('purpose', options.purpose);
  const via = options.via ?? 'header';
  if (options.model && via === 'form') form.append('target_model_names', options.model);
  if (options.model && via === 'model-field') form.append('model', options.model);
  for (const [name, value] of Object.entries(options.fields ?? {})) form.append(name, value);
  const path = options.model && via === 'query' ? `/v1/files?model=${encodeURIComponent(options.model)}` : '/v1/files';
  const headers: Record<string, string> = options.model && via === 'header' ? { 'x-litellm-model': options.model } : {};
  const { status, body } = await callJson<FileObject & { error?: { message: string; param: string | null; type: string } }>(path, {
    method: 'POST',
    body: form,
    headers,
    ...(options.key !== undefined ? { key: options.key } : {}),
  });
  return { status, body };
}

export { call };

/** A new virtual key and its stable key_id (the owner part of its R2 paths). */
export async function keyWithId(json: Record<string, unknown> = {}): Promise<{ key: string; id: string }> {
  const { body } = await callJson<{ key: string; key_id: string }>('/key/generate', { method: 'POST', json });
  return { key: body.key, id: body.key_id };
}

/** Every R2 key under a prefix (all pages). */
export async function r2Keys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix, ...(cursor ? { cursor } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** Where a file's content and record live in R2, from its id. */
export function fileObjects(owner: string, fileId: string): string[] {
  const internal = decodeId('file', fileId)!.internal;
  return [fileKey(owner, internal), fileMetaKey(owner, internal)];
}

/**
 * Moves a stored file's expiry (and hold) as if time had passed: rewrites its record's R2 metadata, the same
 * object the gateway reads.
 */
export async function setFileTimes(owner: string, fileId: string, times: { expires_at?: number; held_until?: number }): Promise<void> {
  const [, metaKey] = fileObjects(owner, fileId);
  const head = await env.FILES.head(metaKey!);
  if (!head) throw new Error(`no record for ${fileId}`);
  const meta = { ...head.customMetadata };
  for (const [name, value] of Object.entries(times)) meta[name] = String(value);
  await env.FILES.put(metaKey!, new Uint8Array(0), { customMetadata: meta });
}
