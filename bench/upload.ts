// Upload memory: a large file streamed to POST /v1/files as one multipart request (generated on the fly, never held
// here), while the gateway's workerd process has its resident memory sampled. The gateway streams the file part into
// R2 in 8 MiB parts, so its memory should stay flat whatever the file's size.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleRss, totalRss, type Rss } from './rss';

export const SAMPLE_MS = 50;
const CHUNK = 64 * 1024;
/** jsonl: batch-shaped lines with unique custom_ids (the gateway validates every upload as batch JSONL on the way). */
export type UploadContent = 'jsonl' | 'random';

export interface UploadResult {
  content: UploadContent;
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  status: number;
  /** GET /v1/files/{id} `bytes` after the upload. */
  storedBytes: number;
  baseline: Rss;
  peak: Rss;
  peakAtMs: number;
  /** A second after the upload answered: what stays resident. */
  after: Rss;
  growthMiB: number;
  samples: number;
  maxGapMs: number;
}

/** `bytes` of content, exactly, in chunks of about CHUNK. */
async function* content(kind: UploadContent, bytes: number): AsyncGenerator<Buffer> {
  let left = bytes;
  if (kind === 'random') {
    const pool = randomBytes(1024 * 1024);
    for (let at = 0; left > 0; at = (at + CHUNK) % pool.length) {
      const n = Math.min(CHUNK, left);
      yield pool.subarray(at, at + n);
      left -= n;
    }
    return;
  }
  // ~1 KiB lines, as a batch file with real prompts has; the tail that no whole line fits is blank lines.
  const prompt = 'lorem ipsum dolor sit amet '.repeat(34);
  for (let i = 0; left > 0; ) {
    let text = '';
    while (text.length < CHUNK) {
      const line = `${JSON.stringify({
        custom_id: `upload-${i++}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'bench', messages: [{ role: 'user', content: prompt }], max_tokens: 16 },
      })}\n`;
      if (text.length + line.length > left) {
        text += '\n'.repeat(left - text.length);
        break;
      }
      text += line;
    }
    left -= text.length;
    yield Buffer.from(text, 'latin1');
  }
}

async function* multipart(boundary: string, kind: UploadContent, bytes: number): AsyncGenerator<Buffer> {
  yield Buffer.from(multipartHead(boundary, kind));
  yield* content(kind, bytes);
  yield Buffer.from(multipartTail(boundary));
}

const multipartHead = (boundary: string, kind: UploadContent): string =>
  `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n` +
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench-${kind}.${kind === 'jsonl' ? 'jsonl' : 'bin'}"\r\n` +
  'Content-Type: application/octet-stream\r\n\r\n';
const multipartTail = (boundary: string): string => `\r\n--${boundary}--\r\n`;

/** Sends the form with its exact content-length (no chunked encoding); resolves with the status and body. */
function post(url: string, key: string, kind: UploadContent, bytes: number): Promise<{ status: number; text: string }> {
  const boundary = `bench${randomBytes(12).toString('hex')}`;
  const length = Buffer.byteLength(multipartHead(boundary, kind)) + bytes + Buffer.byteLength(multipartTail(boundary));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    Readable.from(multipart(boundary, kind, bytes)).on('error', reject).pipe(req);
  });
}

export async function runUpload(gatewayUrl: string, key: string, pids: number[], kind: UploadContent, bytes: number): Promise<UploadResult> {
  await sleep(1000);
  const baseline = totalRss(pids);
  const sampler = sampleRss(pids, SAMPLE_MS);
  const started = performance.now();
  const { res, trace } = await post(`${gatewayUrl}/v1/files`, key, kind, bytes).then(
    (r) => ({ res: r, trace: sampler.stop() }),
    (err: unknown) => {
      sampler.stop();
      throw err;
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 200) throw new Error(`upload (${kind}): HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const { id } = JSON.parse(res.text) as { id: string };
  await sleep(1000);
  const after = totalRss(pids);
  const auth = { authorization: `Bearer ${key}` };
  const stored = (await (await fetch(`${gatewayUrl}/v1/files/${id}`, { headers: auth })).json()) as { bytes: number };
  // 200 MiB per run in Miniflare's temp dir: gone once measured.
  await fetch(`${gatewayUrl}/v1/files/${id}`, { method: 'DELETE', headers: auth });
  return {
    content: kind,
    bytes,
    seconds,
    mibPerSecond: bytes / 2 ** 20 / seconds,
    status: res.status,
    storedBytes: stored.bytes,
    baseline,
    peak: trace.peak,
    peakAtMs: trace.peakAtMs,
    after,
    growthMiB: trace.peak.total - baseline.total,
    samples: trace.samples,
    maxGapMs: trace.maxGapMs,
  };
}
