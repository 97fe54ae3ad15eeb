// Resident memory of processes, from /proc/<pid>/status (Linux), sampled on a timer while something runs.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** VmRSS and its parts in MiB: anonymous (heaps, buffers), file-backed (code, mapped files), shared memory. */
export interface Rss {
  total: number;
  anon: number;
  file: number;
  shmem: number;
}

/** NaN fields when the process is gone or /proc cannot tell. */
export function rssOf(pid: number): Rss {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Not Linux, or exited.
  }
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile'), shmem: field('RssShmem') };
}

/** What a process is, for the report: its command line, shortened. */
export function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.map((a) => (a.length > 40 ? `…${a.slice(-30)}` : a)).join(' ').slice(0, 120);
  } catch {
    return '?';
  }
}

const sum = (list: Rss[]): Rss => ({
  total: list.reduce((s, r) => s + r.total, 0),
  anon: list.reduce((s, r) => s + r.anon, 0),
  file: list.reduce((s, r) => s + r.file, 0),
  shmem: list.reduce((s, r) => s + r.shmem, 0),
});

export interface RssTrace {
  samples: number;
  /** The longest gap between two samples (the timer shares the event loop with the load it watches). */
  maxGapMs: number;
  /** The sample with the highest total, and when it was taken (ms after start). */
  peak: Rss;
  peakAtMs: number;
}

/** Samples the summed RSS of `pids` every `everyMs` until stopped. */
export function sampleRss(pids: number[], everyMs: number): { stop(): RssTrace } {
  const started = performance.now();
  let last = started;
  const trace: RssTrace = { samples: 0, maxGapMs: 0, peak: sum(pids.map(rssOf)), peakAtMs: 0 };
  const take = (): void => {
    const now = performance.now();
    const rss = sum(pids.map(rssOf));
    trace.samples++;
    trace.maxGapMs = Math.max(trace.maxGapMs, now - last);
    last = now;
    if (!(rss.total <= trace.peak.total)) Object.assign(trace, { peak: rss, peakAtMs: now - started });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return trace;
    },
  };
}

export const totalRss = (pids: number[]): Rss => sum(pids.map(rssOf));
