/**
 * Browser stand-in for the one `node:crypto` call the pure packages make: `@estateflow/engine`'s
 * compile cache key (`createHash('sha256').update(s).digest('hex')`). The key only has to be stable
 * within this page, so a 64-bit FNV-1a hash of the UTF-16 text is enough here (not for security).
 */
class BrowserHash {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  update(text: string): this {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      this.h1 = Math.imul(this.h1 ^ c, 0x01000193) >>> 0;
      this.h2 = Math.imul(this.h2 ^ c, 0x5bd1e995) >>> 0;
    }
    return this;
  }
  digest(_encoding: 'hex'): string {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    return hex(this.h1) + hex(this.h2) + hex(Math.imul(this.h1 ^ this.h2, 0x27d4eb2d) >>> 0) + hex((this.h1 + this.h2) >>> 0);
  }
}

export function createHash(_algorithm: string): BrowserHash {
  return new BrowserHash();
}

export default { createHash };
