// The load generator: closed-loop throughput at fixed concurrency, and sequential time to first byte.
import { performance } from 'node:perf_hooks';
import { newAgent, send, type Job } from './client';
import { percentile } from './stats';

export interface ThroughputSample {
  requests: number;
  non200: number;
  /** Transport errors (reset, refused): counted, not thrown, so one hiccup does not void a round. */
  failed: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface TtfbSample {
  samples: number;
  non200: number;
  medianMs: number;
  p99Ms: number;
}

/**
 * `concurrency` workers each send the next request as soon as the last one finished (a closed loop, like a pool of
 * SDK clients), until `seconds` have passed. Requests still in flight at the deadline are completed and counted;
 * the rate divides by the time until the last of them finished.
 */
export async function throughput(job: Job, concurrency: number, seconds: number): Promise<ThroughputSample> {
  const agent = newAgent(concurrency);
  const latencies: number[] = [];
  let non200 = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        const out = await send(agent, job);
        latencies.push(out.totalMs);
        if (out.status !== 200) non200++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    non200,
    failed,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** One request at a time over one warm connection: what a single streaming client waits before text appears. */
export async function timeToFirstByte(job: Job, samples: number): Promise<TtfbSample> {
  const agent = newAgent(1);
  const times: number[] = [];
  let non200 = 0;
  for (let i = 0; i < samples; i++) {
    const out = await send(agent, job);
    if (out.status !== 200) non200++;
    times.push(out.firstByteMs);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { samples, non200, medianMs: percentile(times, 0.5), p99Ms: percentile(times, 0.99) };
}
