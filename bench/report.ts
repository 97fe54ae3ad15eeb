// Turns the rounds' samples into the summary: per-target medians, gateway/passthrough ratios, a table and JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import type { Bundle } from './bundle';
import type { ThroughputSample, TtfbSample } from './load';
import { median } from './stats';

export const TARGETS = { throughput: 0.85, ttfbDeltaMs: 1, gzipKiB: 120 } as const;

export interface TargetRuns {
  name: string;
  throughput: ThroughputSample[];
  ttfb: TtfbSample[];
}

export interface Summary {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ttfbMedianMs: number;
  ttfbP99Ms: number;
  /** Summed over all rounds, throughput and TTFB requests alike. */
  non200: number;
  failed: number;
  roundsRps: number[];
}

export interface Comparison {
  name: string;
  throughputRatio: number;
  ttfbDeltaMs: number;
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
    non200: sum(runs.throughput.map((s) => s.non200)) + sum(runs.ttfb.map((s) => s.non200)),
    failed: sum(runs.throughput.map((s) => s.failed)),
    roundsRps: runs.throughput.map((s) => s.rps),
  };
}

export function compare(gateway: Summary, passthrough: Summary): Comparison {
  return {
    name: gateway.name,
    throughputRatio: gateway.rps / passthrough.rps,
    ttfbDeltaMs: gateway.ttfbMedianMs - passthrough.ttfbMedianMs,
  };
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISS');
const pad = (value: string, width: number): string => value.padStart(width);
const fixed = (n: number, digits = 2): string => n.toFixed(digits);

export function printReport(
  summaries: Summary[],
  comparisons: Comparison[],
  bundle: Bundle,
  settings: { rounds: number },
): void {
  const width = Math.max(...summaries.map((s) => s.name.length));
  console.log(`\nResults: median of ${settings.rounds} rounds per metric (latencies in ms)\n`);
  console.log(
    `${'target'.padEnd(width)}  ${pad('req/s', 7)}  ${pad('p50', 6)}  ${pad('p99', 6)}  ${pad('TTFB p50', 8)}  ` +
      `${pad('TTFB p99', 8)}  ${pad('non-200', 7)}  ${pad('errors', 6)}  req/s by round`,
  );
  for (const s of summaries) {
    console.log(
      `${s.name.padEnd(width)}  ${pad(fixed(s.rps, 0), 7)}  ${pad(fixed(s.p50Ms), 6)}  ${pad(fixed(s.p99Ms), 6)}  ` +
        `${pad(fixed(s.ttfbMedianMs), 8)}  ${pad(fixed(s.ttfbP99Ms), 8)}  ${pad(String(s.non200), 7)}  ` +
        `${pad(String(s.failed), 6)}  ${s.roundsRps.map((r) => r.toFixed(0)).join(' / ')}`,
    );
  }
  console.log(
    `\n${'gateway vs passthrough'.padEnd(width)}  throughput ratio (≥ ${TARGETS.throughput})  ` +
      `TTFB p50 delta (≤ +${TARGETS.ttfbDeltaMs} ms)`,
  );
  for (const c of comparisons) {
    const ratio = `${fixed(c.throughputRatio)} ${verdict(c.throughputRatio >= TARGETS.throughput)}`;
    const delta = `${c.ttfbDeltaMs >= 0 ? '+' : ''}${fixed(c.ttfbDeltaMs)} ms ${verdict(c.ttfbDeltaMs <= TARGETS.ttfbDeltaMs)}`;
    console.log(`${c.name.padEnd(width)}  ${ratio.padEnd(27)}  ${delta}`);
  }
  console.log(
    `\nbundle (wrangler deploy --dry-run): ${fixed(bundle.rawKiB, 1)} KiB raw, ${fixed(bundle.gzipKiB, 1)} KiB gzip ` +
      `(≤ ${TARGETS.gzipKiB} KiB gzip: ${verdict(bundle.gzipKiB <= TARGETS.gzipKiB)})`,
  );
  console.log(`  raw KiB by origin: ${bundle.parts.map((p) => `${p.name} ${fixed(p.rawKiB, 1)}`).join(', ')}`);
}

export async function writeJson(path: URL, results: unknown): Promise<void> {
  await mkdir(new URL('.', path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
