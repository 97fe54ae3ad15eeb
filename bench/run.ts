// `npm run bench`: the gateway's overhead against the simulator alone and a do-nothing Worker, in one process run.
// Env: BENCH_SECONDS (per measurement, default 5), BENCH_ROUNDS (default 3), BENCH_TTFB_SAMPLES (default 200).
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBundle } from './bundle';
import { jsonJob, type Job } from './client';
import { throughput, timeToFirstByte } from './load';
import { compare, printReport, summarize, TARGETS, writeJson, type TargetRuns } from './report';
import { GROUP, seedGateway } from './seed';
import { MASTER_KEY, SIM_MODEL, startGateway, startPassthrough, startSim, type Running } from './targets';
import { checkJson, checkStream } from './validate';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

const SECONDS = setting('BENCH_SECONDS', 5);
const ROUNDS = Math.round(setting('BENCH_ROUNDS', 3));
const TTFB_SAMPLES = Math.round(setting('BENCH_TTFB_SAMPLES', 200));
const CONCURRENCY = 32;
/** Short prompt, 16 tokens out: the simulator answers fast, so the front end (not the upstream) is what is measured. */
const MESSAGES = [{ role: 'user', content: 'hello world' }];

interface Target {
  name: string;
  json: Job;
  stream: Job;
}

function target(name: string, baseUrl: string, key: string, model: string): Target {
  const url = `${baseUrl}/v1/chat/completions`;
  return {
    name,
    json: jsonJob(url, key, { model, messages: MESSAGES, max_tokens: 16 }),
    stream: jsonJob(url, key, { model, messages: MESSAGES, max_tokens: 16, stream: true }),
  };
}

/**
 * Between measurements: empty the simulator's request log (it keeps every request, which would otherwise grow by
 * hundreds of MB over a run) and let deferred work of the last target (ctx.waitUntil settlements) drain, so it is not
 * billed to the next one.
 */
async function quiesce(simUrl: string): Promise<void> {
  await fetch(`${simUrl}/_sim/log`, { method: 'DELETE' });
  await sleep(1000);
}

/** Round r starts at target r: each target is measured early in some rounds and late in others. */
function rotated<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function main(): Promise<void> {
  console.log(`bench: ${SECONDS} s per measurement, ${ROUNDS} rounds, ${CONCURRENCY} connections, ` +
    `${TTFB_SAMPLES} TTFB samples; node ${process.version}, ${availableParallelism()} CPUs`);
  const bundle = await buildBundle();
  const started: Running[] = [];
  try {
    const sim = await startSim();
    started.push(sim);
    const passthrough = await startPassthrough(sim.url);
    started.push(passthrough);
    const gateway = await startGateway(bundle.scriptPath, sim.url);
    started.push(gateway);
    const keys = await seedGateway(gateway.url, sim.url);
    console.log(`simulator ${sim.url}, passthrough ${passthrough.url}, gateway ${gateway.url}`);

    const targets: Target[] = [
      target('direct (simulator)', sim.url, 'none', SIM_MODEL),
      target('passthrough worker', passthrough.url, 'none', SIM_MODEL),
      target('gateway: master key', gateway.url, MASTER_KEY, GROUP),
      target('gateway: virtual key', gateway.url, keys.plainKey, GROUP),
      target('gateway: budget+rpm key', gateway.url, keys.limitedKey, GROUP),
    ];
    const runs = new Map<Target, TargetRuns>(targets.map((t) => [t, { name: t.name, throughput: [], ttfb: [] }]));

    for (const t of targets) {
      await checkJson(t.name, t.json);
      await checkStream(t.name, t.stream);
      // Warm-up: JIT in all three processes, pooled connections, the gateway's isolate caches and Durable Objects.
      await throughput(t.json, CONCURRENCY, Math.min(2, SECONDS));
      await timeToFirstByte(t.stream, 50);
      await quiesce(sim.url);
    }
    console.log('validated and warmed up all targets');

    for (let round = 0; round < ROUNDS; round++) {
      for (const t of rotated(targets, round)) {
        const sample = await throughput(t.json, CONCURRENCY, SECONDS);
        runs.get(t)!.throughput.push(sample);
        console.log(`round ${round + 1}  ${t.name.padEnd(24)} ${sample.rps.toFixed(0).padStart(6)} req/s` +
          `  p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  non-200 ${sample.non200}`);
        await quiesce(sim.url);
      }
      for (const t of rotated(targets, round)) {
        const sample = await timeToFirstByte(t.stream, TTFB_SAMPLES);
        runs.get(t)!.ttfb.push(sample);
        console.log(`round ${round + 1}  ${t.name.padEnd(24)} TTFB p50 ${sample.medianMs.toFixed(2)} ms` +
          `  p99 ${sample.p99Ms.toFixed(2)} ms  non-200 ${sample.non200}`);
      }
      await quiesce(sim.url);
    }

    const summaries = targets.map((t) => summarize(runs.get(t)!));
    const [, passthroughSummary, ...gateways] = summaries;
    const comparisons = gateways.map((g) => compare(g, passthroughSummary!));
    printReport(summaries, comparisons, bundle, { rounds: ROUNDS });
    await writeJson(new URL('results/latest.json', import.meta.url), {
      date: new Date().toISOString(),
      settings: { seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, ttfbSamples: TTFB_SAMPLES },
      machine: { node: process.version, cpus: availableParallelism() },
      aggregation: 'median over rounds, per metric',
      targets: TARGETS,
      summaries,
      comparisons,
      bundle: { rawKiB: bundle.rawKiB, gzipKiB: bundle.gzipKiB, parts: bundle.parts },
      rounds: [...runs.values()],
    });
    console.log('\nwrote bench/results/latest.json');
  } finally {
    for (const running of started.reverse()) await running.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
