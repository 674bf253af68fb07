/**
 * A tenant's own TLS key pair for one of its hostnames, once validated: a kubernetes.io/tls
 * Secret in the lease namespace that the service's Ingress for that host names. Until the tenant
 * gateway exists, tenants hand in a key pair as a Secret labelled `provider.akash.network/tenant-tls`
 * with the hostname in an annotation; the operator never serves that Secret itself, only the copy
 * it validated (src/controllers/tenant-tls).
 */
import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { LeaseId } from '../api/lease.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { serviceLabels } from './labels.ts';

/** On the tenant's input Secret: "true" marks a key pair to validate. */
export const LABEL_TENANT_TLS = 'provider.akash.network/tenant-tls';
/** On both Secrets: the hostname the key pair is for. */
export const ANNOTATION_TLS_HOSTNAME = 'provider.akash.network/hostname';
/** On the validated Secret: the tenant Secret it came from, and when the certificate expires (RFC 3339). */
export const ANNOTATION_TLS_SOURCE = 'provider.akash.network/tls-source';
export const ANNOTATION_TLS_NOT_AFTER = 'provider.akash.network/tls-not-after';

const PREFIX = 'akash-tls-';
const MAX_NAME = 253;

/** The validated Secret of `hostname`; hashed when the hostname is too long for a Secret name. */
export function tlsSecretName(hostname: string): string {
  const name = `${PREFIX}${hostname}`;
  return name.length <= MAX_NAME ? name : `${PREFIX}${createHash('sha256').update(hostname).digest('hex').slice(0, 40)}`;
}

export interface ValidatedKeyPair {
  hostname: string;
  /** Leaf first, then intermediates (PEM). */
  certPem: string;
  /** Unencrypted PKCS#8 PEM. */
  keyPem: string;
  notAfter: Date;
}

export function buildTlsSecret(leaseId: LeaseId, serviceName: string, source: string, pair: ValidatedKeyPair): V1Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: tlsSecretName(pair.hostname),
      namespace: leaseNamespace(leaseId),
      labels: serviceLabels(leaseId, serviceName),
      annotations: { [ANNOTATION_TLS_HOSTNAME]: pair.hostname, [ANNOTATION_TLS_SOURCE]: source, [ANNOTATION_TLS_NOT_AFTER]: pair.notAfter.toISOString() },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem) },
  };
}

/** hostname → validated Secret name, from Secrets of one service (ours carry the annotation). */
export function tlsSecretsByHost(secrets: readonly { type?: string; metadata?: { name?: string; annotations?: Record<string, string> } }[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const s of secrets) {
    const host = s.metadata?.annotations?.[ANNOTATION_TLS_HOSTNAME];
    if (s.type === 'kubernetes.io/tls' && host && s.metadata?.name === tlsSecretName(host)) out[host] = s.metadata.name;
  }
  return out;
}
