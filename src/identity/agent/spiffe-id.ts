/**
 * The URI SAN that carries an SVID's SPIFFE ID (X509-SVID.md §2). The agent is the last check
 * before a workload trusts what it is handed, so it re-checks the ID's syntax (src/identity/spiffe-id.ts)
 * instead of trusting whatever the issuer wrote.
 */
import type { X509Certificate } from 'node:crypto';
import { parseSpiffeId, type SpiffeId } from '../spiffe-id.ts';

/** A parsed SPIFFE ID with its string form. */
export interface SvidId extends SpiffeId {
  id: string;
}

/**
 * The URI SANs of a certificate, from node:crypto's `subjectAltName` text. Node writes entries as
 * `TYPE:value` joined by ', ', and (since the CVE-2021-44532 fix) JSON-quotes any value holding a
 * comma, quote or other special character, so a crafted name cannot smuggle in a second `URI:`.
 */
export function uriSans(cert: X509Certificate): string[] {
  const text = cert.subjectAltName;
  if (text === undefined) return [];
  const uris: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new Error(`cannot read the subjectAltName '${text}' near offset ${i}`);
    const type = text.slice(i, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      // A JSON string literal: find its closing quote, skipping escaped characters.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new Error(`cannot read the subjectAltName '${text}': unterminated quoted value`);
      value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      end = j + 1;
    } else {
      const sep = text.indexOf(', ', colon + 1);
      end = sep < 0 ? text.length : sep;
      value = text.slice(colon + 1, end);
    }
    if (type === 'URI') uris.push(value);
    if (end < text.length && !text.startsWith(', ', end)) throw new Error(`cannot read the subjectAltName '${text}' near offset ${end}`);
    i = end + 2;
  }
  return uris;
}

/** The SVID's SPIFFE ID: exactly one URI SAN, a valid SPIFFE ID with a non-root path. */
export function svidSpiffeId(leaf: X509Certificate): SvidId {
  const uris = uriSans(leaf);
  if (uris.length !== 1) throw new Error(`the leaf certificate has ${uris.length} URI SANs; an X509-SVID must have exactly one`);
  const id = { id: uris[0]!, ...parseSpiffeId(uris[0]!, 'the leaf certificate URI SAN') };
  if (id.path === '') throw new Error(`the leaf's SPIFFE ID '${id.id}' has no path; a workload SVID needs one`);
  return id;
}
