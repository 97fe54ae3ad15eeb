// CPU time per process, from /proc (Linux). On a 2-core machine the three processes (load generator, simulator,
// workerd) compete for the cores, so req/s mixes everyone's cost; CPU per request isolates each one's own cost.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICK_MS = 10;

/** User + system CPU milliseconds a process has used so far; NaN when /proc cannot tell (exited, not Linux). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state; utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms the whole machine spent busy so far (all cores, steal included), to see load from outside the bench. */
export function machineBusyMs(): number {
  try {
    // First line: "cpu user nice system idle iowait irq softirq steal ..." summed over all cores.
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (ticks[i] ?? 0), 0);
    return busy * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** This process's direct children, to find the workerd a Miniflare instance just spawned. */
export function childPids(): Set<number> {
  const children = new Set<number>();
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const list = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
      for (const pid of list ? list.split(' ') : []) children.add(Number(pid));
    }
  } catch {
    // Not Linux: CPU columns stay empty.
  }
  return children;
}

/** A measurement taken while other processes used more than this (% of one core) is not trusted. */
export const OTHER_LOAD_LIMIT = 25;

export interface CpuReport<T> {
  result: T;
  /** CPU ms spent by each named group of processes. */
  cpu: Record<string, number>;
  /** CPU the rest of the machine used meanwhile, in % of one core: load from outside the bench. */
  otherPercent: number;
}

/** Runs `action` and reports how many CPU ms each group of `pids` spent meanwhile, and what everything else did. */
export async function cpuDuring<T>(pids: Record<string, number[]>, action: () => Promise<T>): Promise<CpuReport<T>> {
  const total = (list: number[]): number => list.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const before = Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, total(list)]));
  const machineBefore = machineBusyMs();
  const started = performance.now();
  const result = await action();
  const elapsedMs = performance.now() - started;
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, total(list) - before[name]!]));
  const ours = Object.values(cpu).reduce((a, b) => a + b, 0);
  const other = Math.max(0, machineBusyMs() - machineBefore - ours);
  return { result, cpu, otherPercent: (100 * other) / elapsedMs };
}

/**
 * Waits until the machine's CPU use stays under OTHER_LOAD_LIMIT for a whole second (the bench's own processes are
 * idle between measurements), or `maxMs` passed: a retake right away would just meet the same neighbour again.
 */
export async function untilQuiet(maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const before = machineBusyMs();
    await sleep(1000);
    if (!(machineBusyMs() - before > OTHER_LOAD_LIMIT * 10)) return;
  }
}
