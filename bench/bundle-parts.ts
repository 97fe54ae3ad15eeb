// Which package the bundle's bytes come from, read from its source map (so it works on minified output too).
import { gzipSync } from 'node:zlib';

export interface BundlePart {
  /** An npm package (its locale files apart), `src` (the gateway's own code) or `(unmapped)`. */
  name: string;
  rawKiB: number;
  /** Gzipped on its own: a little more than its share of the whole bundle's gzip, but it ranks the parts. */
  gzipKiB: number;
}

interface SourceMap {
  sources: string[];
  mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One segment's fields: base64 VLQ, 5 bits per digit with a continuation bit, sign in the lowest bit. */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

/** Locale tables are split out: they are often most of a validation library and rarely needed. */
function partOf(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (pkg) return source.includes('/locales/') ? `${pkg[1]} locales` : pkg[1]!;
  return /(^|\/)src\//.test(source) ? 'src' : source.replace(/^(\.\.\/)+/, '');
}

/**
 * Each mapping segment starts a run of generated code that belongs to one source, until the next segment on the
 * same line; the code of every run is collected per package, then measured raw and gzipped.
 */
export function bundleParts(code: string, map: SourceMap): BundlePart[] {
  const chunks = new Map<string, string[]>();
  const add = (name: string, text: string): void => {
    if (!text) return;
    const list = chunks.get(name);
    if (list) list.push(text);
    else chunks.set(name, [text]);
  };
  const lines = code.split('\n');
  let source = 0;
  map.mappings.split(';').forEach((mapped, index) => {
    const line = lines[index] ?? '';
    let column = 0;
    let start = 0;
    let owner = '(unmapped)';
    for (const segment of mapped ? mapped.split(',') : []) {
      const fields = decodeSegment(segment);
      column += fields[0] ?? 0;
      add(owner, line.slice(start, column));
      if (fields.length >= 4) source += fields[1]!;
      owner = fields.length >= 4 ? partOf(map.sources[source] ?? '') : '(unmapped)';
      start = column;
    }
    add(owner, `${line.slice(start)}\n`);
  });
  return [...chunks]
    .map(([name, list]) => {
      const text = Buffer.from(list.join(''));
      return { name, rawKiB: text.byteLength / 1024, gzipKiB: gzipSync(text).byteLength / 1024 };
    })
    .sort((a, b) => b.rawKiB - a.rawKiB);
}
