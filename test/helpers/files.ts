import { call, callJson } from './gateway';

export { batchLine, jsonl } from './batch-lines';

export interface FileObject {
  id: string;
  object: string;
  bytes: number;
  filename: string;
  purpose: string;
  created_at: number;
}

export async function uploadFile(
  content: string | Uint8Array,
  options: { key?: string; purpose?: string; model?: string; via?: 'header' | 'query' | 'form'; filename?: string } = {},
): Promise<{ status: number; body: FileObject & { error?: { message: string; param: string | null; type: string } } }> {
  const form = new FormData();
  form.append('file', new Blob([content]), options.filename ?? 'batch.jsonl');
  if (options.purpose !== undefined) form.append('purpose', options.purpose);
  const via = options.via ?? 'header';
  if (options.model && via === 'form') form.append('target_model_names', options.model);
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
