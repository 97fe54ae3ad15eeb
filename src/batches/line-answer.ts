import { PartWriter } from '../files/part-writer';

/**
 * The longest answer a batch line keeps in the runner. The runner stores every line's output line in one SQLite
 * row, and a row holds at most 2 MB; the answer is also held in the lane's memory while the line is reported.
 * Larger answers (an embeddings line with many inputs at a high dimension) are written to R2 as they stream, as
 * their whole output line (`SpillTarget`), and finalize copies that into the output file.
 */
export const MAX_LINE_ANSWER_BYTES = 1536 * 1024;

/** Where an answer too large to keep goes: its complete output line, one R2 object, written as the answer streams. */
export interface SpillTarget {
  bucket: R2Bucket;
  key: string;
  /** The output line's text before and after the answer (output-lines.ts `responseLineParts`). */
  before: string;
  after: string;
}

export type LineAnswer =
  /** The answer, whole. */
  | { text: string; bytes: number }
  /** Too large to keep: its output line is in R2 under `spilled`, or nowhere (no target, or not a JSON answer). */
  | { text: undefined; bytes: number; spilled: string | undefined };

const encoder = new TextEncoder();

/**
 * Answers written to R2 at once in this isolate. Each holds up to two 8 MiB parts, and a lane runs six lines (an
 * isolate may run several lanes) in 128 MB; a line over its limit waits its turn with its answer unread, which holds
 * the upstream's stream back meanwhile.
 */
const MAX_SPILLS = 2;
let spills = 0;
const queued: (() => void)[] = [];

async function spillTurn(): Promise<void> {
  if (spills < MAX_SPILLS) spills++;
  else await new Promise<void>((resolve) => queued.push(resolve));
}

/** The turn passes to the next line waiting, if any. */
function endSpillTurn(): void {
  const next = queued.shift();
  if (next) next();
  else spills--;
}

/**
 * Reads a batch line's answer to its end (so its usage is read and booked as for any call). Up to `limit` bytes it
 * is returned as text; past that, a JSON answer goes to `spill` as it streams (memory stays at about the limit plus
 * one R2 part), and anything else is only counted.
 */
export async function readLineAnswer(res: Response, spill?: SpillTarget, limit = MAX_LINE_ANSWER_BYTES): Promise<LineAnswer> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) <= limit) {
    const text = await res.text();
    return { text, bytes: Number(declared) };
  }
  if (!res.body) return { text: '', bytes: 0 };
  const target = spill && (res.headers.get('content-type') ?? '').includes('json') ? spill : undefined;
  const reader = res.body.getReader();
  const held: Uint8Array[] = [];
  let bytes = 0;
  let writer: PartWriter | undefined;
  let turn = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (writer) await writer.write(oneLine(value));
      else if (bytes <= limit) held.push(value);
      else if (!target) held.length = 0;
      else {
        await spillTurn();
        turn = true;
        writer = new PartWriter(target.bucket, target.key);
        await writer.write(encoder.encode(target.before));
        for (const chunk of held) await writer.write(oneLine(chunk));
        held.length = 0;
        await writer.write(oneLine(value));
      }
    }
    if (writer && target) {
      await writer.write(encoder.encode(target.after));
      await writer.close();
      return { text: undefined, bytes, spilled: target.key };
    }
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    if (turn) endSpillTurn();
  }
  if (bytes > limit) return { text: undefined, bytes, spilled: undefined };
  const whole = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of held) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(whole), bytes };
}

/**
 * The chunk with line breaks turned into spaces: an output file has one line per request. Outside JSON strings a
 * line break is whitespace, and inside them JSON allows none unescaped, so a valid answer stays valid and the same.
 */
function oneLine(chunk: Uint8Array): Uint8Array {
  if (chunk.indexOf(10) < 0 && chunk.indexOf(13) < 0) return chunk;
  const copy = chunk.slice();
  for (const byte of [10, 13]) for (let i = copy.indexOf(byte); i >= 0; i = copy.indexOf(byte, i + 1)) copy[i] = 32;
  return copy;
}
