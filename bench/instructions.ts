// `npm run bench:instr [-- name=path/to/index.js ...]`: instructions per request in workerd's main thread, counted by
// valgrind's callgrind, for the pass-through Worker and the gateway (the current code, or the builds given, as
// bench:ab takes them). Wall-clock comparisons on this shared 2-core machine resolve ~40 µs at best (bench/ab.ts).
// Counts repeat within ~1 % inside one process. Valgrind runs one thread at a time; with its default (unfair)
// scheduling, about half the processes came out ~12 % higher (~1,720k instead of ~1,540k for the master key): V8's
// hot functions (zod's parsers, the usage scan, the digest comparison) kept running unoptimized code although they
// had been compiled. `--fair-sched=yes` removes that mode (3 of 3 processes normal; 7 of 10 had been high without it);
// each round also prints the instructions spent in V8's interpreter and baseline builtins (~20–50k per request is
// normal, ~170k was that mode), so a process still caught in it shows. A count is not a time (the kernel's share,
// cache misses and waits are not in it), and settlements batch fewer rows under valgrind's slowdown: it ranks;
// `npm run bench` states the ratio.
// Needs valgrind (apt-get install valgrind); ~3 min per target under its ~50× slowdown.
// Env: INSTR_KEY = master | plain | limited (default master), INSTR_REQUESTS (600), INSTR_ROUNDS (3), INSTR_KEEP=1 keeps
// each target's callgrind dumps (per function: callgrind_annotate <dir>/out.<pid>-01) and prints where.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from './bundle';
import { jsonJob, newAgent, send, type Job } from './client';
import { GROUP, seedGateway } from './seed';
import { setting } from './settings';
import { MASTER_KEY, SIM_MODEL, startGateway, startPassthrough, startSim, type Running } from './targets';
import { median } from './stats';

const CONCURRENCY = 4;
const requests = setting('INSTR_REQUESTS', 600);
const rounds = setting('INSTR_ROUNDS', 3);
const keyKind = process.env.INSTR_KEY ?? 'master';

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench:instr needs valgrind: apt-get install valgrind');
  process.exit(1);
}

/** The workerd binary Miniflare itself would start (its `workerd` dependency's default export). */
const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'));
const WORKERD = (fromMiniflare('workerd') as { default: string }).default;

/** A workerd that runs under callgrind: Miniflare starts whatever MINIFLARE_WORKERD_PATH names. */
async function callgrindWorkerd(dir: string): Promise<string> {
  const wrapper = join(dir, 'workerd.sh');
  // JIT code is written at run time (smc-check); one file per thread, so V8's helper threads stay out of the count;
  // fair scheduling, so those threads (V8's optimizing compilers among them) are not starved by the main thread.
  const flags = `--tool=callgrind --fair-sched=yes --smc-check=all-non-file --separate-threads=yes --dump-instr=no -q --callgrind-out-file=${dir}/out.%p`;
  await writeFile(wrapper, `#!/bin/sh\nexec valgrind ${flags} ${WORKERD} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

/**
 * callgrind_annotate's lines: the dump's total, and V8's interpreter handlers and the builtins its baseline
 * (Sparkplug) code calls, i.e. unoptimized JavaScript.
 */
const TOTALS = /^\s*([\d,]+) .*PROGRAM TOTALS/;
const UNOPTIMIZED = /^\s*([\d,]+) .*Builtins_(\w*Baseline\w*|InterpreterEntryTrampoline|\w+Handler)('\d+)? \[/;
const count = (digits: string): number => Number(digits.replaceAll(',', ''));

/**
 * Instructions counted in the main thread since the last dump (callgrind_control -d writes `<out>.<n>-01`): all of
 * them, and those in unoptimized JavaScript (see the header).
 */
async function dumped(dir: string, seen: Set<string>): Promise<{ all: number; unoptimized: number }> {
  let all = 0;
  let unoptimized = 0;
  for (const file of await readdir(dir)) {
    if (!file.endsWith('-01') || seen.has(file)) continue;
    seen.add(file);
    const perFunction = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', join(dir, file)], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    for (const line of perFunction.split('\n')) {
      const total = TOTALS.exec(line);
      if (total) all += count(total[1]!);
      const match = UNOPTIMIZED.exec(line);
      if (match) unoptimized += count(match[1]!);
    }
  }
  return { all, unoptimized };
}

async function load(agent: ReturnType<typeof newAgent>, job: Job, n: number): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started++ < n) {
      const out = await send(agent, job);
      if (out.status !== 200) throw new Error(`status ${out.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Median instructions per request over the rounds (a round now and then carries a V8 recompilation). */
async function measure(name: string, start: (simUrl: string) => Promise<Running>, gateway: boolean): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-instr-'));
  const sim = await startSim();
  process.env.MINIFLARE_WORKERD_PATH = await callgrindWorkerd(dir);
  let run: Running | undefined;
  try {
    run = await start(sim.url);
    delete process.env.MINIFLARE_WORKERD_PATH;
    const seeded = gateway ? await seedGateway(run.url, sim.url) : undefined;
    const key = keyKind === 'plain' ? seeded?.plainKey : keyKind === 'limited' ? seeded?.limitedKey : MASTER_KEY;
    const payload = { model: gateway ? GROUP : SIM_MODEL, messages: [{ role: 'user', content: 'Hello there, how are you?' }], max_tokens: 16 };
    const job = jsonJob(`${run.url}/v1/chat/completions`, key ?? MASTER_KEY, payload);
    const agent = newAgent(CONCURRENCY);
    const control = (arg: string) => execFileSync('callgrind_control', [arg, ...run!.pids.map(String)], { stdio: 'ignore' });
    const seen = new Set<string>();
    const counts: number[] = [];
    const unoptimized: number[] = [];
    await load(agent, job, requests); // warm-up: V8 tiers the hot path up
    for (let r = 0; r < rounds; r++) {
      await load(agent, job, requests / 3);
      await pause(1500); // settlements of the warm-up land before counting starts
      control('-z');
      await load(agent, job, requests);
      await pause(1500); // and those of the round within it
      control('-d');
      await pause(300);
      const round = await dumped(dir, seen);
      counts.push(round.all / requests);
      unoptimized.push(round.unoptimized / requests);
    }
    const k = (values: number[]) => values.map((c) => (c / 1000).toFixed(0)).join(' / ');
    console.log(`${name.padEnd(14)} rounds ${k(counts)} k (unoptimized JavaScript ${k(unoptimized)} k)`);
    return median(counts);
  } finally {
    delete process.env.MINIFLARE_WORKERD_PATH;
    await run?.close();
    await sim.close();
    if (process.env.INSTR_KEEP === '1') console.log(`${name}: callgrind dumps kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

const builds = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`expected name=path/to/index.js, got ${arg}`);
  return { name: arg.slice(0, at), path: arg.slice(at + 1), remove: undefined as undefined | (() => Promise<void>) };
});
if (builds.length === 0) {
  const bundle = await buildBundle();
  builds.push({ name: 'gateway', path: bundle.scriptPath, remove: bundle.remove });
}
try {
  const base = await measure('pass-through', startPassthrough, false);
  console.log(`\n${keyKind} key, ${requests} requests × ${rounds} rounds at ${CONCURRENCY} connections; medians, workerd main thread`);
  const results = [];
  for (const b of builds) results.push({ name: b.name, count: await measure(b.name, (url) => startGateway(b.path, url), true) });
  console.log('target          instructions/request   extra over pass-through   pass-through / target');
  console.log(`${'pass-through'.padEnd(14)} ${(base / 1000).toFixed(1).padStart(18)}k`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(14)} ${(r.count / 1000).toFixed(1).padStart(18)}k ${((r.count - base) / 1000).toFixed(1).padStart(24)}k ${(base / r.count).toFixed(3).padStart(23)}`,
    );
  }
} finally {
  for (const b of builds) await b.remove?.();
}
