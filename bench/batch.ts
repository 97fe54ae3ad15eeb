// Batch throughput: one batch of short chat requests through the gateway's own batch runner, against a simulator
// instance that takes a fixed time per request, so the ideal rate is known: concurrency / latency.
import { cpuDuring } from './cpu';
import { admin, newKey } from './seed';
import { SIM_MODEL } from './targets';
import { percentile } from './stats';

/** What the bench runs; other values are for probing where the time goes. */
export interface BatchOptions {
  lines: number;
  concurrency: number;
  latencyMs: number;
  /** A virtual key (admission and settlement in its ledger per line), as real use; or the master key. */
  key: 'virtual' | 'master';
  /** The model group to create (a group's concurrency is the sum over its deployments: one group per run). */
  group: string;
}

export const BATCH_DEFAULTS: Omit<BatchOptions, 'lines'> = { concurrency: 32, latencyMs: 100, key: 'virtual', group: 'bench-batch' };
const POLL_MS = 150;
const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export interface BatchResult {
  lines: number;
  concurrency: number;
  latencyMs: number;
  /** Uploading the input file (before the clock starts). */
  uploadSeconds: number;
  /** batches.create → status completed. */
  seconds: number;
  /** batches.create → first poll with request_counts.completed + failed = lines. */
  runSeconds: number;
  /** Lines all done → status completed (the output file), bounded by the polls before and after both events. */
  finalizeSeconds: { min: number; max: number };
  linesPerSecond: number;
  idealPerSecond: number;
  ratio: number;
  /** batches.create → first request at the simulator: ingest, lane start-up. */
  firstUpstreamMs: number;
  /** Simulator arrivals per second between the 10th and 90th percentile line: the runner's cruising speed. */
  steadyPerSecond: number;
  /** Per line and slot, time not spent waiting on the upstream: concurrency / steady rate − latency. */
  slotOverheadMs: number;
  /** workerd CPU (gateway, runner and lane Durable Objects, R2 and storage simulators) per line. */
  workerCpuMsPerLine: number;
  /** CPU of each process group while the batch ran (and of the rest of the machine), in % of one core. */
  cpuPercent: Record<string, number>;
  simulatorRequests: number;
  failed: number;
  outputLines: number;
  outputStatus200: number;
  errorFileId: string | null;
  polls: number;
}

type Batch = { id: string; status: string; output_file_id: string | null; error_file_id: string | null } & {
  request_counts: { total: number; completed: number; failed: number };
};

async function call<T>(url: string, key: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

function inputFile(lines: number, group: string): string {
  const line = (i: number): string =>
    JSON.stringify({
      custom_id: `line-${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: group, messages: [{ role: 'user', content: `hello world ${i}` }], max_tokens: 4 },
    });
  return `${Array.from({ length: lines }, (_, i) => line(i)).join('\n')}\n`;
}

/** Every output line a 200 answer, one per custom_id. */
async function checkOutput(gatewayUrl: string, key: string, fileId: string): Promise<{ lines: number; ok: number; ids: number }> {
  const res = await fetch(`${gatewayUrl}/v1/files/${fileId}/content`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`output file ${fileId}: ${res.status}`);
  const rows = (await res.text()).split('\n').filter((l) => l.trim() !== '');
  const ids = new Set<string>();
  let ok = 0;
  for (const row of rows) {
    const parsed = JSON.parse(row) as { custom_id: string; response: { status_code: number } | null };
    ids.add(parsed.custom_id);
    if (parsed.response?.status_code === 200) ok++;
  }
  return { lines: rows.length, ok, ids: ids.size };
}

export async function runBatch(
  gatewayUrl: string,
  simUrl: string,
  pids: Record<string, number[]>,
  masterKey: string,
  options: BatchOptions,
): Promise<BatchResult> {
  const { lines, concurrency, latencyMs, group } = options;
  const ideal = concurrency / (latencyMs / 1000);
  // Its own simulator instance (same process as the bench's), so the throughput simulator keeps latency 0.
  const instance = await call<{ id: string; url: string }>(`${simUrl}/_sim/instances`, 'none', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ models: [SIM_MODEL], latencyMs }),
  });
  try {
    await admin(gatewayUrl, '/model/new', {
      model_name: group,
      litellm_params: { model: `hosted_vllm/${SIM_MODEL}`, api_base: instance.url },
      model_info: { id: `${group}-1`, batch_concurrency: concurrency, input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    });
    const key = options.key === 'master' ? masterKey : await newKey(gatewayUrl, {});
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([inputFile(lines, group)]), 'bench-batch.jsonl');
    const uploadStart = Date.now();
    const file = await call<{ id: string }>(`${gatewayUrl}/v1/files`, key, {
      method: 'POST',
      headers: { 'x-litellm-model': group },
      body: form,
    });
    const uploadSeconds = (Date.now() - uploadStart) / 1000;

    const timeoutMs = Math.max(120_000, lines * 20);
    const { result: run, cpu, otherPercent } = await cpuDuring(pids, async () => {
      const t0 = Date.now();
      const created = await call<Batch>(`${gatewayUrl}/v1/batches`, key, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
      });
      // Poll start times: last seeing lines left, first seeing all done, last not final.
      let linesLeftAt = t0;
      let allDoneAt: number | undefined;
      let notFinalAt = t0;
      let polls = 0;
      for (;;) {
        const polled = Date.now();
        const batch = await call<Batch>(`${gatewayUrl}/v1/batches/${created.id}`, key);
        polls++;
        const c = batch.request_counts;
        if (c.total > 0 && c.completed + c.failed >= c.total) allDoneAt ??= polled;
        else linesLeftAt = polled;
        if (FINAL.has(batch.status)) {
          return { t0, doneAt: polled, allDoneAt: allDoneAt ?? polled, linesLeftAt, notFinalAt, batch, polls };
        }
        notFinalAt = polled;
        if (polled - t0 > timeoutMs) throw new Error(`batch still ${batch.status} after ${timeoutMs} ms: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - polled))));
      }
    });
    const { t0, doneAt, allDoneAt, linesLeftAt, notFinalAt, batch, polls } = run;
    if (batch.status !== 'completed') throw new Error(`batch ended ${batch.status}: ${JSON.stringify(batch)}`);
    if (!batch.output_file_id) throw new Error('completed batch has no output file');
    const output = await checkOutput(gatewayUrl, key, batch.output_file_id);
    if (output.lines !== lines || output.ok !== lines || output.ids !== lines) {
      throw new Error(`output file: ${output.lines} lines, ${output.ok} with status 200, ${output.ids} distinct ids; expected ${lines}`);
    }

    const log = await call<{ time: number }[]>(`${instance.url}/_sim/log`, 'none');
    const arrivals = log.map((e) => e.time).sort((a, b) => a - b);
    const p10 = percentile(arrivals, 0.1);
    const p90 = percentile(arrivals, 0.9);
    const steadyPerSecond = (0.8 * arrivals.length) / ((p90 - p10) / 1000);
    const seconds = (doneAt - t0) / 1000;
    return {
      lines,
      concurrency,
      latencyMs,
      uploadSeconds,
      seconds,
      runSeconds: (allDoneAt - t0) / 1000,
      finalizeSeconds: { min: Math.max(0, notFinalAt - allDoneAt) / 1000, max: (doneAt - linesLeftAt) / 1000 },
      linesPerSecond: lines / seconds,
      idealPerSecond: ideal,
      ratio: lines / seconds / ideal,
      firstUpstreamMs: (arrivals[0] ?? Number.NaN) - t0,
      steadyPerSecond,
      slotOverheadMs: (concurrency / steadyPerSecond) * 1000 - latencyMs,
      workerCpuMsPerLine: (cpu.worker ?? Number.NaN) / lines,
      cpuPercent: {
        ...Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, (100 * ms) / (doneAt - t0)])),
        'other processes': otherPercent,
      },
      simulatorRequests: arrivals.length,
      failed: batch.request_counts.failed,
      outputLines: output.lines,
      outputStatus200: output.ok,
      errorFileId: batch.error_file_id,
      polls,
    };
  } finally {
    await fetch(`${simUrl}/_sim/instances/${instance.id}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
