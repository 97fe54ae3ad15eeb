import { utf8Bound } from './utf8-bound';

/**
 * The UTF-8 size (bounded, see utf8Bound) of `JSON.stringify(root)` (compact, as chat templates' `tojson` renders it, give or take the
 * separators' spaces), computed without building the text. Walked with a stack, not recursion: the value is the
 * client's JSON, and nesting thousands of levels deep must not overflow the stack (JSON.stringify would throw).
 */
export function jsonLength(root: unknown): number {
  let total = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') total += utf8Bound(JSON.stringify(value));
    else if (typeof value === 'number') total += Number.isFinite(value) ? String(value).length : 4;
    else if (typeof value === 'boolean') total += value ? 4 : 5;
    else if (Array.isArray(value)) {
      // Brackets and the commas between elements.
      total += 2 + Math.max(0, value.length - 1);
      for (const v of value) pending.push(v);
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      // Braces, commas, and each key with its quotes and colon.
      total += 2 + Math.max(0, entries.length - 1);
      for (const [k, v] of entries) {
        total += utf8Bound(JSON.stringify(k)) + 1;
        pending.push(v);
      }
    } else total += 4; // null (and undefined, which JSON would drop: counting it keeps the bound an upper one)
  }
  return total;
}
