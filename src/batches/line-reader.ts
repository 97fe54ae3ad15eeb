import type { Bindings } from '../env';
import { GatewayError } from '../http/errors';
import type { ClaimedLine } from './batch-types';

/** Lines claimed together are usually neighbours in the file: one range read covers them when it stays small. */
const MAX_SPAN = 4 * 1024 * 1024;
const decoder = new TextDecoder();

export interface ReadyLine {
  line: ClaimedLine;
  text: string;
}

/** The lines' JSON text from the input file, in one R2 range read when they sit close together. */
export async function readLines(env: Bindings, key: string, lines: ClaimedLine[]): Promise<ReadyLine[]> {
  if (lines.length === 0) return [];
  const start = Math.min(...lines.map((l) => l.offset));
  const end = Math.max(...lines.map((l) => l.offset + l.length));
  if (end - start > MAX_SPAN) return Promise.all(lines.map(async (line) => ({ line, text: decoder.decode(await read(env, key, line.offset, line.length)) })));
  const bytes = await read(env, key, start, end - start);
  return lines.map((line) => ({ line, text: decoder.decode(bytes.subarray(line.offset - start, line.offset - start + line.length)) }));
}

async function read(env: Bindings, key: string, offset: number, length: number): Promise<Uint8Array> {
  const object = await env.FILES.get(key, { range: { offset, length } });
  if (!object) throw new GatewayError('internal', 'The batch input file is gone');
  return new Uint8Array(await object.arrayBuffer());
}
