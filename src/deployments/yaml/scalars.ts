/** YAML 1.2 core-schema scalars: the plain words that mean null, booleans and numbers; everything else is text. */
export class YamlError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Real configs nest about six levels; the parsers recurse once per level, so the depth is capped far below the stack. */
export const MAX_YAML_DEPTH = 64;

/** Called on entering a collection, before recursing into it. */
export function checkDepth(depth: number, line: number): void {
  if (depth > MAX_YAML_DEPTH) throw new YamlError(line, `YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
}

const INT = /^[-+]?(0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

export function plainScalar(text: string, line: number): unknown {
  const t = text.trim();
  if (t === '' || t === '~' || /^(null|Null|NULL)$/.test(t)) return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (INT.test(t) || FLOAT.test(t)) return Number(t);
  if (/^[&*!]/.test(t)) throw new YamlError(line, `anchors, aliases and tags (${t[0]}) are not supported here`);
  return t;
}

/** A quoted scalar starting at `text[start]`; returns its value and the offset after the closing quote. */
export function quotedScalar(text: string, start: number, line: number): { value: string; end: number } {
  const quote = text[start]!;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'" && text[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      if (ch === "'") return { value: out, end: i + 1 };
      out += ch;
      i++;
      continue;
    }
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', b: '\b', f: '\f', ' ': ' ' };
    if (next !== undefined && simple[next] !== undefined) {
      out += simple[next];
      i += 2;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else throw new YamlError(line, `unknown escape \\${next ?? ''} in a double-quoted string`);
  }
  throw new YamlError(line, 'a quoted string is not closed on its line');
}
