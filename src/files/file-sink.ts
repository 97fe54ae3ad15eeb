import { BatchFileError, BatchFileValidator, type BatchEndpoint } from './batch-file';
import { InvalidUtf8, LineSplitter } from './lines';
import { PartWriter } from './part-writer';

/** A batch line longer than this cannot be a request the gateway would accept (JSON bodies are capped too). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface SinkResult {
  bytes: number;
  /** Set when the content is a valid batch input file; `model` when every line names that same `body.model`. */
  batch?: { url: BatchEndpoint; requests: number; model?: string; modelProblem?: string };
  /** Why the content is not a valid batch input file (only matters when the purpose is batch). */
  batchError?: BatchFileError;
}

/**
 * Where uploaded bytes go: straight into R2 in equal parts, while a validator reads the same bytes as batch
 * JSONL. The purpose of a multipart upload may arrive after its file, so validation runs speculatively and
 * simply stops at the first problem; the caller decides whether that problem matters.
 */
export class FileSink {
  private readonly writer: PartWriter;
  private splitter: LineSplitter | undefined = new LineSplitter();
  private readonly validator = new BatchFileValidator();
  private batchError: BatchFileError | undefined;

  constructor(bucket: R2Bucket, key: string, validate: boolean) {
    this.writer = new PartWriter(bucket, key);
    if (!validate) this.splitter = undefined;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.splitter) this.validate(() => this.splitter!.push(chunk));
    await this.writer.write(chunk);
  }

  async finish(): Promise<SinkResult> {
    if (this.splitter) {
      this.validate(() => this.splitter!.end());
      // Only a file with no problem so far can be refused for holding no requests: the first, real reason stays.
      if (!this.batchError) {
        this.validate(() => {
          this.validator.finish();
          return [];
        });
      }
    }
    const { bytes } = await this.writer.close();
    if (this.batchError || !this.splitter || !this.validator.url) return { bytes, ...(this.batchError ? { batchError: this.batchError } : {}) };
    const { url, requests, model, modelProblem } = this.validator;
    return { bytes, batch: { url, requests, ...(modelProblem ? { modelProblem } : model ? { model: model.name } : {}) } };
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }

  private validate(next: () => { number: number; offset: number; length: number; text: string }[]): void {
    try {
      for (const line of next()) this.validator.check(line);
      if (this.splitter && this.splitter.partialBytes > MAX_LINE_BYTES) {
        throw new BatchFileError(this.splitter.nextLine, `is longer than ${MAX_LINE_BYTES / 1048576} MiB`);
      }
    } catch (err) {
      this.batchError =
        err instanceof BatchFileError
          ? err
          : err instanceof InvalidUtf8
            ? new BatchFileError(err.line, 'is not valid UTF-8')
            : new BatchFileError(this.splitter?.nextLine ?? 0, 'cannot be read as JSONL');
      this.splitter = undefined;
    }
  }
}
