import { parseFlow } from './flow';
import { checkDepth, plainScalar, quotedScalar, YamlError } from './scalars';

/**
 * The block structure of YAML: indented mappings and `- ` sequences, comments, `|`/`>` block scalars, and
 * flow collections inside them. Anchors, aliases, tags and multi-document streams are refused by name.
 */
interface Source {
  lines: string[];
  i: number;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"[\]{},:-][^#]*?|-[^\s#][^#]*?)\s*:(?:\s+(.*))?$/;

/** The index of the first character outside quotes for which `test` holds, or -1. */
function findUnquoted(text: string, test: (ch: string, i: number) => boolean): number {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (test(ch, i)) return i;
  }
  return -1;
}

function stripComment(line: string): string {
  const at = findUnquoted(line, (ch, i) => ch === '#' && (i === 0 || /\s/.test(line[i - 1]!)));
  return (at < 0 ? line : line.slice(0, at)).trimEnd();
}

function indentOf(line: string, no: number): number {
  const match = /^[ \t]*/.exec(line)![0];
  if (match.includes('\t')) throw new YamlError(no, 'tabs cannot indent YAML');
  return match.length;
}

/** Index of the next line with content (not blank, not only a comment), or -1. */
function nextContent(src: Source): number {
  for (let i = src.i; i < src.lines.length; i++) if (stripComment(src.lines[i]!).trim() !== '') return i;
  return -1;
}

export function parseBlockDocument(text: string): unknown {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const src: Source = { lines, i: 0 };
  const first = nextContent(src);
  if (first >= 0 && lines[first]!.trim() === '---') src.i = first + 1;
  const value = parseNode(src, 0, 1);
  const rest = nextContent(src);
  if (rest >= 0) {
    const line = lines[rest]!.trim();
    throw new YamlError(rest + 1, line === '---' || line === '...' ? 'only one YAML document is supported' : `unexpected "${line.slice(0, 40)}"`);
  }
  return value;
}

/**
 * `depth` (here and below): how many collections a value at this point is inside of, counting itself; every
 * collection checks it on entry (checkDepth), so deep input is refused before the recursion could overflow the stack.
 */
function parseNode(src: Source, minIndent: number, depth: number): unknown {
  const at = nextContent(src);
  if (at < 0) return null;
  const line = stripComment(src.lines[at]!);
  const indent = indentOf(line, at + 1);
  if (indent < minIndent) return null;
  const body = line.trim();
  if (body === '-' || body.startsWith('- ')) return parseSequence(src, indent, depth);
  if (KEY.test(body)) return parseMapping(src, indent, depth);
  src.i = at + 1;
  return inlineValue(body, src, at + 1, depth);
}

function parseMapping(src: Source, indent: number, depth: number): Record<string, unknown> {
  checkDepth(depth, nextContent(src) + 1);
  const out: Record<string, unknown> = {};
  for (;;) {
    const at = nextContent(src);
    if (at < 0) return out;
    const line = stripComment(src.lines[at]!);
    const ind = indentOf(line, at + 1);
    if (ind < indent) return out;
    if (ind > indent) throw new YamlError(at + 1, 'unexpected indentation');
    const match = KEY.exec(line.trim());
    if (!match) return out;
    src.i = at + 1;
    const rawKey = match[1]!;
    const key = /^["']/.test(rawKey) ? quotedScalar(rawKey, 0, at + 1).value : rawKey.trim();
    if (Object.hasOwn(out, key)) throw new YamlError(at + 1, `key "${key}" appears twice`);
    const rest = (match[2] ?? '').trim();
    out[key] =
      rest === '' ? childValue(src, indent, depth + 1)
      : /^[|>][-+]?$/.test(rest) ? blockScalar(src, indent, rest)
      : inlineValue(rest, src, at + 1, depth + 1);
  }
}

/** A key with nothing after its colon: a more-indented block, a sequence at the same indent, or null. */
function childValue(src: Source, indent: number, depth: number): unknown {
  const at = nextContent(src);
  if (at < 0) return null;
  const line = stripComment(src.lines[at]!);
  const ind = indentOf(line, at + 1);
  const body = line.trim();
  if (ind > indent) return parseNode(src, indent + 1, depth);
  if (ind === indent && (body === '-' || body.startsWith('- '))) return parseSequence(src, indent, depth);
  return null;
}

function parseSequence(src: Source, indent: number, depth: number): unknown[] {
  checkDepth(depth, nextContent(src) + 1);
  const out: unknown[] = [];
  for (;;) {
    const at = nextContent(src);
    if (at < 0) return out;
    const line = stripComment(src.lines[at]!);
    const ind = indentOf(line, at + 1);
    const body = line.trim();
    if (ind < indent || !(body === '-' || body.startsWith('- '))) {
      if (ind > indent) throw new YamlError(at + 1, 'unexpected indentation');
      return out;
    }
    if (ind > indent) throw new YamlError(at + 1, 'unexpected indentation');
    const content = body.slice(1).trimStart();
    const column = ind + (body.length - content.length);
    if (content === '') {
      src.i = at + 1;
      out.push(parseNode(src, indent + 1, depth + 1));
    } else if (KEY.test(content) || content === '-' || content.startsWith('- ')) {
      // `- key: value` opens a mapping (or `- - x` a sequence) whose column is where its content starts.
      src.lines[at] = ' '.repeat(column) + content;
      src.i = at;
      out.push(content.startsWith('-') ? parseSequence(src, column, depth + 1) : parseMapping(src, column, depth + 1));
    } else {
      src.i = at + 1;
      out.push(inlineValue(content, src, at + 1, depth + 1));
    }
  }
}

/** A value on the same line as its key or dash; a flow collection may continue on the following lines. */
function inlineValue(text: string, src: Source, lineNo: number, depth: number): unknown {
  if (text.startsWith('[') || text.startsWith('{')) {
    let joined = text;
    const open = { depth: 0, quote: '' };
    countBrackets(text, open);
    while (open.depth > 0) {
      if (src.i >= src.lines.length) throw new YamlError(lineNo, 'a [...] or {...} is not closed');
      const more = ` ${stripComment(src.lines[src.i++]!).trim()}`;
      countBrackets(more, open);
      joined += more;
    }
    return parseFlow(joined, lineNo, depth);
  }
  if (text.startsWith('"') || text.startsWith("'")) {
    const { value, end } = quotedScalar(text, 0, lineNo);
    if (text.slice(end).trim() !== '') throw new YamlError(lineNo, `unexpected "${text.slice(end).trim().slice(0, 20)}" after a quoted string`);
    return value;
  }
  return plainScalar(text, lineNo);
}

/**
 * Brackets left open after `text`, outside quotes, continuing from `state`: counted per added line, so a flow
 * collection spread over many lines costs linear time (rescanning the joined text each line was quadratic).
 */
function countBrackets(text: string, state: { depth: number; quote: string }): void {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (state.quote) {
      if (ch === '\\' && state.quote === '"') i++;
      else if (ch === state.quote) state.quote = '';
    } else if (ch === '"' || ch === "'") state.quote = ch;
    else if (ch === '[' || ch === '{') state.depth++;
    else if (ch === ']' || ch === '}') state.depth--;
  }
}

/** `|` keeps line breaks, `>` folds lines into one; `-` strips the final break, `+` keeps all trailing ones. */
function blockScalar(src: Source, parentIndent: number, header: string): string {
  const lines: string[] = [];
  let blockIndent = -1;
  while (src.i < src.lines.length) {
    const raw = src.lines[src.i]!;
    if (raw.trim() === '') {
      lines.push('');
      src.i++;
      continue;
    }
    const ind = indentOf(raw, src.i + 1);
    if (ind <= parentIndent) break;
    if (blockIndent < 0) blockIndent = ind;
    if (ind < blockIndent) break;
    lines.push(raw.slice(blockIndent));
    src.i++;
  }
  let trailing = 0;
  while (lines.length && lines[lines.length - 1] === '') {
    lines.pop();
    trailing++;
  }
  const text = header.startsWith('|') ? lines.join('\n') : lines.map((l) => (l === '' ? '\n' : l)).join(' ').replace(/ ?\n ?/g, '\n');
  if (header.endsWith('-')) return text;
  if (header.endsWith('+')) return text + '\n'.repeat(trailing + 1);
  return lines.length ? `${text}\n` : '';
}
