const NON_ASCII = /[^\x00-\x7f]/;

/**
 * An upper bound of a string's UTF-8 size: its length, plus two bytes for every non-ASCII UTF-16 unit (at most three
 * bytes each). Byte-level BPE (and SentencePiece with byte fallback) never emits more tokens than bytes, but a rare
 * CJK character can take two or three tokens: counting characters would not bound those prompts. ASCII text, the
 * common case, costs one native regex test.
 */
export function utf8Bound(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  let extra = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) extra += 2;
  return s.length + extra;
}
