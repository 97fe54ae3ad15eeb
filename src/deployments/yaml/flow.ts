import { checkDepth, plainScalar, quotedScalar, YamlError } from './scalars';

/**
 * Flow collections as LiteLLM configs write them: `[a, "b"]`, `{"group-a": ["group-b"]}`, nested, JSON included.
 */
export function parseFlow(text: string, line: number, depth: number): unknown {
  const p = { text, i: 0, line };
  const value = flowValue(p, depth);
  skipSpace(p);
  if (p.i < text.length) throw new YamlError(line, `unexpected "${text.slice(p.i, p.i + 10)}" after a value`);
  return value;
}

interface Cursor {
  text: string;
  i: number;
  line: number;
}

function skipSpace(p: Cursor): void {
  while (p.i < p.text.length && /\s/.test(p.text[p.i]!)) p.i++;
}

/** `depth`: how many collections the value would be inside of, counting itself (see checkDepth). */
function flowValue(p: Cursor, depth: number): unknown {
  skipSpace(p);
  const ch = p.text[p.i];
  if (ch === '[') return flowSequence(p, depth);
  if (ch === '{') return flowMapping(p, depth);
  if (ch === '"' || ch === "'") {
    const { value, end } = quotedScalar(p.text, p.i, p.line);
    p.i = end;
    return value;
  }
  const start = p.i;
  while (p.i < p.text.length && !',]}'.includes(p.text[p.i]!) && !(p.text[p.i] === ':' && /[\s,\]}]/.test(p.text[p.i + 1] ?? ' '))) p.i++;
  return plainScalar(p.text.slice(start, p.i), p.line);
}

function flowSequence(p: Cursor, depth: number): unknown[] {
  checkDepth(depth, p.line);
  p.i++;
  const out: unknown[] = [];
  for (;;) {
    skipSpace(p);
    if (p.text[p.i] === ']') {
      p.i++;
      return out;
    }
    out.push(flowValue(p, depth + 1));
    skipSpace(p);
    if (p.text[p.i] === ',') p.i++;
    else if (p.text[p.i] !== ']') throw new YamlError(p.line, 'expected "," or "]" in a [...] list');
  }
}

function flowMapping(p: Cursor, depth: number): Record<string, unknown> {
  checkDepth(depth, p.line);
  p.i++;
  const out: Record<string, unknown> = {};
  for (;;) {
    skipSpace(p);
    if (p.text[p.i] === '}') {
      p.i++;
      return out;
    }
    const key = flowValue(p, depth + 1);
    skipSpace(p);
    if (p.text[p.i] !== ':') throw new YamlError(p.line, 'expected ":" after a key in a {...} mapping');
    p.i++;
    const name = String(key);
    if (Object.hasOwn(out, name)) throw new YamlError(p.line, `key "${name}" appears twice`);
    out[name] = flowValue(p, depth + 1);
    skipSpace(p);
    if (p.text[p.i] === ',') p.i++;
    else if (p.text[p.i] !== '}') throw new YamlError(p.line, 'expected "," or "}" in a {...} mapping');
  }
}
