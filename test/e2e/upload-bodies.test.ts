// Multipart uploads refused before their end, as a client on a keep-alive connection sees them under `wrangler dev`.
// This file starts its OWN gateway so it can read the console: a body left half read or locked stalls the connection
// (the next request hangs or gets a 503), and an errored upstream body shows as an "Uncaught Error".
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSim, type SimHandle } from '../helpers/sim';
import { freePort, startWrangler, type Wrangler } from './helpers/wrangler';

const B = 'e2e-upload-boundary';
const FORM = `multipart/form-data; boundary=${B}`;
const masterKey = `sk-e2e-bodies-${randomBytes(16).toString('hex')}`;
let gateway: Wrangler | undefined;
let sim: SimHandle | undefined;
let persist: string | undefined;
let key = '';

/** One socket, reused: the second request of a pair goes down the same connection as the first. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  text: string;
  port: number | undefined;
}

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer, bearer = masterKey): Promise<Answer> {
  const url = new URL(gateway!.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, agent, headers: { authorization: `Bearer ${bearer}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), port: req.socket?.localPort }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const part = (name: string, value: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const fileHead = (name: string, filename: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`;
const form = (...pieces: (string | Buffer)[]): Buffer => Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

beforeAll(async () => {
  persist = await mkdtemp(join(tmpdir(), 'gateway-e2e-bodies-'));
  gateway = await startWrangler({
    port: await freePort(),
    inspectorPort: await freePort(),
    persist,
    vars: { MASTER_KEY: masterKey, HOSTED_VLLM_API_BASE: inject('simUrl') },
    redact: [masterKey],
  });
  sim = await spawnSim(inject('simUrl'), { models: ['whisper'] });
  const admin = (path: string, json: unknown) =>
    fetch(`${gateway!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  const created = await admin('/model/new', { model_name: 'asr', litellm_params: { model: 'hosted_vllm/whisper', api_base: sim.url }, model_info: { id: 'asr-1' } });
  expect(created.status).toBe(200);
  key = ((await (await admin('/key/generate', {})).json()) as { key: string }).key;
}, 90_000);

afterAll(async () => {
  agent.destroy();
  await gateway?.stop();
  await sim?.close().catch(() => undefined);
  if (persist) await rm(persist, { recursive: true, force: true });
}, 30_000);

describe('uploads refused before their end, under wrangler dev', () => {
  it('leave the keep-alive connection ready for the next request', { timeout: 120_000 }, async () => {
    const audio = Buffer.alloc(26 * 1024 * 1024, 1);
    const cases: [string, string, Record<string, string>, Buffer, number][] = [
      ['100 KB model field', '/v1/audio/transcriptions', {}, form(part('model', 'm'.repeat(100_000)), fileHead('file', 'a.wav'), 'abcd\r\n', `--${B}--\r\n`), 400],
      ['26 MB before the model', '/v1/audio/transcriptions', {}, form(fileHead('file', 'a.wav'), audio, '\r\n', part('model', 'asr'), `--${B}--\r\n`), 413],
      ['unknown model', '/v1/audio/transcriptions', { 'x-litellm-model': 'no-such-model' }, form(fileHead('file', 'a.wav'), audio.subarray(0, 4 << 20), `\r\n--${B}--\r\n`), 404],
      ['two file parts', '/v1/files', {}, form(fileHead('file', 'a.txt'), 'a\r\n', fileHead('file', 'b.txt'), audio.subarray(0, 8 << 20), `\r\n--${B}--\r\n`), 400],
    ];
    for (const [label, path, headers, body, status] of cases) {
      const refused = await send('POST', path, { 'content-type': FORM, 'content-length': String(body.length), ...headers }, body);
      expect(refused.status, `${label}: ${refused.text.slice(0, 200)}`).toBe(status);
      expect(refused.text, label).toMatch(/^\{"error":\{"message"/);
      const next = await send('GET', '/health/liveliness', {});
      expect(next.status, label).toBe(200);
      expect(next.port, `${label}: same connection`).toBe(refused.port);
    }
  });

  it('a malformed form with the model in x-litellm-model is a 400, and nothing shows in the console as uncaught', { timeout: 60_000 }, async () => {
    const body = form(fileHead('file', 'a.wav'), Buffer.alloc(200_000, 2));
    for (const bearer of [masterKey, key]) {
      const res = await send('POST', '/v1/audio/transcriptions', { 'content-type': FORM, 'x-litellm-model': 'asr', 'content-length': String(body.length) }, body, bearer);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/Malformed multipart body: multipart body ended before its closing boundary/);
    }
    // Console lines arrive a moment after the answer.
    await new Promise((r) => setTimeout(r, 500));
    expect(gateway!.output()).not.toMatch(/Uncaught|unhandled error/);
  });
});
