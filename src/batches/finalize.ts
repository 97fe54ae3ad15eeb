import { nowSeconds } from '../files/expiry';
import { saveFileRecord, type FileRecord } from '../files/file-store';
import { encodeId } from '../files/ids';
import { PartWriter } from '../files/part-writer';
import { fileKey } from '../files/r2-layout';
import type { BatchStore } from './batch-store';
import type { BatchState } from './batch-types';
import { errorLine } from './output-lines';

const PAGE = 1000;
/** Output bytes read from storage at a time: lines of embeddings can be ~1.5 MiB each, a page of them ~1.5 GB. */
const PAGE_BYTES = 8 * 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Writes the output file (2xx responses) and the error file (everything else) in input order, streaming rows
 * from the runner's storage into R2. Internal ids are fixed before writing so a finalize interrupted by a restart
 * rewrites the same objects instead of leaving copies.
 */
export async function writeResults(
  bucket: R2Bucket,
  store: BatchStore,
  state: BatchState,
  ids: { output: string; error: string },
): Promise<{ outputFileId: string | null; errorFileId: string | null }> {
  const output = new PartWriter(bucket, fileKey(state.owner, ids.output));
  const errors = new PartWriter(bucket, fileKey(state.owner, ids.error));
  let okCount = 0;
  let errorCount = 0;
  for (let after = 0; ; ) {
    const rows = store.outputs(after, PAGE, PAGE_BYTES);
    if (rows.length === 0) break;
    for (const row of rows) {
      const copied = row.spill === null ? undefined : await copySpilled(bucket, row.spill, row.ok ? output : errors);
      if (copied === false) {
        // Counted as failed from now on, as the error file shows it.
        errorCount++;
        const line = errorLine(row.custom_id, 'result_not_stored', "The line's answer was lost from storage before the output file was written.");
        store.lost(row.line_no, line);
        await errors.write(encoder.encode(`${line}\n`));
        continue;
      }
      if (row.ok) okCount++;
      else errorCount++;
      if (copied === undefined) await (row.ok ? output : errors).write(encoder.encode(`${row.output}\n`));
    }
    after = rows[rows.length - 1]!.line_no;
  }
  const record = async (internal: string, writer: PartWriter, count: number, suffix: string): Promise<string | null> => {
    if (count === 0) {
      await writer.abort();
      return null;
    }
    const { bytes } = await writer.close();
    const created_at = nowSeconds();
    const file: FileRecord = {
      id: encodeId('file', internal, state.model),
      internal,
      owner: state.owner,
      model: state.model,
      purpose: 'batch_output',
      filename: `${state.internal}_${suffix}.jsonl`,
      bytes,
      created_at,
      // OpenAI anchors output_expires_after at the file's creation, not the batch's.
      ...(state.output_expires_after !== undefined ? { expires_at: created_at + state.output_expires_after } : {}),
    };
    await saveFileRecord(bucket, file);
    return file.id;
  };
  return {
    outputFileId: await record(ids.output, output, okCount, 'output'),
    errorFileId: await record(ids.error, errors, errorCount, 'error'),
  };
}

/** Copies a line kept in R2 (an answer too large for the runner's row) into the file; false when it is not there. */
async function copySpilled(bucket: R2Bucket, key: string, target: PartWriter): Promise<boolean> {
  const object = await bucket.get(key);
  if (!object) return false;
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await target.write(value);
  }
  await target.write(NEWLINE);
  return true;
}

const NEWLINE = encoder.encode('\n');
