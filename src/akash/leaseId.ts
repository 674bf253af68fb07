/**
 * Lease identifiers: parsing and validation as the chain does it (`LeaseID.Validate`: bech32
 * `akash1…` addresses, non-zero sequences, no self-bid). A lease id is `owner/dseq/gseq/oseq/provider`
 * (chain-sdk `LeaseID.String()`; `bseq` is not part of it). The names derived from it (namespace,
 * static ingress host) are in namespace.ts.
 */
import { ValidationError, problem, type Problem } from './errors.ts';
import { leaseIdString } from './namespace.ts';

export interface LeaseId {
  owner: string;
  /** deployment sequence (uint64) */
  dseq: bigint;
  /** group sequence (uint32) */
  gseq: number;
  /** order sequence (uint32) */
  oseq: number;
  provider: string;
  /** bid sequence; always 0 on chain today, and not part of the string form */
  bseq?: number;
}

// --- bech32 (BIP-173), as cosmos sdk.AccAddressFromBech32 checks account addresses ----------------

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i]!;
  }
  return chk >>> 0;
}

const hrpExpand = (hrp: string): number[] => [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];

/** Decodes a bech32 string into its human-readable part and bytes; undefined if it is not valid bech32. */
export function bech32Decode(address: string): { prefix: string; bytes: Uint8Array } | undefined {
  if (address.length < 8 || address.length > 1023) return undefined;
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return undefined;
  const s = address.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) return undefined;
  const prefix = s.slice(0, sep);
  if ([...prefix].some((c) => c.charCodeAt(0) < 33 || c.charCodeAt(0) > 126)) return undefined;
  const data: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return undefined;
    data.push(v);
  }
  if (polymod([...hrpExpand(prefix), ...data]) !== 1) return undefined;
  // 5-bit groups → bytes, no padding beyond 4 zero bits
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of data.slice(0, -6)) {
    acc = ((acc << 5) | v) & 0x1fff; // only the pending bits matter
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) return undefined;
  return { prefix, bytes: Uint8Array.from(out) };
}

/** An Akash account address: bech32 with prefix `akash`, 1..255 address bytes (cosmos rules). */
export function isAkashAddress(address: string): boolean {
  const d = bech32Decode(address);
  return d !== undefined && d.prefix === 'akash' && d.bytes.length > 0 && d.bytes.length <= 255;
}

// --- lease ids ------------------------------------------------------------------------------------

const DECIMAL = /^[0-9]+$/;
const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/** Problems with a lease id as the chain validates it (LeaseID.Validate); [] when valid. */
export function leaseIdProblems(id: LeaseId): Problem[] {
  const out: Problem[] = [];
  if (!isAkashAddress(id.owner)) out.push(problem('owner', 'address', `must be an akash1… bech32 address, got ${JSON.stringify(id.owner)}`));
  if (id.dseq <= 0n || id.dseq > UINT64_MAX) out.push(problem('dseq', 'sequence', `must be 1..${UINT64_MAX}, got ${id.dseq}`));
  if (!Number.isInteger(id.gseq) || id.gseq <= 0 || id.gseq > 0xffffffff) out.push(problem('gseq', 'sequence', `must be 1..4294967295, got ${id.gseq}`));
  if (!Number.isInteger(id.oseq) || id.oseq <= 0 || id.oseq > 0xffffffff) out.push(problem('oseq', 'sequence', `must be 1..4294967295, got ${id.oseq}`));
  if (!isAkashAddress(id.provider)) out.push(problem('provider', 'address', `must be an akash1… bech32 address, got ${JSON.stringify(id.provider)}`));
  else if (id.owner === id.provider) out.push(problem('provider', 'self-bid', 'must differ from the owner'));
  if ((id.bseq ?? 0) !== 0) out.push(problem('bseq', 'sequence', `must be 0, got ${id.bseq}`));
  return out;
}

/** Parses `owner/dseq/gseq/oseq/provider` and validates it. Throws a ValidationError listing the problems. */
export function parseLeaseId(text: string): LeaseId {
  const parts = text.split('/');
  if (parts.length !== 5) throw new ValidationError([problem('', 'lease-id', `expected OWNER/DSEQ/GSEQ/OSEQ/PROVIDER, got ${parts.length} parts in ${JSON.stringify(text)}`)]);
  const [owner, dseq, gseq, oseq, provider] = parts as [string, string, string, string, string];
  const problems: Problem[] = [];
  const num = (name: string, v: string, max: bigint): bigint => {
    if (!DECIMAL.test(v)) {
      problems.push(problem(name, 'sequence', `must be a decimal number, got ${JSON.stringify(v)}`));
      return 0n;
    }
    const n = BigInt(v);
    if (n > max) problems.push(problem(name, 'sequence', `must be at most ${max}, got ${v}`));
    return n;
  };
  const id: LeaseId = {
    owner,
    dseq: num('dseq', dseq, UINT64_MAX),
    gseq: Number(num('gseq', gseq, UINT32_MAX)),
    oseq: Number(num('oseq', oseq, UINT32_MAX)),
    provider,
  };
  if (problems.length > 0) throw new ValidationError(problems);
  const invalid = leaseIdProblems(id);
  if (invalid.length > 0) throw new ValidationError(invalid);
  return id;
}

/** `owner/dseq/gseq/oseq/provider`, as Go's LeaseID.String() prints it. */
export const formatLeaseId = (id: LeaseId): string => leaseIdString(id);
