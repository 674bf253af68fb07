/**
 * Label keys and label sets, as the Go provider writes them (`provider:cluster/kube/builder/builder.go`)
 * so that its tooling (which recovers a lease id from labels) and operators' habits carry over.
 * Every label key used on our children is a constant here; nothing else spells one out.
 */
import type { LeaseId } from '../api/lease.ts';
import { leaseNamespace } from '../akash/namespace.ts';

export const LABEL_MANAGED = 'akash.network';
export const LABEL_NAMESPACE = 'akash.network/namespace';
export const LABEL_MANIFEST_SERVICE = 'akash.network/manifest-service';
export const LABEL_LEASE_OWNER = 'akash.network/lease.id.owner';
export const LABEL_LEASE_DSEQ = 'akash.network/lease.id.dseq';
export const LABEL_LEASE_GSEQ = 'akash.network/lease.id.gseq';
export const LABEL_LEASE_OSEQ = 'akash.network/lease.id.oseq';
export const LABEL_LEASE_PROVIDER = 'akash.network/lease.id.provider';
/** Ours, not the Go provider's: tells our objects apart from a Go provider's on the same cluster. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'akash-operator';

/** Pod Security Admission (https://kubernetes.io/docs/concepts/security/pod-security-admission/). */
export const LABEL_PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';
export const LABEL_PSA_ENFORCE_VERSION = 'pod-security.kubernetes.io/enforce-version';
export const LABEL_PSA_AUDIT = 'pod-security.kubernetes.io/audit';
export const LABEL_PSA_WARN = 'pod-security.kubernetes.io/warn';

/** Set by the API server on every namespace; a tenant cannot forge it on another namespace. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

export const LABEL_GPU_CAPABILITY = 'akash.network/capabilities.gpu';
export const LABEL_STORAGE_CAPABILITY = 'akash.network/capabilities.storage';

/** The labels every object of a lease carries: the managed marker and the lease namespace. */
export function leaseLabels(id: LeaseId): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_NAMESPACE]: leaseNamespace(id), [LABEL_MANAGED_BY]: MANAGED_BY };
}

/** The lease id as labels, from which the Go tooling recovers the lease (namespace, Ingress, HTTPRoute). */
export function leaseIdLabels(id: LeaseId): Record<string, string> {
  return {
    [LABEL_LEASE_OWNER]: id.owner,
    [LABEL_LEASE_DSEQ]: id.dseq,
    [LABEL_LEASE_GSEQ]: String(id.gseq),
    [LABEL_LEASE_OSEQ]: String(id.oseq),
    [LABEL_LEASE_PROVIDER]: id.provider,
  };
}

/** Labels of a service's objects (workload, pods, Services, PVCs, Secrets). */
export function serviceLabels(id: LeaseId, serviceName: string): Record<string, string> {
  return { ...leaseLabels(id), [LABEL_MANIFEST_SERVICE]: serviceName };
}

/**
 * The pod selector of a service: the Go provider's selector triple. Immutable on a Deployment or
 * StatefulSet, so it never includes anything that can change.
 */
export function serviceSelector(id: LeaseId, serviceName: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_NAMESPACE]: leaseNamespace(id), [LABEL_MANIFEST_SERVICE]: serviceName };
}

/** `k=v,k=v` in key order: the form of `status.selector` that the scale subresource reads. */
export function selectorString(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
