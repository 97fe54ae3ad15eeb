// Batch files and batch runs through the openai SDK: JSONL builders, polling, output-file parsing, forged ids.
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { FileObject } from 'openai/resources/files';

export { batchLine, jsonl } from '../../helpers/batch-lines';

/** `files.create` of a batch file for model group `group` (named in the x-litellm-model header). */
export async function uploadBatchFile(client: OpenAI, content: string, group: string, filename = 'batch.jsonl'): Promise<FileObject> {
  return client.files.create(
    { file: await toFile(Buffer.from(content), filename), purpose: 'batch' },
    { headers: { 'x-litellm-model': group } },
  );
}

export const FINAL = new Set<Batch['status']>(['completed', 'failed', 'expired', 'cancelled']);

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Called with every batch object seen while polling. */
  onPoll?: (batch: Batch) => void;
  /** Stop as soon as this holds (default: a final status). */
  until?: (batch: Batch) => boolean;
}

/** Polls `batches.retrieve` until `until` (a final status by default); throws with the last counts on timeout. */
export async function waitForBatch(client: OpenAI, id: string, options: WaitOptions = {}): Promise<Batch> {
  const { timeoutMs = 20_000, intervalMs = 50, onPoll, until = (b: Batch) => FINAL.has(b.status) } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    onPoll?.(batch);
    if (until(batch)) return batch;
    if (FINAL.has(batch.status)) throw new Error(`batch ended ${batch.status} before the awaited condition: ${JSON.stringify(batch.request_counts)}`);
    if (Date.now() > deadline) {
      throw new Error(`batch still ${batch.status} after ${timeoutMs} ms: ${JSON.stringify(batch.request_counts)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatBody {
  object: string;
  model: string;
  choices: { message: { role: string; content: string } }[];
  usage: Usage;
}

export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: ChatBody } | null;
  error: { code: string; message: string } | null;
}

/** The lines of an output or error file (none when the batch wrote no such file). */
export async function outputLines(client: OpenAI, fileId: string | null | undefined): Promise<OutputLine[]> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as OutputLine);
}

/** custom_ids that appear more than once across `lines`. */
export function duplicates(lines: OutputLine[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const l of lines) (seen.has(l.custom_id) ? twice : seen).add(l.custom_id);
  return [...twice];
}

/** A file or batch id decoded (`litellm:<internal>;model,<model>`), its model swapped, re-encoded. */
export function forgeId(id: string, model: string): string {
  const prefix = id.startsWith('batch_') ? 'batch_' : 'file-';
  const decoded = Buffer.from(id.slice(prefix.length), 'base64url').toString('utf8');
  if (!/;model,/.test(decoded)) throw new Error(`unexpected id layout: ${decoded}`);
  return prefix + Buffer.from(decoded.replace(/model,.*$/, `model,${model}`)).toString('base64url');
}

/** Every item of an auto-paginated SDK list. */
export async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}
