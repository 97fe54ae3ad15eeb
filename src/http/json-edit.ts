/**
 * Surgical edits of a JSON object's top-level members in its original text. The gateway rewrites `model` (and a few
 * gateway-owned fields) but forwards everything else byte for byte: re-serialising would turn 1.0 into 1 and corrupt
 * integers above 2^53 (seeds, logit_bias ids) that JSON.parse cannot represent.
 */
export type TopLevelEdits = Record<string, unknown>;

interface MemberSpan {
  key: string;
  /** Offset of the member's first character (the opening quote of its key). */
  start: number;
  /** Offset just past the member's value. */
  end: number;
  valueStart: number;
}

/**
 * `edits[key] = undefined` removes the member; any other value replaces or adds it (serialised with JSON.stringify).
 * A key that appears twice at the top level is kept once, edited: JSON parsers (vLLM's, and the JSON.parse that
 * validated the body) take the last one, so a second `model` must not survive the rewrite.
 */
export function editTopLevel(text: string, edits: TopLevelEdits): string {
  const keys = Object.keys(edits);
  const met: string[] = [];
  let out = '';
  let cursor = 0;
  let kept = 0;
  let i = text.indexOf('{') + 1;
  for (;;) {
    const member = memberAt(text, i);
    if (!member) break;
    i = member.next;
    if (!Object.hasOwn(edits, member.key)) {
      kept++;
      continue;
    }
    const replacement = edits[member.key];
    if (replacement === undefined || met.includes(member.key)) {
      // Remove the member together with the comma that separates it from its neighbour.
      const before = text.slice(cursor, member.start);
      out += kept === 0 ? before : before.replace(/,\s*$/, '');
      cursor = kept === 0 ? skipComma(text, member.end) : member.end;
    } else {
      out += text.slice(cursor, member.valueStart) + JSON.stringify(replacement);
      cursor = member.end;
      kept++;
    }
    if (!met.includes(member.key)) met.push(member.key);
    // Every edited key met once: the rest needs no scan unless one of them could appear again in it.
    if (met.length === keys.length && !mayRecur(text, i, keys)) break;
  }
  const additions = keys.filter((k) => !met.includes(k) && edits[k] !== undefined);
  if (additions.length === 0) return out + text.slice(cursor);
  const closing = text.lastIndexOf('}');
  const added = additions.map((k) => `${JSON.stringify(k)}:${JSON.stringify(edits[k])}`).join(',');
  const body = out + text.slice(cursor, closing);
  const separator = /\{\s*$/.test(body) ? '' : ',';
  return body + separator + added + text.slice(closing);
}

const PLAIN_KEY = /^[\w.-]+$/;

/**
 * Whether any of `keys` may be a member again after `from`: its quoted text appears there, or an escape that could
 * spell it (`\u`). Found natively (indexOf), far faster than scanning the rest member by member (often most of the
 * body: `messages` follows `model` in what SDKs send).
 */
function mayRecur(text: string, from: number, keys: readonly string[]): boolean {
  if (text.indexOf('\\u', from) >= 0) return true;
  return keys.some((k) => !PLAIN_KEY.test(k) || text.indexOf(`"${k}"`, from) >= 0);
}

function skipComma(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text[i] === ',') i++;
  return i;
}

/** Finds the top-level members of a JSON object text that is already known to parse. */
export function scanTopLevel(text: string): MemberSpan[] {
  const members: MemberSpan[] = [];
  let i = text.indexOf('{') + 1;
  for (;;) {
    const member = memberAt(text, i);
    if (!member) return members;
    members.push(member);
    i = member.next;
  }
}

/** The member starting at or after `from` (whitespace skipped), with where the next one may start. */
function memberAt(text: string, from: number): (MemberSpan & { next: number }) | undefined {
  let i = skipSpace(text, from);
  if (text.charCodeAt(i) !== 0x22) return undefined;
  const start = i;
  const keyEnd = stringEnd(text, i);
  // A key without escapes is its text between the quotes (the body already parsed): no JSON.parse per member.
  const raw = text.slice(i + 1, keyEnd - 1);
  const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
  i = skipSpace(text, keyEnd) + 1; // past ':'
  const valueStart = skipSpace(text, i);
  const end = valueEnd(text, valueStart);
  i = skipSpace(text, end);
  if (text.charCodeAt(i) === 0x2c) i++;
  return { key, start, end, valueStart, next: i };
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Offset just past the closing quote of the string starting at `from`. indexOf keeps long strings (base64 images) cheap. */
function stringEnd(text: string, from: number): number {
  let i = from + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** `,` `}` `]` or whitespace: what may follow a number, true, false or null. */
function endsPrimitive(code: number): boolean {
  return code === 0x2c || code === 0x7d || code === 0x5d || isSpace(code);
}

function valueEnd(text: string, from: number): number {
  const first = text[from];
  if (first === '"') return stringEnd(text, from);
  if (first !== '{' && first !== '[') {
    let i = from;
    while (i < text.length && !endsPrimitive(text.charCodeAt(i))) i++;
    return i;
  }
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}
