/**
 * The caches the Lease controller reads, and how a change to any of them finds its Lease. Children
 * are watched cluster-wide with the managed label (one watch per kind serves every lease
 * namespace); Service CRs and Manifests are watched whole (they are ours by kind).
 */
import { GROUP } from '../../api/common.ts';
import type { Lease } from '../../api/lease.ts';
import type { Manifest } from '../../api/manifest.ts';
import type { Service } from '../../api/service.ts';
import { deepEqual, findCondition, groupOf, type Informer, type InformerEvent, type KubeObject, type Manager, type OwnerReference } from '../../runtime/index.ts';
import { LABEL_MANAGED, LABEL_NAMESPACE } from '../../workloads/labels.ts';
import { ACCEPTED } from '../manifest/status.ts';
import { HostnameClaimRef, LimitRangeRef, LeaseRef, ManifestRef, NamespaceRef, NetworkPolicyRef, ResourceQuotaRef, ServiceCrRef } from '../refs.ts';

/** A Service CR as the cache holds it (the API type leaves ownerReferences out). */
export type ServiceObject = Service & { metadata: { ownerReferences?: OwnerReference[] } };

export const MANAGED_SELECTOR = `${LABEL_MANAGED}=true`;

export interface LeaseInformers {
  leases: Informer<Lease>;
  manifests: Informer<Manifest>;
  services: Informer<ServiceObject>;
  namespaces: Informer<KubeObject>;
  quotas: Informer<KubeObject>;
  limitRanges: Informer<KubeObject>;
  networkPolicies: Informer<KubeObject>;
  /** Hostname claims: created by the service controller, released here at teardown. */
  hostnameClaims: Informer<KubeObject>;
}

export function leaseInformers(mgr: Manager): LeaseInformers {
  const managed = { labelSelector: MANAGED_SELECTOR };
  return {
    leases: mgr.informer<Lease>(LeaseRef),
    manifests: mgr.informer<Manifest>(ManifestRef),
    services: mgr.informer<ServiceObject>(ServiceCrRef),
    namespaces: mgr.informer(NamespaceRef, managed),
    quotas: mgr.informer(ResourceQuotaRef, managed),
    limitRanges: mgr.informer(LimitRangeRef, managed),
    networkPolicies: mgr.informer(NetworkPolicyRef, managed),
    hostnameClaims: mgr.informer(HostnameClaimRef, managed),
  };
}

/** Keys of the Leases of the Manifest's deployment (every group of it). */
export function leasesOfManifest(leases: Pick<Informer<Lease>, 'list'>, manifest: KubeObject): string[] {
  const spec = (manifest as Partial<Manifest>).spec;
  if (!spec) return [];
  return leases
    .list()
    .filter((l) => l.spec.id.owner === spec.owner && l.spec.id.dseq === spec.dseq)
    .map((l) => l.metadata.name);
}

/**
 * The Lease of a child: its controller ownerReference to a Lease, else the lease-namespace label
 * (the Lease is named after its namespace). The label covers a child whose ownerReference someone
 * removed: reconciling its Lease puts the reference back.
 */
export function leaseOfChild(obj: KubeObject): string[] {
  const keys = new Set<string>();
  for (const r of obj.metadata.ownerReferences ?? []) {
    if (r.controller && r.kind === LeaseRef.kind && groupOf(r.apiVersion) === GROUP) keys.add(r.name);
  }
  const ns = obj.metadata.labels?.[LABEL_NAMESPACE];
  if (ns) keys.add(ns);
  return [...keys];
}

/**
 * Manifest events a Lease cares about: a spec change (generation), its `Accepted` verdict, a
 * deletion. The Manifest controller's other status writes are not.
 */
export function manifestChanged(event: InformerEvent<KubeObject>): boolean {
  if (event.type !== 'update') return true;
  const before = event.old as Manifest;
  const after = event.object as Manifest;
  if (before.metadata.generation !== after.metadata.generation) return true;
  return !deepEqual(findCondition(before.status?.conditions, ACCEPTED), findCondition(after.status?.conditions, ACCEPTED));
}

/** True when `obj` has a controller ownerReference to the Lease with this uid. */
export function ownedByLease(obj: KubeObject, leaseUid: string | undefined): boolean {
  return leaseUid !== undefined && (obj.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === leaseUid && r.kind === LeaseRef.kind);
}
