// Counts what a workerd process prints instead of letting it scroll past: during a run the gateway can log the same
// error hundreds of times, and the report is where it belongs, once, with a count.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export class LogTally {
  readonly lines = new Map<string, number>();

  /** For Miniflare's `handleRuntimeStdio`: reads both streams line by line. */
  readonly capture = (stdout: Readable, stderr: Readable): void => {
    for (const stream of [stdout, stderr]) createInterface({ input: stream }).on('line', (line) => this.add(line));
  };

  private add(line: string): void {
    // Request ids and hex digests differ on every line; without them, repeats of one message count as one.
    const key = line
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
      .replace(/\b[0-9a-f]{16,}\b/gi, '<hex>')
      .trim();
    if (key) this.lines.set(key, (this.lines.get(key) ?? 0) + 1);
  }

  /** The most frequent lines first. */
  top(limit: number): { line: string; count: number }[] {
    return [...this.lines]
      .map(([line, count]) => ({ line, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
  }
}
