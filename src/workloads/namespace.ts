/** The lease namespace: the Akash name, the Go provider's labels, Pod Security Admission labels. */
import type { V1Namespace } from '@kubernetes/client-node';
import type { LeaseId } from '../api/lease.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { LABEL_PSA_AUDIT, LABEL_PSA_ENFORCE, LABEL_PSA_ENFORCE_VERSION, LABEL_PSA_WARN, leaseIdLabels, leaseLabels } from './labels.ts';
import type { ProviderPolicy } from './policy.ts';

export function buildLeaseNamespace(leaseId: LeaseId, policy: ProviderPolicy): V1Namespace {
  const level = policy.podSecurityLevel;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: leaseNamespace(leaseId),
      labels: {
        ...leaseLabels(leaseId),
        ...leaseIdLabels(leaseId),
        [LABEL_PSA_ENFORCE]: level,
        // `latest` follows the cluster's version: a newer control plane tightens, never loosens.
        [LABEL_PSA_ENFORCE_VERSION]: 'latest',
        [LABEL_PSA_AUDIT]: level,
        [LABEL_PSA_WARN]: level,
      },
    },
  };
}
