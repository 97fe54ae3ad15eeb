// The standalone CLI: starts, prints its URL, serves, and exits cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('npm run sim: listens, serves the given models, stops on SIGTERM', async () => {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--model', 'demo', '--model', 'other'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`cli exited early (${String(code)})`)));
    });
    const match = /^vLLM simulator listening on (http:\/\/127\.0\.0\.1:\d+) \(models: demo, other\)$/.exec(line);
    expect(match).not.toBeNull();
    const models = (await (await fetch(`${match?.[1]}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['demo', 'other']);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 15_000);
