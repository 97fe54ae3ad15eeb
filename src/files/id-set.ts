/**
 * A set of strings kept as 64-bit hashes in typed arrays: 12 bytes per id instead of a JS string each, so a
 * batch file with hundreds of thousands of custom_ids is checked for duplicates within an isolate's 128 MB.
 * Two different ids share a 64-bit hash with negligible probability (~1e-8 for a million ids); if that ever
 * happened, the file would be refused as having a duplicate — never accepted with one.
 */
export class IdSet {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private line = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the id seen on `lineNo`; returns the line it was first seen on if it was already there. */
  add(id: string, lineNo: number): number | undefined {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    const [h, l] = hash64(id);
    const mask = this.hi.length - 1;
    for (let i = l & mask; ; i = (i + 1) & mask) {
      if (this.line[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.line[i] = lineNo;
        this.count++;
        return undefined;
      }
      if (this.hi[i] === h && this.lo[i] === l) return this.line[i];
    }
  }

  private grow(): void {
    const { hi, lo, line } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.line = new Uint32Array(hi.length * 2);
    const mask = this.hi.length - 1;
    for (let j = 0; j < hi.length; j++) {
      if (line[j] === 0) continue;
      let i = lo[j]! & mask;
      while (this.line[i] !== 0) i = (i + 1) & mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.line[i] = line[j]!;
    }
  }
}

/** Two independent 32-bit FNV-1a style hashes (different offsets and a final avalanche), as one 64-bit value. */
function hash64(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 13;
  return [a >>> 0, b >>> 0];
}
