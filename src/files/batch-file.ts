import { IdSet } from './id-set';
import type { Line } from './lines';

/** The endpoints a batch may target (vLLM has these; it has no batch API of its own). */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export const MAX_BATCH_LINES = 200_000;
const MAX_CUSTOM_ID = 512;

export class BatchFileError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Validates a batch input file line by line while it streams in: every non-blank line a JSON object with a unique
 * `custom_id`, `method` POST, the same `url` (one of BATCH_ENDPOINTS) on every line, an object `body`, and no
 * `stream: true`. The first problem stops the upload with its line number.
 */
export class BatchFileValidator {
  private readonly ids = new IdSet();
  url: BatchEndpoint | undefined;
  requests = 0;
  /** The `body.model` of the first line, and why the lines do not all name it (the file then names no one model). */
  model: { name: string; line: number } | undefined;
  modelProblem: string | undefined;

  check(line: Line): void {
    if (line.text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      throw new BatchFileError(line.number, 'is not valid JSON');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BatchFileError(line.number, 'must be a JSON object');
    const v = value as Record<string, unknown>;
    if (typeof v.custom_id !== 'string' || v.custom_id === '') {
      throw new BatchFileError(line.number, 'custom_id must be a non-empty string');
    }
    if (v.custom_id.length > MAX_CUSTOM_ID) throw new BatchFileError(line.number, `custom_id is longer than ${MAX_CUSTOM_ID} characters`);
    if (v.method !== 'POST') throw new BatchFileError(line.number, 'method must be "POST"');
    if (typeof v.url !== 'string' || !(BATCH_ENDPOINTS as readonly string[]).includes(v.url)) {
      throw new BatchFileError(line.number, `url must be one of ${BATCH_ENDPOINTS.join(', ')}`);
    }
    if (this.url === undefined) this.url = v.url as BatchEndpoint;
    else if (v.url !== this.url) throw new BatchFileError(line.number, `url must be ${this.url} like the lines before it (one endpoint per file)`);
    if (!v.body || typeof v.body !== 'object' || Array.isArray(v.body)) throw new BatchFileError(line.number, 'body must be a JSON object');
    if ((v.body as { stream?: unknown }).stream === true) throw new BatchFileError(line.number, 'body.stream must not be true in a batch');
    this.noteModel((v.body as { model?: unknown }).model, line.number);
    const first = this.ids.add(v.custom_id, line.number);
    if (first !== undefined) throw new BatchFileError(line.number, `custom_id "${v.custom_id.slice(0, 80)}" is used twice (first on line ${first})`);
    if (++this.requests > MAX_BATCH_LINES) throw new BatchFileError(line.number, `a batch file holds at most ${MAX_BATCH_LINES} requests`);
  }

  /** Only matters when no model is named for the file: then the one model every line names is the batch's. */
  private noteModel(model: unknown, line: number): void {
    if (this.modelProblem) return;
    if (typeof model !== 'string' || model === '') this.modelProblem = `line ${line} has no body.model`;
    else if (!this.model) this.model = { name: model, line };
    else if (model !== this.model.name) {
      this.modelProblem = `line ${line} names body.model "${model.slice(0, 80)}" but line ${this.model.line} names "${this.model.name.slice(0, 80)}"`;
    }
  }

  finish(): void {
    if (this.requests === 0) throw new BatchFileError(1, 'the file holds no requests');
  }
}
