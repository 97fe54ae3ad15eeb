import { bodyReadError } from '../body-read-error';

/** Past this much, a refused body is cancelled rather than read out: the edge refuses bigger Free/Pro bodies anyway. */
const DRAIN_LIMIT = 100 * 1024 * 1024;

/** The next chunk of a request body; a body that breaks off mid-read is the client's 400, not an internal error. */
export async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (err) {
    throw bodyReadError(err);
  }
}

/**
 * Lets go of a request body the gateway stops reading (refused, or done with). What is left is read and dropped,
 * then the lock released: a body left locked or half read cannot be drained by the runtime, and under
 * `wrangler dev` the next request on that keep-alive connection hangs or gets a 503. Never throws.
 */
export async function releaseBody(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    for (let left = DRAIN_LIMIT; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      left -= value.byteLength;
      if (left < 0) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // A body that broke off has nothing more to give.
  }
  try {
    reader.releaseLock();
  } catch {
    // Still locked by a read in flight: that read ends with the body.
  }
}
