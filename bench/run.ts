// `npm run bench`: the gateway's overhead against the simulator alone and a do-nothing Worker, in one process run.
// Env: BENCH_SECONDS (per measurement, default 2), BENCH_ROUNDS (default 9), BENCH_TTFB_SAMPLES (default 200);
// after the rounds, upload memory, large-answer memory and batch throughput (extras.ts: BENCH_SKIP_UPLOAD,
// BENCH_SKIP_ANSWER, BENCH_SKIP_BATCH, sizes).
// Method: every target is validated and warmed up, then measured once per round in a rotating order; the report
// takes medians over rounds (ratios: per round first), and a measurement disturbed by outside load is retaken.
// Many short rounds rather than a few long ones: this shared machine's speed drifts by ±30 % within minutes, and
// with 5 s slices one round spanned ~40 s, enough for the ratios of one run to range 0.67–0.88 between rounds.
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBundle } from './bundle';
import { jsonJob, type Job } from './client';
import { cpuDuring, OTHER_LOAD_LIMIT, untilQuiet, type CpuReport } from './cpu';
import { runExtras } from './extras';
import { throughput, timeToFirstByte } from './load';
import { compare, printReport, summarize, TARGETS, writeJson, type Measured, type TargetRuns } from './report';
import { EXTRA_TARGETS, printExtras } from './report-extra';
import { GROUP, seedGateway } from './seed';
import { setting } from './settings';
import { rotated } from './stats';
import { MASTER_KEY, SIM_MODEL, startFloor, startGateway, startPassthrough, startSim, type Running } from './targets';
import { checkJson, checkStream } from './validate';

const SECONDS = setting('BENCH_SECONDS', 2);
const ROUNDS = Math.round(setting('BENCH_ROUNDS', 9));
const TTFB_SAMPLES = Math.round(setting('BENCH_TTFB_SAMPLES', 200));
const CONCURRENCY = 32;
/** Compared with the pass-through like the gateway: the ratio any per-request Durable Object check can reach here. */
const FLOOR_NAME = 'floor: +1 empty DO call';
/** Short prompt, 16 tokens out: the simulator answers fast, so the front end (not the upstream) is what is measured. */
const MESSAGES = [{ role: 'user', content: 'hello world' }];

interface Target {
  name: string;
  /** The workerd process serving it (none for the simulator itself). */
  workerPids: number[];
  json: Job;
  stream: Job;
}

function target(name: string, server: { url: string; pids: number[] } | string, key: string, model: string): Target {
  const url = `${typeof server === 'string' ? server : server.url}/v1/chat/completions`;
  return {
    name,
    workerPids: typeof server === 'string' ? [] : server.pids,
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

/**
 * Runs a measurement with CPU accounting; when something outside the bench took a real share of the 2 cores
 * meanwhile, that sample says more about the neighbour than the target, so it is retaken (twice at most) once the
 * machine is quiet again (waiting a minute at most).
 */
async function undisturbed<T>(
  label: string,
  pids: Record<string, number[]>,
  run: () => Promise<T>,
): Promise<CpuReport<T>> {
  for (let attempt = 1; ; attempt++) {
    const report = await cpuDuring(pids, run);
    if (report.otherPercent <= OTHER_LOAD_LIMIT || attempt === 3) return report;
    console.log(`${label}: other processes used ${report.otherPercent.toFixed(0)}% of a core, measuring again`);
    await untilQuiet(60_000);
  }
}

/** One throughput measurement, with the CPU each process spent per request. */
async function measure(t: Target, simPids: number[], label: string): Promise<Measured> {
  const pids = { client: [process.pid], simulator: simPids, worker: t.workerPids };
  const { result, cpu, otherPercent } = await undisturbed(label, pids, () => throughput(t.json, CONCURRENCY, SECONDS));
  const perRequest = (ms: number): number => (ms * 1000) / result.requests;
  const cpuUsPerRequest: Measured['cpuUsPerRequest'] = {
    client: perRequest(cpu.client!),
    simulator: perRequest(cpu.simulator!),
  };
  if (t.workerPids.length > 0) cpuUsPerRequest.worker = perRequest(cpu.worker!);
  return { ...result, cpuUsPerRequest, otherCpuPercent: otherPercent };
}

async function main(): Promise<void> {
  console.log(`bench: ${SECONDS} s per measurement, ${ROUNDS} rounds, ${CONCURRENCY} connections, ` +
    `${TTFB_SAMPLES} TTFB samples; node ${process.version}, ${availableParallelism()} CPUs`);
  const bundle = await buildBundle();
  const started: Running[] = [];
  // Ctrl-C mid-run still stops the simulator and both workerd processes.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled(started.map((r) => r.close())).then(() => process.exit(130));
    });
  }
  try {
    const sim = await startSim();
    started.push(sim);
    const passthrough = await startPassthrough(sim.url);
    started.push(passthrough);
    const floor = await startFloor(sim.url);
    started.push(floor);
    const gateway = await startGateway(bundle.scriptPath, sim.url);
    started.push(gateway);
    const keys = await seedGateway(gateway.url, sim.url);
    console.log(`simulator ${sim.url}, passthrough ${passthrough.url}, gateway ${gateway.url}`);

    const targets: Target[] = [
      target('direct (simulator)', sim.url, 'none', SIM_MODEL),
      target('passthrough worker', passthrough, 'none', SIM_MODEL),
      target(FLOOR_NAME, floor, 'none', SIM_MODEL),
      target('gateway: master key', gateway, MASTER_KEY, GROUP),
      target('gateway: virtual key', gateway, keys.plainKey, GROUP),
      target('gateway: budget+rpm key', gateway, keys.limitedKey, GROUP),
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
        const label = `round ${round + 1}  ${t.name.padEnd(24)}`;
        const sample = await measure(t, sim.pids, label);
        runs.get(t)!.throughput.push(sample);
        console.log(`${label} ${sample.rps.toFixed(0).padStart(6)} req/s` +
          `  p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  non-200 ${sample.non200}` +
          `  worker CPU ${sample.cpuUsPerRequest.worker?.toFixed(0) ?? '-'} µs/req` +
          `  other load ${sample.otherCpuPercent.toFixed(0)}%`);
        await quiesce(sim.url);
      }
      for (const t of rotated(targets, round)) {
        const label = `round ${round + 1}  ${t.name.padEnd(24)}`;
        const pids = { client: [process.pid], simulator: sim.pids, worker: t.workerPids };
        const { result: sample } = await undisturbed(label, pids, () => timeToFirstByte(t.stream, TTFB_SAMPLES));
        runs.get(t)!.ttfb.push(sample);
        console.log(`${label} TTFB p50 ${sample.medianMs.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms` +
          `  non-200 ${sample.non200}`);
      }
      await quiesce(sim.url);
    }

    const extras = await runExtras(gateway, sim, bundle.scriptPath);
    const summaries = targets.map((t) => summarize(runs.get(t)!));
    const [, passthroughRuns, ...gatewayRuns] = targets.map((t) => runs.get(t)!);
    const comparisons = gatewayRuns.map((g) => compare(g, passthroughRuns!));
    const maxOther = Math.max(...[...runs.values()].flatMap((r) => r.throughput.map((s) => s.otherCpuPercent)));
    const workerLogs = [
      { name: 'passthrough worker', top: passthrough.logs?.top(5) ?? [] },
      { name: 'gateway', top: gateway.logs?.top(5) ?? [] },
    ];
    printReport(summaries, comparisons, bundle, ROUNDS, maxOther, workerLogs);
    printExtras(extras);
    await writeJson(new URL('results/latest.json', import.meta.url), {
      date: new Date().toISOString(),
      settings: { seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, ttfbSamples: TTFB_SAMPLES },
      machine: { node: process.version, cpus: availableParallelism() },
      aggregation: 'median over rounds, per metric; ratios and deltas: median of per-round values',
      targets: { ...TARGETS, ...EXTRA_TARGETS },
      summaries,
      comparisons,
      bundle: { rawKiB: bundle.rawKiB, gzipKiB: bundle.gzipKiB, parts: bundle.parts },
      workerLogs,
      rounds: [...runs.values()],
      ...extras,
    });
    console.log('\nwrote bench/results/latest.json');
  } finally {
    for (const running of started.reverse()) await running.close();
    await bundle.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  // Fail fast: a half-started target must not leave the run hanging.
  process.exit(1);
});
