/**
 * Names the Go provider derives from a lease id (reference/akash.md §4), byte for byte, so that
 * its tooling and habits carry over: the lease namespace and the static ingress host.
 */
import { createHash } from 'node:crypto';

/** The lease id fields that names are derived from (`bseq` is not part of them). */
export interface LeaseIdFields {
  owner: string;
  dseq: string | number | bigint;
  gseq: number;
  oseq: number;
  provider: string;
}

/** chain-sdk `LeaseID.String()`: `owner/dseq/gseq/oseq/provider` with decimal integers. */
export function leaseIdString(id: LeaseIdFields): string {
  return `${id.owner}/${BigInt(id.dseq).toString(10)}/${id.gseq}/${id.oseq}/${id.provider}`;
}

/**
 * The lease namespace: lowercase unpadded base32hex of SHA-224 over the lease id string, 45
 * characters (`provider:cluster/util/lease_id_to_namespace.go`).
 */
export function leaseNamespace(id: LeaseIdFields): string {
  const key = leaseIdString(id);
  let ns = namespaces.get(key);
  if (ns === undefined) {
    ns = base32HexLower(createHash('sha224').update(key, 'utf8').digest());
    // Bounded: emptied when full, so it holds ~2 MB at most however many leases come and go.
    if (namespaces.size >= NAMESPACE_MEMO_SIZE) namespaces.clear();
    namespaces.set(key, ns);
  }
  return ns;
}

/**
 * The builders and controllers ask for the namespace of the same lease dozens of times per
 * reconcile; a SHA-224 each time was ~3 % of the operator's CPU under load.
 */
const NAMESPACE_MEMO_SIZE = 8192;
const namespaces = new Map<string, string>();

// RFC 4122 DNS namespace UUID, as used by the Go provider's uuid.NewV5 call.
const UUID_NAMESPACE_DNS = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');

/**
 * The host the Go provider gives a service when static ingress hosts are on: UUID v5 (DNS
 * namespace) of the lease id string immediately followed by the service name, its 16 bytes as
 * lowercase unpadded base32hex (26 characters), then `.<domain>` (`provider:manifest/parse.go`).
 */
export function staticIngressHost(id: LeaseIdFields, serviceName: string, domain: string): string {
  const digest = createHash('sha1').update(UUID_NAMESPACE_DNS).update(leaseIdString(id) + serviceName, 'utf8').digest();
  const uuid = digest.subarray(0, 16);
  uuid[6] = (uuid[6]! & 0x0f) | 0x50; // version 5
  uuid[8] = (uuid[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return `${base32HexLower(uuid)}.${domain}`;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 §7 "extended hex" alphabet, lowercase, no padding. */
export function base32HexLower(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff; // never more than 12 live bits; the mask keeps it small
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}
