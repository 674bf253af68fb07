/**
 * Phase 5's desired state: every object a Lease owns, built by the pure builders of
 * `src/workloads/` and stamped with the Lease as controller owner. Pure: live objects are read
 * only to keep a Service's replica count that someone scaled (below).
 */
import type { Lease, LeaseId } from '../../api/lease.ts';
import type { Manifest } from '../../api/manifest.ts';
import type { ServiceSpec } from '../../api/service.ts';
import type { ManifestGroup, ManifestService } from '../../api/wire.ts';
import { controllerReference, type KubeObject, type OwnerReference, type ResourceRef } from '../../runtime/index.ts';
import { leaseIdLabels } from '../../workloads/labels.ts';
import { buildNetworkPolicies } from '../../workloads/network-policy.ts';
import { buildLeaseNamespace } from '../../workloads/namespace.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import { buildLimitRange, buildResourceQuota, podOverhead } from '../../workloads/quota.ts';
import { buildServiceCR } from '../../workloads/service-cr.ts';
import { LeaseRef, LimitRangeRef, NamespaceRef, NetworkPolicyRef, ResourceQuotaRef, ServiceCrRef } from '../refs.ts';
import type { ServiceObject } from './informers.ts';

/**
 * On a Service CR: the hash of the manifest its spec came from (the Go provider's annotation name).
 * A `kubectl scale` survives until the manifest changes: only then is `spec.count` set again.
 */
export const ANNOTATION_MANIFEST_VERSION = 'akash.network/manifest.version';

export interface DesiredChild {
  ref: ResourceRef;
  object: KubeObject;
}

/** A Service CR as applied (the API type has no ownerReferences). */
export type DesiredServiceCr = KubeObject & { spec: ServiceSpec };

export interface DesiredChildren {
  namespace: DesiredChild;
  /** ResourceQuota, LimitRange and NetworkPolicies: applied after the namespace. */
  guards: DesiredChild[];
  services: { ref: ResourceRef; object: DesiredServiceCr }[];
}

function owned(obj: object, owner: OwnerReference): KubeObject {
  const o = obj as KubeObject;
  return { ...o, metadata: { ...o.metadata, ownerReferences: [owner] } };
}

/**
 * The Service CR of one manifest service. `spec.count` comes from the manifest when the CR is new
 * or its manifest hash changed; otherwise it stays as the live CR has it (a scale since then).
 */
export function desiredServiceCr(
  id: LeaseId,
  svc: ManifestService,
  manifestHash: string,
  owner: OwnerReference,
  live: ServiceObject | undefined,
  policy: Pick<ProviderPolicy, 'spiffe'>,
): DesiredServiceCr {
  const cr = buildServiceCR(id, svc, policy);
  const sameManifest = live?.metadata.annotations?.[ANNOTATION_MANIFEST_VERSION] === manifestHash;
  const count = sameManifest && live ? live.spec.count : svc.count;
  return {
    ...cr,
    metadata: {
      ...cr.metadata,
      // The service controller recovers the lease id from these, as Go tooling does from its objects.
      labels: { ...cr.metadata.labels, ...leaseIdLabels(id) },
      annotations: { [ANNOTATION_MANIFEST_VERSION]: manifestHash },
      ownerReferences: [owner],
    },
    spec: { ...cr.spec, count },
  };
}

/**
 * Everything the lease's group needs. Throws WorkloadSpecError when a builder refuses the group
 * (nothing is applied then).
 */
export function desiredChildren(lease: Lease, manifest: Manifest, group: ManifestGroup, policy: ProviderPolicy, liveService: (name: string) => ServiceObject | undefined): DesiredChildren {
  const id = lease.spec.id;
  const owner = controllerReference(lease, LeaseRef);
  const overhead = podOverhead(policy);
  const guards: DesiredChild[] = [
    { ref: ResourceQuotaRef, object: owned(buildResourceQuota(id, group.services, overhead), owner) },
    { ref: LimitRangeRef, object: owned(buildLimitRange(id, group.services, overhead), owner) },
    ...buildNetworkPolicies(id, group.services, policy).map((np) => ({ ref: NetworkPolicyRef, object: owned(np, owner) })),
  ];
  return {
    namespace: { ref: NamespaceRef, object: owned(buildLeaseNamespace(id, policy), owner) },
    guards,
    services: group.services.map((svc) => ({ ref: ServiceCrRef, object: desiredServiceCr(id, svc, manifest.spec.hash, owner, liveService(svc.name), policy) })),
  };
}
