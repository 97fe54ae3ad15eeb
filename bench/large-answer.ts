// Answer memory: one embeddings request whose JSON answer is large (1,000 inputs × 4,096 dimensions, ~84 MiB, as an
// 8B embedding model returns for a batch of passages), through a fresh gateway and a fresh pass-through Worker,
// each workerd's resident memory sampled during a first and a second such request. An isolate may use 128 MB: an answer held whole costs about
// twice its size; one relayed as it arrives should cost what the pass-through's does, plus the collector's lag.
import { sampleRss, totalRss } from './rss';
import { GROUP, seedGateway } from './seed';
import { MASTER_KEY, startGateway, startPassthrough, SIM_MODEL, type Running } from './targets';

export interface AnswerRun {
  target: 'gateway' | 'pass-through';
  status: number;
  bytes: number;
  seconds: number;
  /** Resident memory of the fresh workerd before its first such request. */
  baselineMiB: number;
  /** Peak growth during the first request (nothing compiled or sized yet). */
  firstGrowthMiB: number;
  /** Peak growth during a second one, over the memory held after the first. */
  growthMiB: number;
}

export interface AnswerResult {
  inputs: number;
  dimensions: number;
  runs: AnswerRun[];
}

async function measure(run: Running, target: AnswerRun['target'], model: string, inputs: number): Promise<AnswerRun> {
  const body = JSON.stringify({ model, input: Array.from({ length: inputs }, (_, i) => `passage number ${i}`) });
  const once = async (): Promise<{ status: number; bytes: number }> => {
    const res = await fetch(`${run.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
  };
  // One retry: after the throughput rounds a pooled connection may be stale ("fetch failed"); the cause is kept.
  const send = (): Promise<{ status: number; bytes: number }> =>
    once().catch(async (err: unknown) => {
      console.error(`answer ${target}: ${String(err)} (${String((err as { cause?: unknown }).cause ?? 'no cause')}), retrying once`);
      await new Promise((r) => setTimeout(r, 1000));
      return once();
    });
  const fresh = totalRss(run.pids);
  const first = sampleRss(run.pids, 20);
  await send();
  const firstPeak = first.stop().peak;
  await new Promise((r) => setTimeout(r, 1000));
  const baseline = totalRss(run.pids);
  const trace = sampleRss(run.pids, 20);
  const started = performance.now();
  const { status, bytes } = await send();
  const seconds = (performance.now() - started) / 1000;
  const peak = trace.stop().peak;
  return {
    target,
    status,
    bytes,
    seconds,
    baselineMiB: fresh.total,
    firstGrowthMiB: firstPeak.total - fresh.total,
    growthMiB: peak.total - baseline.total,
  };
}

export async function runLargeAnswer(scriptPath: string, simUrl: string, inputs: number, dimensions: number): Promise<AnswerResult> {
  const patch = (embeddingDim: number | null) =>
    fetch(`${simUrl}/_sim/config`, { method: 'PATCH', body: JSON.stringify({ embeddingDim }) }).then((r) => r.body?.cancel());
  await patch(dimensions);
  const runs: AnswerRun[] = [];
  try {
    const gateway = await startGateway(scriptPath, simUrl);
    try {
      await seedGateway(gateway.url, simUrl);
      runs.push(await measure(gateway, 'gateway', GROUP, inputs));
    } finally {
      await gateway.close();
    }
    const passthrough = await startPassthrough(simUrl);
    try {
      runs.push(await measure(passthrough, 'pass-through', SIM_MODEL, inputs));
    } finally {
      await passthrough.close();
    }
  } finally {
    await patch(null);
  }
  return { inputs, dimensions, runs };
}
