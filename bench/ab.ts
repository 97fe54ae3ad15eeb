// `npm run bench:ab -- name=path/to/index.js [name=...]`: compares builds of the gateway, interleaved. Each build
// (e.g. `npx wrangler deploy --dry-run --outdir /tmp/a` of two commits) and the pass-through Worker run side by side;
// every round measures each of them for AB_SECONDS, in an order that rotates from round to round, and the report
// takes medians of per-round differences to the pass-through. On a shared machine whose speed drifts by ±30 % within minutes, this resolves
// differences the full bench cannot (its targets are measured minutes apart).
// Env: AB_KEY = master | plain | limited (default master), AB_ROUNDS (12), AB_SECONDS (1.5).
import { jsonJob } from './client';
import { cpuDuring } from './cpu';
import { throughput } from './load';
import { GROUP, seedGateway } from './seed';
import { MASTER_KEY, startGateway, startPassthrough, startSim, SIM_MODEL, type Running } from './targets';
import { median, rotated } from './stats';

const CONCURRENCY = 32;
const rounds = Number(process.env.AB_ROUNDS ?? 12);
const seconds = Number(process.env.AB_SECONDS ?? 1.5);
const keyKind = process.env.AB_KEY ?? 'master';
const builds = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`expected name=path/to/index.js, got ${arg}`);
  return { name: arg.slice(0, at), path: arg.slice(at + 1) };
});
if (builds.length === 0) throw new Error('usage: npm run bench:ab -- a=/tmp/a/index.js b=/tmp/b/index.js');

interface Target {
  name: string;
  run: Running;
  key: string;
  model: string;
  rps: number[];
  cpuUs: number[];
}

const payload = (model: string) => ({ model, messages: [{ role: 'user', content: 'Hello there, how are you?' }], max_tokens: 16 });
const job = (t: Target) => jsonJob(`${t.run.url}/v1/chat/completions`, t.key, payload(t.model));

const sim = await startSim();
const targets: Target[] = [{ name: 'pass-through', run: await startPassthrough(sim.url), key: 'none', model: SIM_MODEL, rps: [], cpuUs: [] }];
for (const build of builds) {
  const run = await startGateway(build.path, sim.url);
  const seeded = await seedGateway(run.url, sim.url);
  const key = keyKind === 'master' ? MASTER_KEY : keyKind === 'plain' ? seeded.plainKey : seeded.limitedKey;
  targets.push({ name: build.name, run, key, model: GROUP, rps: [], cpuUs: [] });
}
try {
  for (const t of targets) await throughput(job(t), CONCURRENCY, 2); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const t of rotated(targets, r)) {
      const { result, cpu } = await cpuDuring({ worker: t.run.pids }, () => throughput(job(t), CONCURRENCY, seconds));
      if (result.non200 > 0 || result.failed > 0) throw new Error(`${t.name}: ${result.non200} non-200, ${result.failed} failed`);
      t.rps.push(result.rps);
      t.cpuUs.push((cpu.worker! * 1000) / result.requests);
    }
  }
  const [base] = targets;
  console.log(`${rounds} rounds of ${seconds} s, ${keyKind} key; medians of per-round values`);
  console.log('build            req/s  ratio to pass-through  workerd CPU µs/req  extra over pass-through');
  for (const t of targets) {
    const ratio = median(t.rps.map((v, i) => v / base!.rps[i]!));
    const extra = median(t.cpuUs.map((v, i) => v - base!.cpuUs[i]!));
    console.log(
      `${t.name.padEnd(15)} ${median(t.rps).toFixed(0).padStart(6)}  ${ratio.toFixed(3).padStart(21)}  ${median(t.cpuUs).toFixed(0).padStart(18)}  ${extra.toFixed(0).padStart(23)}`,
    );
  }
} finally {
  for (const t of targets) await t.run.close();
  await sim.close();
}
