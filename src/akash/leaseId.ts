/**
 * Lease identifiers: parsing and validation as the chain does it (`LeaseID.Validate`: bech32
 * `akash1…` addresses, non-zero sequences, no self-bid). A lease id is `owner/dseq/gseq/oseq/provider`
 * (chain-sdk `LeaseID.String()`; `bseq` is not part of it). The names derived from it (namespace,
 * static ingress host) are in namespace.ts.
 */
import { bech32Decode } from './bech32.ts';
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
