/**
 * Writes a stream of unknown length into R2 without holding it: R2's `put` needs a known length, so the bytes go
 * through a multipart upload in equal parts (R2 requires every part but the last to have the same size, at least
 * 5 MiB). Memory stays at about one part. Small files take a single `put`.
 */
export const PART_SIZE = 8 * 1024 * 1024;

export interface WrittenObject {
  bytes: number;
}

export class PartWriter {
  /** Two buffers, used in turn: one fills while the other uploads (never more in flight). */
  private readonly buffers: Uint8Array[] = [new Uint8Array(PART_SIZE)];
  private part: Uint8Array = this.buffers[0]!;
  private filled = 0;
  private bytes = 0;
  private upload: R2MultipartUpload | undefined;
  private readonly parts: R2UploadedPart[] = [];
  private uploading: Promise<void> = Promise.resolve();
  private failed: unknown;
  private calls = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    private readonly options: R2PutOptions = {},
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(PART_SIZE - this.filled, chunk.length - offset);
      this.part.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === PART_SIZE) await this.flushPart();
    }
    this.bytes += chunk.length;
  }

  /** R2 calls made so far (each a subrequest of the invocation). */
  get subrequests(): number {
    return this.calls;
  }

  async close(): Promise<WrittenObject> {
    if (!this.upload) {
      this.calls++;
      await this.bucket.put(this.key, this.part.subarray(0, this.filled), this.options);
      return { bytes: this.bytes };
    }
    if (this.filled > 0) await this.flushPart();
    await this.uploading;
    if (this.failed) throw this.failed;
    this.calls++;
    await this.upload.complete(this.parts);
    return { bytes: this.bytes };
  }

  /** Drops everything written so far: a refused upload keeps nothing. */
  async abort(): Promise<void> {
    await this.uploading.catch(() => undefined);
    this.calls++;
    if (this.upload) await this.upload.abort().catch(() => undefined);
    else await this.bucket.delete(this.key).catch(() => undefined);
  }

  /** Sends the full part while the next one fills: at most one part uploading and one filling. */
  private async flushPart(): Promise<void> {
    await this.uploading;
    if (this.failed) throw this.failed;
    if (!this.upload) {
      this.calls++;
      this.upload = await this.bucket.createMultipartUpload(this.key, this.options);
    }
    const upload = this.upload;
    const body = this.part.subarray(0, this.filled);
    const number = this.parts.length + 1;
    this.parts.push({ partNumber: number, etag: '' });
    this.calls++;
    this.uploading = upload.uploadPart(number, body).then(
      (uploaded) => {
        this.parts[number - 1] = uploaded;
      },
      (err: unknown) => {
        this.failed = err;
      },
    );
    // The previous upload finished before this one started, so its buffer is free to fill again.
    if (this.buffers.length === 1) this.buffers.push(new Uint8Array(PART_SIZE));
    this.part = this.part === this.buffers[0] ? this.buffers[1]! : this.buffers[0]!;
    this.filled = 0;
  }
}
