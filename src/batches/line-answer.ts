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
  /**
   * Too large to keep in the runner: its output line is in R2 under `spilled`, or nowhere (no target, not a JSON
   * answer, or `incomplete`: the JSON object did not end).
   */
  | { text: undefined; bytes: number; spilled: string | undefined; incomplete?: true; subrequests?: number };

const encoder = new TextEncoder();

/**
 * Answers written to R2 at once in this isolate. Each holds up to two 8 MiB parts, and a lane runs six lines (an
 * isolate may run several lanes) in 128 MB; a line over its limit waits its turn with its answer unread, which holds
 * the upstream's stream back meanwhile. A turn is a lease: an invocation killed mid-write (its time limit) never
 * hands its turn back, so a turn older than TURN_LEASE_MS is taken as lost.
 */
const MAX_SPILLS = 2;
const TURN_LEASE_MS = 2 * 60_000;
const TURN_POLL_MS = 50;
const turns = new Map<symbol, number>();

async function spillTurn(): Promise<symbol> {
  for (;;) {
    const now = Date.now();
    for (const [turn, since] of turns) if (now - since > TURN_LEASE_MS) turns.delete(turn);
    if (turns.size < MAX_SPILLS) {
      const turn = Symbol('spill');
      turns.set(turn, now);
      return turn;
    }
    await new Promise((resolve) => setTimeout(resolve, TURN_POLL_MS));
  }
}

/**
 * Reads a batch line's answer to its end (so its usage is read and booked as for any call). Up to `limit` bytes it
 * is returned as text; past that, a JSON answer goes to `spill` as it streams (memory stays at about the limit plus
 * two R2 parts), and anything else is only counted. A written answer that does not end its JSON object (an upstream
 * that closed early but cleanly) is dropped: it would break its line of the output file.
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
  let turn: symbol | undefined;
  /** The last byte of the answer that is not whitespace: a complete JSON object ends with `}`. */
  let last = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (writer) {
        last = lastNonSpace(value, last);
        await writer.write(oneLine(value));
      } else if (bytes <= limit) held.push(value);
      else if (!target) held.length = 0;
      else {
        turn = await spillTurn();
        writer = new PartWriter(target.bucket, target.key);
        await writer.write(encoder.encode(target.before));
        for (const chunk of [...held, value]) {
          last = lastNonSpace(chunk, last);
          await writer.write(oneLine(chunk));
        }
        held.length = 0;
      }
    }
    if (writer && target) {
      if (last !== CLOSE_BRACE) {
        await writer.abort();
        return { text: undefined, bytes, spilled: undefined, incomplete: true, subrequests: writer.subrequests };
      }
      await writer.write(encoder.encode(target.after));
      await writer.close();
      return { text: undefined, bytes, spilled: target.key, subrequests: writer.subrequests };
    }
  } catch (err) {
    // The rest of the answer is let go: its booking waits for the body to be read to its end or cancelled.
    await reader.cancel(err).catch(() => undefined);
    await writer?.abort();
    throw err;
  } finally {
    if (turn) turns.delete(turn);
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

const CLOSE_BRACE = 0x7d;

/** The chunk's last byte that is not JSON whitespace, or `previous` when it has none. */
function lastNonSpace(chunk: Uint8Array, previous: number): number {
  for (let i = chunk.length - 1; i >= 0; i--) {
    const b = chunk[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return previous;
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
