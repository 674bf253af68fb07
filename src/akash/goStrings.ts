/**
 * Go string semantics where JavaScript's differ. Go compares strings byte by byte in UTF-8, which is
 * code point order; JavaScript's `<` compares UTF-16 code units, which puts U+E000..U+FFFF after the
 * astral planes. Go's `len` counts UTF-8 bytes.
 */

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const ASCII = /^[\x00-\x7f]*$/;

/** -1, 0 or 1 as Go's `a < b` / `a == b` order (UTF-8 bytes) would have it. */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : 1;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

export const goLess = (a: string, b: string): boolean => goCompare(a, b) < 0;

/** Go's len(s): the number of UTF-8 bytes. */
export function goLen(s: string): number {
  return ASCII.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** sort.Strings. */
export function goSortStrings(list: string[]): string[] {
  return list.sort(goCompare);
}
