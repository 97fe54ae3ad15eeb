// The measurements taken once, after the throughput rounds (so they cannot disturb them): 200 MiB upload memory, each
// in a gateway of its own (a fresh workerd, warmed up with a small upload: the rounds leave the bench gateway's RSS
// at a high-water mark that would hide growth), and batch throughput in the bench gateway. Env: BENCH_SKIP_UPLOAD=1, BENCH_SKIP_BATCH=1, BENCH_UPLOAD_MB (default 200),
// BENCH_BATCH_LINES (default 3000), BENCH_SKIP_ANSWER=1 (large-answer memory, large-answer.ts). A failed one is reported (and makes the exit code 1) without voiding the rest.
import { BATCH_DEFAULTS, runBatch } from './batch';
import { runLargeAnswer } from './large-answer';
import type { Extras } from './report-extra';
import { commandOf, totalRss } from './rss';
import { newKey } from './seed';
import { flag, setting } from './settings';
import { MASTER_KEY, startGateway, type Running } from './targets';
import { runUpload, type UploadContent, type UploadResult } from './upload';

const BATCH_LINES = Math.round(setting('BENCH_BATCH_LINES', 3000));
const UPLOAD_BYTES = Math.round(setting('BENCH_UPLOAD_MB', 200) * 2 ** 20);
/** Random bytes: the plain streaming path (the speculative batch validation gives up at once); JSONL: read to the end. */
const UPLOAD_CONTENTS: UploadContent[] = ['random', 'jsonl'];

/** One upload in a fresh gateway, after a 4 MiB one of the same kind (JIT, R2 simulator objects). */
async function freshUpload(scriptPath: string, simUrl: string, kind: UploadContent): Promise<UploadResult & { pid: number }> {
  const gateway = await startGateway(scriptPath, simUrl);
  try {
    const key = await newKey(gateway.url, {});
    await runUpload(gateway.url, key, gateway.pids, kind, 4 * 2 ** 20);
    return { ...(await runUpload(gateway.url, key, gateway.pids, kind, UPLOAD_BYTES)), pid: gateway.pids[0] ?? Number.NaN };
  } finally {
    await gateway.close();
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function runExtras(gateway: Running, sim: Running, scriptPath: string): Promise<Extras> {
  const extras: Extras = {};
  if (flag('BENCH_SKIP_UPLOAD')) extras.upload = { skipped: 'BENCH_SKIP_UPLOAD' };
  else {
    try {
      const benchGateway = { pid: gateway.pids[0] ?? Number.NaN, command: commandOf(gateway.pids[0] ?? 0), rss: totalRss(gateway.pids) };
      const runs: (UploadResult & { pid: number })[] = [];
      for (const kind of UPLOAD_CONTENTS) {
        const u = await freshUpload(scriptPath, sim.url, kind);
        runs.push(u);
        console.log(`upload ${kind}: ${(u.bytes / 2 ** 20).toFixed(0)} MiB in ${u.seconds.toFixed(2)} s, ` +
          `workerd RSS ${u.baseline.total.toFixed(1)} → peak ${u.peak.total.toFixed(1)} MiB, stored ${u.storedBytes} bytes`);
      }
      extras.upload = { benchGateway, runs };
    } catch (err) {
      extras.upload = { error: message(err) };
      process.exitCode = 1;
    }
  }
  if (flag('BENCH_SKIP_ANSWER')) extras.answer = { skipped: 'BENCH_SKIP_ANSWER' };
  else {
    try {
      extras.answer = await runLargeAnswer(scriptPath, sim.url, 1000, 4096);
      for (const r of extras.answer.runs) {
        console.log(`answer ${r.target}: ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${r.seconds.toFixed(2)} s, workerd RSS +${r.growthMiB.toFixed(1)} MiB`);
      }
    } catch (err) {
      extras.answer = { error: message(err) };
      process.exitCode = 1;
    }
  }
  if (flag('BENCH_SKIP_BATCH')) extras.batch = { skipped: 'BENCH_SKIP_BATCH' };
  else {
    try {
      const pids = { client: [process.pid], simulator: sim.pids, worker: gateway.pids };
      const b = await runBatch(gateway.url, sim.url, pids, MASTER_KEY, { ...BATCH_DEFAULTS, lines: BATCH_LINES });
      extras.batch = b;
      console.log(`batch: ${b.lines} lines in ${b.seconds.toFixed(2)} s (${b.linesPerSecond.toFixed(0)} lines/s), ` +
        `finalizing ${b.finalizeSeconds.min.toFixed(2)}–${b.finalizeSeconds.max.toFixed(2)} s`);
    } catch (err) {
      extras.batch = { error: message(err) };
      process.exitCode = 1;
    }
  }
  return extras;
}
