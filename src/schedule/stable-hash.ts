const encoder = new TextEncoder();

/**
 * FNV-1a (32 bit) of the UTF-8 bytes of `text`, as an unsigned integer. Spread minutes and manual run names
 * are derived from it, so it must give the same number on every Node version and machine: it uses only
 * integer arithmetic (Math.imul), never a platform hash.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
