import { LineSplitter } from '../files/lines';
import type { BatchStore } from './batch-store';

/**
 * Reads the input file once and records, for every request, its custom_id and where its line is: lanes then
 * read single lines back from R2 by range, so request bodies are never copied into the runner's storage.
 * Idempotent (a restart re-reads and skips lines already recorded).
 */
export async function ingest(bucket: R2Bucket, key: string, store: BatchStore, transaction: (fn: () => void) => void): Promise<number> {
  const object = await bucket.get(key);
  if (!object) throw new Error('the input file no longer exists');
  const splitter = new LineSplitter();
  const reader = object.body.getReader();
  let count = 0;
  const record = (lines: ReturnType<LineSplitter['push']>): void => {
    transaction(() => {
      for (const line of lines) {
        if (line.text.trim() === '') continue;
        const { custom_id } = JSON.parse(line.text) as { custom_id: string };
        store.addLine(line.number, custom_id, line.offset, line.length);
        count++;
      }
    });
  };
  for (let r = await reader.read(); !r.done; r = await reader.read()) record(splitter.push(r.value));
  record(splitter.end());
  return count;
}
