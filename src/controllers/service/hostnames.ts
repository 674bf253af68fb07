/**
 * Hostname claims (src/api/hostname-claim.ts): a host is routed for one lease only.
 *
 * Before a Service CR's routes are applied, each of its hosts is claimed: a cached claim of this
 * lease namespace is ours; a cached claim of another namespace refuses the host; no cached claim →
 * create one, and a 409 (another lease was first, or our cache lags) is decided by reading it.
 * A refused host gets no Ingress or HTTPRoute (an existing one is removed as stale) and the Service
 * says so in its Degraded condition; it is routed once the holder releases the claim.
 *
 * A claim is released (deleted, uid-preconditioned) when no route for its host is left in its
 * namespace and no Service of the namespace wants the host any more.
 */
import { API_VERSION } from '../../api/common.ts';
import { HOSTNAME_CLAIM_KIND, type HostnameClaim } from '../../api/hostname-claim.ts';
import type { LeaseId } from '../../api/lease.ts';
import { ApiError, controllerReference, type KubeClient, type KubeObject } from '../../runtime/index.ts';
import { leaseIdLabels, leaseLabels } from '../../workloads/labels.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import { serviceUris } from '../../workloads/routes.ts';
import { deleteObserved } from '../apply.ts';
import { HostnameClaimRef, LeaseRef } from '../refs.ts';
import type { ServiceCr } from './kinds.ts';
import { leaseIdFromLabels } from './lease-id.ts';

export type HostnameClaimObject = KubeObject & Pick<HostnameClaim, 'spec'>;

export interface ClaimOutcome {
  /** The hosts another lease holds. */
  refused: string[];
}

/** What claiming reads: the claims and Leases as cached. */
export interface ClaimCaches {
  hostnameClaims: { get(name: string): HostnameClaimObject | undefined };
  /** The claims held by one lease namespace. */
  claimsByNamespace: { get(namespace: string): HostnameClaimObject[] };
  leases: { get(name: string): KubeObject | undefined };
}

/** Claims every host for the lease of `namespace`; returns the hosts another lease holds. */
export async function claimHostnames(client: KubeClient, caches: ClaimCaches, namespace: string, leaseId: LeaseId, hosts: readonly string[]): Promise<ClaimOutcome> {
  const refused: string[] = [];
  const missing = hosts.filter((host) => {
    const cached = caches.hostnameClaims.get(host);
    if (!cached) return true;
    if (cached.spec.namespace !== namespace) refused.push(host);
    return false;
  });
  if (missing.length === 0) return { refused };
  // The Lease (named after its namespace) owns the claims: deleting it releases them.
  const lease = caches.leases.get(namespace);
  if (!lease?.metadata.uid) throw new Error(`cannot claim hostnames: Lease ${namespace} is not in the cache yet`);
  const owner = controllerReference(lease, LeaseRef);
  const results = await Promise.allSettled(missing.map((host) => claimOne(client, host, namespace, leaseId, owner)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') return;
    if (r.value !== namespace) refused.push(missing[i]!);
  });
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { refused };
}

/** Creates the claim; returns the namespace that holds the host afterwards. */
async function claimOne(client: KubeClient, host: string, namespace: string, leaseId: LeaseId, owner: ReturnType<typeof controllerReference>): Promise<string> {
  const { bseq: _bseq, ...lease } = leaseId;
  const claim: HostnameClaimObject = {
    apiVersion: API_VERSION,
    kind: HOSTNAME_CLAIM_KIND,
    metadata: { name: host, labels: { ...leaseLabels(leaseId), ...leaseIdLabels(leaseId) }, ownerReferences: [owner] },
    spec: { namespace, lease },
  };
  try {
    await client.create(HostnameClaimRef, claim);
    return namespace;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
  const live = await client.get<HostnameClaimObject>(HostnameClaimRef, { name: host });
  // Released between our create and the read: the next reconcile claims it.
  if (!live) throw new Error(`hostname claim ${host}: already exists, then gone; retrying`);
  return live.spec.namespace;
}

/**
 * The cached claims of `namespace` to release: no route for the host is left in the namespace and
 * no Service of the namespace (other than those being deleted) wants the host.
 */
export function staleClaims(claims: readonly HostnameClaimObject[], routedHosts: ReadonlySet<string>, wantedHosts: ReadonlySet<string>): HostnameClaimObject[] {
  return claims.filter((c) => !c.metadata.deletionTimestamp && !routedHosts.has(c.metadata.name ?? '') && !wantedHosts.has(c.metadata.name ?? ''));
}

/** Every host the live Services of `namespace` route (one that cannot be built wants none). */
export function wantedHosts(services: readonly ServiceCr[], policy: ProviderPolicy): Set<string> {
  const hosts = new Set<string>();
  for (const service of services) {
    if (service.metadata.deletionTimestamp) continue;
    const lease = leaseIdFromLabels(service.metadata.labels);
    if (!lease.ok) continue;
    try {
      for (const host of serviceUris({ service: { metadata: { ...service.metadata, name: service.metadata.name ?? '' }, spec: service.spec }, leaseId: lease.id, policy })) hosts.add(host);
    } catch {
      // An invalid spec routes nothing; its reconcile reports why.
    }
  }
  return hosts;
}

/** Deletes `namespace`'s claims that nothing routes or wants; returns the hosts released. */
export async function releaseClaims(client: KubeClient, claims: ClaimCaches['claimsByNamespace'], namespace: string, routedHosts: ReadonlySet<string>, wanted: ReadonlySet<string>): Promise<string[]> {
  const stale = staleClaims(claims.get(namespace), routedHosts, wanted);
  const released: string[] = [];
  for (const claim of stale) {
    if ((await deleteObserved(client, HostnameClaimRef, claim)) === 'deleted') released.push(claim.metadata.name ?? '');
  }
  return released;
}
