// The batch and upload measurements in the report: each with its target, printed after the throughput tables.
import type { BatchResult } from './batch';
import type { AnswerResult } from './large-answer';
import { table } from './report';
import type { Rss } from './rss';
import type { UploadResult } from './upload';

export const EXTRA_TARGETS = { batchRatio: 0.9, uploadGrowthMiB: 64 } as const;

export interface Extras {
  answer?: AnswerResult | { skipped: string } | { error: string };
  batch?: BatchResult | { skipped: string } | { error: string };
  upload?:
    | { benchGateway: { pid: number; command: string; rss: Rss }; runs: (UploadResult & { pid: number })[] }
    | { skipped: string }
    | { error: string };
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISS');
const f = (n: number, digits = 1): string => n.toFixed(digits);
const mib = (n: number): string => `${f(n)} MiB`;

/** Label and value, both left-aligned. */
function pairs(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

function why(x: object): string | undefined {
  if ('skipped' in x) return `skipped (${String(x.skipped)})`;
  if ('error' in x) return `FAILED: ${String(x.error)}`;
  return undefined;
}

export function printExtras(extras: Extras): void {
  const { batch, upload, answer } = extras;
  if (batch) {
    const note = why(batch);
    if (note || !('lines' in batch)) console.log(`\nbatch throughput: ${note}`);
    else {
      const b = batch;
      console.log(`\nbatch throughput: ${b.lines} lines, batch_concurrency ${b.concurrency}, upstream latency ${b.latencyMs} ms, ` +
        'virtual key (admission + settlement per line)');
      const cpu = Object.entries(b.cpuPercent).map(([name, pct]) => `${name} ${f(pct, 0)}%`).join(', ');
      const finalize = b.finalizeSeconds;
      pairs([
        ['lines/s (create → completed)', f(b.linesPerSecond)],
        ['ideal (concurrency / latency)', f(b.idealPerSecond, 0)],
        [`ratio (≥ ${EXTRA_TARGETS.batchRatio})`, `${f(b.ratio, 2)} ${verdict(b.ratio >= EXTRA_TARGETS.batchRatio)}`],
        ['create → completed', `${f(b.seconds, 2)} s`],
        ['create → all lines done', `${f(b.runSeconds, 2)} s`],
        ['finalizing (all done → completed)', `${f(finalize.min, 2)}–${f(finalize.max, 2)} s (bounds from polls every 150 ms)`],
        ['create → first upstream request', `${f(b.firstUpstreamMs, 0)} ms (ingest, lanes starting)`],
        ['steady upstream rate (lines p10–p90)', `${f(b.steadyPerSecond)} /s = ${f((b.steadyPerSecond * b.latencyMs) / 1000)} of ` +
          `${b.concurrency} slots waiting on the upstream`],
        ['per line per slot, outside the upstream', `${f(b.slotOverheadMs)} ms`],
        ['CPU while it ran (% of one core)', `${cpu}; workerd ${f(b.workerCpuMsPerLine, 2)} ms/line`],
        ['simulator requests / failed lines', `${b.simulatorRequests} / ${b.failed}`],
        ['output file', `${b.outputLines} lines, ${b.outputStatus200} with status 200, error file ${b.errorFileId ?? 'none'}`],
        ['input file upload (not timed above)', `${f(b.uploadSeconds, 2)} s`],
      ]);
    }
  }
  if (upload) {
    const note = why(upload);
    if (note || !('runs' in upload)) console.log(`\nupload memory: ${note}`);
    else {
      const bench = upload.benchGateway;
      console.log('\nupload memory: one multipart POST /v1/files (purpose user_data, exact content-length), each in a fresh ' +
        'gateway workerd after a 4 MiB warm-up upload; RSS = /proc/<pid>/status VmRSS every 50 ms');
      table(
        ['content', 'workerd pid', 'size', 'stored bytes', 'MiB/s', 'RSS before', 'peak', `growth (≤ ${EXTRA_TARGETS.uploadGrowthMiB} MiB)`,
          'after +1 s', 'peak anon/file/shmem', 'samples (max gap)'],
        upload.runs.map((u) => [
          u.content,
          String(u.pid),
          mib(u.bytes / 2 ** 20),
          `${u.storedBytes}${u.storedBytes === u.bytes ? '' : ' WRONG'}`,
          f(u.mibPerSecond),
          mib(u.baseline.total),
          `${mib(u.peak.total)} at ${f(u.peakAtMs / 1000)} s`,
          `${mib(u.growthMiB)} ${verdict(u.growthMiB <= EXTRA_TARGETS.uploadGrowthMiB)}`,
          mib(u.after.total),
          `${f(u.peak.anon)}/${f(u.peak.file)}/${f(u.peak.shmem)}`,
          `${u.samples} (${f(u.maxGapMs, 0)} ms)`,
        ]),
      );
      console.log('  one workerd process holds the gateway and Miniflare\'s entry worker and R2 simulator: its RSS counts all three');
      console.log(`  for comparison, the bench gateway (pid ${bench.pid}: ${bench.command}) after the throughput rounds: ` +
        `RSS ${mib(bench.rss.total)} (anon ${mib(bench.rss.anon)})`);
    }
  }
  if (answer) {
    const note = why(answer);
    if (note || !('runs' in answer)) console.log(`\nlarge answer memory: ${note}`);
    else {
      console.log(`\nlarge answer memory: one POST /v1/embeddings, ${answer.inputs} inputs × ${answer.dimensions} dimensions, ` +
        'each target in a fresh workerd, twice; RSS sampled every 20 ms');
      table(
        ['target', 'status', 'answer', 'seconds (2nd)', 'RSS fresh', 'peak growth, 1st request', 'peak growth, 2nd', '1st growth / answer'],
        answer.runs.map((r) => [r.target, String(r.status), mib(r.bytes / 2 ** 20), f(r.seconds, 2), mib(r.baselineMiB),
          mib(r.firstGrowthMiB), mib(r.growthMiB), f(r.firstGrowthMiB / (r.bytes / 2 ** 20), 2)]),
      );
    }
  }
}
