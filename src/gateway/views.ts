/**
 * Response bodies in the Go provider's JSON shapes (`chain-sdk:go/provider/client/types.go`), built
 * from our CRs. Pure.
 *
 * Service status: `available` = available replicas, `total` = the replicas asked for (spec.count);
 * the Service CR does not track updated replicas, so `updated_replicas` reports the replicas that
 * exist (right once a rollout is done). Forwarded ports are the node ports the service controller
 * recorded in each Service's status, with the provider's public hostname as Go fills it in
 * (`--cluster-public-hostname`; left out when not configured, as Go's `omitempty` does). Leased IPs
 * need an IP operator this provider does not have: that map is empty.
 */
import { canonicalManifestJson } from '../akash/canonical.ts';
import type { ImageCredentials } from '../akash/manifest.ts';
import type { SecretReference } from '../api/common.ts';
import type { ManifestGroup } from '../api/wire.ts';
import { toGoManifest } from '../controllers/manifest/go-form.ts';
import type { RegistryCredentialsView, ServiceObject } from './store.ts';

/** What GET …/manifest shows instead of a registry password. */
export const REDACTED = 'REDACTED';

export interface GoServiceStatus {
  name: string;
  available: number;
  total: number;
  uris: string[] | null;
  observed_generation: number;
  replicas: number;
  updated_replicas: number;
  ready_replicas: number;
  available_replicas: number;
}

export function serviceStatus(svc: ServiceObject): GoServiceStatus {
  const st = svc.status ?? {};
  const available = st.availableReplicas ?? 0;
  return {
    name: svc.metadata.name ?? '',
    available,
    total: svc.spec.count,
    uris: st.uris && st.uris.length > 0 ? [...st.uris] : null,
    observed_generation: st.observedGeneration ?? 0,
    replicas: st.replicas ?? 0,
    updated_replicas: st.replicas ?? 0,
    ready_replicas: st.readyReplicas ?? 0,
    available_replicas: available,
  };
}

/** Go's `ForwardedPortStatus`. */
export interface GoForwardedPort {
  host?: string;
  port: number;
  externalPort: number;
  proto: 'TCP' | 'UDP';
  name: string;
}

export interface GoLeaseStatus {
  services: Record<string, GoServiceStatus>;
  forwarded_ports: Record<string, GoForwardedPort[]>;
  ips: Record<string, never>;
}

/**
 * Go's `LeaseStatus`: services by name; forwarded ports by service, only for services that have
 * some (Go lists the NodePort Services); no leased IPs.
 */
export function leaseStatus(services: readonly ServiceObject[], publicHostname: string): GoLeaseStatus {
  const byName: Record<string, GoServiceStatus> = {};
  const forwarded: Record<string, GoForwardedPort[]> = {};
  for (const s of [...services].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const name = s.metadata.name ?? '';
    byName[name] = serviceStatus(s);
    const ports = s.status?.forwardedPorts ?? [];
    if (ports.length > 0) forwarded[name] = ports.map((p) => ({ ...(publicHostname ? { host: publicHostname } : {}), port: p.port, externalPort: p.externalPort, proto: p.proto, name }));
  }
  return { services: byName, forwarded_ports: forwarded, ips: {} };
}

const refKey = (r: SecretReference) => `${r.namespace}/${r.name}`;

/** The Secrets GET …/manifest must read to show each service's registry host and user. */
export function credentialRefs(group: ManifestGroup): SecretReference[] {
  return group.services.flatMap((s) => (s.credentialsSecretRef ? [s.credentialsSecretRef] : []));
}

/**
 * GET /lease/…/manifest: Go answers `manifest.Manifest{group}`, the lease's group in the Go wire
 * form. Registry credentials come back with host, user and email, and the password REDACTED.
 */
export function manifestGroupJson(group: ManifestGroup, credentials: ReadonlyMap<string, RegistryCredentialsView | undefined>): string {
  const goGroup = toGoManifest([group])?.[0];
  if (!goGroup) throw new Error('toGoManifest returned no group');
  for (const [i, s] of group.services.entries()) {
    const ref = s.credentialsSecretRef;
    if (!ref) continue;
    const view = credentials.get(refKey(ref));
    const c: ImageCredentials = { host: view?.host ?? '', username: view?.username ?? '', email: view?.email ?? '', password: REDACTED };
    const svc = goGroup.services?.[i];
    if (svc) svc.credentials = c;
  }
  return canonicalManifestJson([goGroup]);
}

export { refKey as secretRefKey };
