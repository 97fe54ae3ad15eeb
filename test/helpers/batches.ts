import { call, callJson } from './gateway';

export interface Batch {
  id: string;
  object: string;
  status: string;
  endpoint: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts: { total: number; completed: number; failed: number };
  errors: { data: { code: string; message: string }[] } | null;
  metadata: Record<string, string> | null;
}

export async function createBatch(inputFileId: string, key?: string, endpoint = '/v1/chat/completions') {
  return callJson<Batch>('/v1/batches', {
    method: 'POST',
    json: { input_file_id: inputFileId, endpoint, completion_window: '24h', metadata: { purpose: 'test' } },
    ...(key ? { key } : {}),
  });
}

const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export async function waitForBatch(id: string, key?: string, timeoutMs = 20_000): Promise<Batch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await callJson<Batch>(`/v1/batches/${id}`, key ? { key } : {});
    if (FINAL.has(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`batch still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body.request_counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

export async function fileLines(fileId: string | null, key?: string): Promise<OutputLine[]> {
  if (!fileId) return [];
  const text = await (await call(`/v1/files/${fileId}/content`, key ? { key } : {})).text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutputLine);
}
