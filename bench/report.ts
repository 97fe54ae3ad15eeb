// Turns the rounds' samples into the summary: per-target medians, gateway/passthrough ratios, a table and JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import type { Bundle } from './bundle';
import { OTHER_LOAD_LIMIT } from './cpu';
import type { ThroughputSample, TtfbSample } from './load';
import { median } from './stats';

export const TARGETS = { throughput: 0.85, ttfbDeltaMs: 1, gzipKiB: 120 } as const;

/** A throughput sample with the CPU each process spent per request (µs); `worker`: workerd, Durable Objects included. */
export interface Measured extends ThroughputSample {
  cpuUsPerRequest: { client: number; simulator: number; worker?: number };
  /** CPU the rest of the machine used meanwhile, in % of one core: load from outside the bench. */
  otherCpuPercent: number;
}

export interface TargetRuns {
  name: string;
  throughput: Measured[];
  ttfb: TtfbSample[];
}

export interface Summary {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ttfbMedianMs: number;
  ttfbP99Ms: number;
  cpuUsPerRequest: { client: number; simulator: number; worker?: number };
  /** Summed over all rounds, throughput and TTFB requests alike. */
  non200: number;
  failed: number;
  roundsRps: number[];
}

export interface Comparison {
  name: string;
  throughputRatio: number;
  ttfbDeltaMs: number;
  /** workerd CPU per request beyond the passthrough's: the gateway's own work, less sensitive to scheduling than req/s. */
  workerCpuDeltaUs: number;
}

/** Each metric is the median over rounds, taken independently: a single noisy round moves none of them. */
export function summarize(runs: TargetRuns): Summary {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    name: runs.name,
    rps: median(runs.throughput.map((s) => s.rps)),
    p50Ms: median(runs.throughput.map((s) => s.p50Ms)),
    p99Ms: median(runs.throughput.map((s) => s.p99Ms)),
    ttfbMedianMs: median(runs.ttfb.map((s) => s.medianMs)),
    ttfbP99Ms: median(runs.ttfb.map((s) => s.p99Ms)),
    cpuUsPerRequest: {
      client: median(runs.throughput.map((s) => s.cpuUsPerRequest.client)),
      simulator: median(runs.throughput.map((s) => s.cpuUsPerRequest.simulator)),
      ...(runs.throughput[0]?.cpuUsPerRequest.worker === undefined
        ? {}
        : { worker: median(runs.throughput.map((s) => s.cpuUsPerRequest.worker ?? Number.NaN)) }),
    },
    non200: sum(runs.throughput.map((s) => s.non200)) + sum(runs.ttfb.map((s) => s.non200)),
    failed: sum(runs.throughput.map((s) => s.failed)),
    roundsRps: runs.throughput.map((s) => s.rps),
  };
}

/**
 * Ratios and deltas are taken within each round, where gateway and passthrough ran a few seconds apart, and then
 * the median over rounds: the machine drifting between rounds (other tenants, frequency) cancels out.
 */
export function compare(gateway: TargetRuns, passthrough: TargetRuns): Comparison {
  const perRound = (f: (r: number) => number): number => median(gateway.throughput.map((_, r) => f(r)));
  const worker = (runs: TargetRuns, r: number): number => runs.throughput[r]!.cpuUsPerRequest.worker ?? Number.NaN;
  return {
    name: gateway.name,
    throughputRatio: perRound((r) => gateway.throughput[r]!.rps / passthrough.throughput[r]!.rps),
    ttfbDeltaMs: perRound((r) => gateway.ttfb[r]!.medianMs - passthrough.ttfb[r]!.medianMs),
    workerCpuDeltaUs: perRound((r) => worker(gateway, r) - worker(passthrough, r)),
  };
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISS');
/** Keeps both ends of a long log line: the message starts it, the detail (an I/O type, a stack frame) often ends it. */
const shorten = (line: string, max: number): string =>
  line.length <= max ? line : `${line.slice(0, max - 80)} … ${line.slice(-77)}`;
const fixed = (n: number | undefined, digits = 2): string => (n === undefined ? '-' : n.toFixed(digits));

/** Prints rows as right-aligned columns (the first one left-aligned) under a header row. */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  for (const cells of [header, ...rows]) console.log(line(cells));
}

export function printReport(
  summaries: Summary[],
  comparisons: Comparison[],
  bundle: Bundle,
  rounds: number,
  maxOtherCpuPercent: number,
  workerLogs: { name: string; top: { line: string; count: number }[] }[],
): void {
  console.log(`\nResults: median over ${rounds} rounds, each metric on its own (latencies in ms, CPU in µs per request)\n`);
  table(
    [
      'target', 'req/s', 'p50', 'p99', 'TTFB p50', 'TTFB p99', 'non-200', 'errors',
      'CPU worker', 'CPU sim', 'CPU client', 'req/s by round',
    ],
    summaries.map((s) => [
      s.name,
      fixed(s.rps, 0),
      fixed(s.p50Ms),
      fixed(s.p99Ms),
      fixed(s.ttfbMedianMs),
      fixed(s.ttfbP99Ms),
      String(s.non200),
      String(s.failed),
      fixed(s.cpuUsPerRequest.worker, 0),
      fixed(s.cpuUsPerRequest.simulator, 0),
      fixed(s.cpuUsPerRequest.client, 0),
      s.roundsRps.map((r) => r.toFixed(0)).join(' / '),
    ]),
  );
  console.log('\nratios and deltas: median of the per-round values');
  table(
    [
      'gateway vs passthrough',
      `throughput ratio (≥ ${TARGETS.throughput})`,
      `TTFB p50 delta (≤ +${TARGETS.ttfbDeltaMs} ms)`,
      'extra workerd CPU',
    ],
    comparisons.map((c) => [
      c.name,
      `${fixed(c.throughputRatio)} ${verdict(c.throughputRatio >= TARGETS.throughput)}`,
      `${c.ttfbDeltaMs >= 0 ? '+' : ''}${fixed(c.ttfbDeltaMs)} ms ${verdict(c.ttfbDeltaMs <= TARGETS.ttfbDeltaMs)}`,
      `+${fixed(c.workerCpuDeltaUs, 0)} µs/req`,
    ]),
  );
  for (const { name, top } of workerLogs) {
    if (top.length === 0) continue;
    console.log(`\n${name} printed (most frequent first, ids masked):`);
    for (const { line, count } of top) console.log(`  ${String(count).padStart(6)} × ${shorten(line, 200)}`);
  }
  if (maxOtherCpuPercent > OTHER_LOAD_LIMIT) {
    const most = maxOtherCpuPercent.toFixed(0);
    console.log(`\nnote: other processes used up to ${most}% of a core in a measurement, even after retakes: noisy`);
  }
  console.log(
    `\nbundle (wrangler deploy --dry-run): ${fixed(bundle.rawKiB, 1)} KiB raw, ${fixed(bundle.gzipKiB, 1)} KiB gzip ` +
      `(≤ ${TARGETS.gzipKiB} KiB gzip: ${verdict(bundle.gzipKiB <= TARGETS.gzipKiB)})`,
  );
  const parts = bundle.parts.map((p) => `${p.name} ${fixed(p.rawKiB, 0)}/${fixed(p.gzipKiB, 0)}`);
  console.log(`  by origin, KiB raw/gzip (each gzipped alone): ${parts.join(', ')}`);
}

export async function writeJson(path: URL, results: unknown): Promise<void> {
  await mkdir(new URL('.', path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
