/** CIDR parsing for network policies: enough to validate provider input and tell the families apart. */

export interface Cidr {
  family: 4 | 6;
  /** The CIDR as given, trimmed (the API server parses it the same way). */
  text: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses `a.b.c.d/n` or `x:x::x/n`; returns undefined when it is neither. */
export function parseCidr(value: string): Cidr | undefined {
  const text = value.trim();
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (IPV4.test(addr)) return bits <= 32 ? { family: 4, text } : undefined;
  if (isIPv6(addr)) return bits <= 128 ? { family: 6, text } : undefined;
  return undefined;
}

function isIPv6(addr: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(addr) || addr.includes(':::')) return false;
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (groups.some((g) => g.length < 1 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}
