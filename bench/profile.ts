// `npm run bench:profile`: a V8 CPU profile of the gateway's Worker under the bench's load, to see where its
// per-request CPU goes. Writes bench/results/gateway.cpuprofile (open it in Chrome DevTools) and prints the
// functions with the most self time. Env: PROFILE_KEY = master | plain | limited (default), PROFILE_SECONDS (5);
// PROFILE_WORKLOAD=batch profiles a 3,000-line batch (bench/batch.ts) instead of chat requests.
import { mkdir, writeFile } from 'node:fs/promises';
import { fetch as mfFetch } from 'miniflare';
import { BATCH_DEFAULTS, runBatch } from './batch';
import { buildBundle } from './bundle';
import { jsonJob } from './client';
import { throughput } from './load';
import { GROUP, seedGateway } from './seed';
import { setting } from './settings';
import { MASTER_KEY, startGateway, startSim } from './targets';
import { freePort } from '../test/e2e/helpers/wrangler';

const CONCURRENCY = 32;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
}
type Send = (method: string, params?: object) => Promise<Record<string, unknown>>;

/** A DevTools protocol session with the gateway's isolate (Miniflare names it `core:user:<worker>`). */
async function inspect(port: number): Promise<Send> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  const target = list.find((t) => (t.title ?? '').includes('core:user')) ?? list[0];
  if (!target) throw new Error('the inspector lists no isolate');
  // Miniflare's fetch does the WebSocket upgrade (Node 20 has no WebSocket client of its own).
  const res = await mfFetch(target.webSocketDebuggerUrl.replace(/^ws/, 'http'), { headers: { upgrade: 'websocket' } });
  const socket = res.webSocket;
  if (!socket) throw new Error(`the inspector refused the WebSocket upgrade: ${res.status}`);
  socket.accept();
  let next = 1;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  socket.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? {});
  });
  return (method, params = {}) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
}

/** Self time per function (name, file, line), largest first, in percent of all samples. */
function selfTimes(profile: Profile): [string, number][] {
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples?.length ?? 0;
  const byName = new Map<string, number>();
  for (const { id, callFrame: f } of profile.nodes) {
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
    byName.set(name, (byName.get(name) ?? 0) + (hits.get(id) ?? 0));
  }
  return [...byName].map(([name, n]): [string, number] => [name, (100 * n) / Math.max(1, total)]).sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  // Unminified, so the profile names the gateway's own functions.
  const bundle = await buildBundle({ minify: false });
  const inspectorPort = await freePort();
  const sim = await startSim();
  const gateway = await startGateway(bundle.scriptPath, sim.url, { inspectorPort });
  try {
    const keys = await seedGateway(gateway.url, sim.url);
    const which = process.env.PROFILE_KEY ?? 'limited';
    const key = which === 'master' ? MASTER_KEY : which === 'plain' ? keys.plainKey : keys.limitedKey;
    const body = { model: GROUP, messages: [{ role: 'user', content: 'hello world' }], max_tokens: 16 };
    const job = jsonJob(`${gateway.url}/v1/chat/completions`, key, body);
    await throughput(job, CONCURRENCY, 2); // warm-up
    const send = await inspect(inspectorPort);
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 100 });
    await send('Profiler.start');
    let summary: string;
    if (process.env.PROFILE_WORKLOAD === 'batch') {
      const pids = { client: [process.pid], simulator: sim.pids, worker: gateway.pids };
      const b = await runBatch(gateway.url, sim.url, pids, MASTER_KEY, { ...BATCH_DEFAULTS, lines: 3000 });
      summary = `batch: ${b.linesPerSecond.toFixed(0)} lines/s under the profiler, workerd ${b.workerCpuMsPerLine.toFixed(2)} ms/line`;
    } else {
      const sample = await throughput(job, CONCURRENCY, setting('PROFILE_SECONDS', 5));
      summary = `${which} key: ${sample.rps.toFixed(0)} req/s under the profiler, non-200 ${sample.non200}`;
    }
    const { profile } = (await send('Profiler.stop')) as { profile: Profile };
    await mkdir(new URL('results/', import.meta.url), { recursive: true });
    await writeFile(new URL('results/gateway.cpuprofile', import.meta.url), JSON.stringify(profile));
    console.log(summary);
    for (const [name, percent] of selfTimes(profile).slice(0, 40)) console.log(`${percent.toFixed(1).padStart(5)}%  ${name}`);
    console.log('wrote bench/results/gateway.cpuprofile');
  } finally {
    await gateway.close();
    await sim.close();
    await bundle.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
