// The one HTTP client every target is measured with: node:http over a keep-alive Agent. undici's Pool was ~5% faster
// against the bare simulator only (4.0k vs 3.6k, 5.3k vs 5.1k req/s) and not at all where workerd is the bottleneck,
// so the built-in client wins: no extra dependency, and identical for every target either way.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A request to replay: the same bytes every time. */
export interface Job {
  /** Absolute URL, e.g. http://127.0.0.1:8787/v1/chat/completions. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Outcome {
  status: number;
  /** From handing the request to the socket pool to the last body byte. */
  totalMs: number;
  /** From handing the request to the socket pool to the first body byte (NaN for an empty body). */
  firstByteMs: number;
  /** The body, only when asked for (validation); the load loop just drains it. */
  text?: string;
}

/**
 * Connection count is fixed per client: the load phase uses one socket per concurrent worker, the sequential TTFB
 * phase reuses a single warm socket. keepAlive makes every measurement exclude the TCP handshake, as a gateway's
 * clients (SDKs with pooled connections) would see it.
 */
export function newAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export function send(agent: Agent, job: Job, keepBody = false): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = Number.NaN;
    const chunks: Buffer[] = [];
    const req = request(job.url, { method: 'POST', agent, headers: job.headers }, (res) => {
      res.on('data', (chunk: Buffer) => {
        if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
        if (keepBody) chunks.push(chunk);
      });
      res.on('end', () => {
        const outcome: Outcome = { status: res.statusCode ?? 0, totalMs: performance.now() - started, firstByteMs };
        if (keepBody) outcome.text = Buffer.concat(chunks).toString('utf8');
        resolve(outcome);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(job.body);
  });
}

/** The job with its body's length set once, so no request is sent chunked. */
export function jsonJob(url: string, key: string, payload: unknown): Job {
  const body = JSON.stringify(payload);
  return {
    url,
    body,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  };
}
