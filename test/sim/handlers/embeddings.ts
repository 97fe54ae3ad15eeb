// POST /v1/embeddings
import { createHash } from 'node:crypto';
import type { RouteContext } from '../context';
import { randomId, unixNow } from '../ids';
import { countTokens } from '../tokens';
import { badRequest, jsonBody, optionalInt, resolveModel, usageOf } from './shared';

type Input = string | number[];

const isTokenIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every(Number.isInteger);

function readInputs(input: unknown): Input[] {
  if (typeof input === 'string' || isTokenIds(input)) return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((i) => typeof i === 'string' || isTokenIds(i))) {
    return input as Input[];
  }
  throw badRequest('input: Input should be a non-empty string, list of strings or list of token ids', 'input');
}

const tokensOf = (input: Input): number => (typeof input === 'string' ? countTokens(input) : input.length);

/** A unit vector derived from sha256(input): same input, same vector, on every run. */
export function embed(input: Input, dim: number): number[] {
  const key = typeof input === 'string' ? input : JSON.stringify(input);
  const values: number[] = [];
  for (let block = 0; values.length < dim; block++) {
    const digest = createHash('sha256').update(`${block}:${key}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dim; i += 4) {
      values.push((digest.readUInt32LE(i) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

/** vLLM's base64 encoding: the float32 little-endian bytes of the vector. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

export function embeddings(ctx: RouteContext): void {
  const body = jsonBody(ctx);
  const inputs = readInputs(body.input);
  const model = resolveModel(ctx.config, body.model);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw badRequest("encoding_format: Input should be 'float' or 'base64'", 'encoding_format');
  }
  const dimensions = optionalInt(body, 'dimensions', 1);
  if (dimensions !== undefined && !ctx.config.matryoshkaModels.includes(model)) {
    throw badRequest(
      `Model "${model}" does not support matryoshka representation, changing output dimensions will lead to poor results.`,
    );
  }
  if (dimensions !== undefined && dimensions > ctx.config.embeddingDim) {
    throw badRequest(`dimensions must be at most ${ctx.config.embeddingDim}, got ${dimensions}.`, 'dimensions');
  }
  for (const input of inputs) {
    const tokens = tokensOf(input);
    if (tokens > ctx.config.maxModelLen) {
      throw badRequest(
        `This model's maximum context length is ${ctx.config.maxModelLen} tokens. However, you requested ${tokens} tokens in the input for embedding generation. Please reduce the length of the input.`,
      );
    }
  }

  // Matryoshka: truncate the full vector, then re-normalise (what vLLM's pooler does).
  const vectorOf = (input: Input): number[] => {
    const full = embed(input, ctx.config.embeddingDim);
    if (dimensions === undefined) return full;
    const cut = full.slice(0, dimensions);
    const norm = Math.hypot(...cut) || 1;
    return cut.map((v) => v / norm);
  };
  const data = inputs.map((input, index) => {
    const vector = vectorOf(input);
    return { index, object: 'embedding', embedding: format === 'base64' ? toBase64(vector) : vector };
  });
  const promptTokens = inputs.reduce((sum, i) => sum + tokensOf(i), 0);
  ctx.reply.json(200, {
    id: randomId('embd'),
    object: 'list',
    created: unixNow(),
    model,
    data,
    usage: usageOf(promptTokens, 0),
  });
}
