/**
 * A manifest service of the lease's group → the `Service` CR the lease controller applies in the
 * lease namespace. The manifest fields are copied as they are (same wire shapes); nothing is added
 * that the tenant did not ask for, except the provider-wide SPIFFE identity. The lease id labels let the service controller recover the lease
 * from the CR alone.
 */
import { API_VERSION } from '../api/common.ts';
import type { LeaseId } from '../api/lease.ts';
import { SERVICE_KIND, type Service } from '../api/service.ts';
import type { ManifestService } from '../api/wire.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { leaseIdLabels, serviceLabels } from './labels.ts';
import type { ProviderPolicy } from './policy.ts';

export function buildServiceCR(leaseId: LeaseId, m: ManifestService, policy: Pick<ProviderPolicy, 'spiffe'>): Service {
  return {
    apiVersion: API_VERSION,
    kind: SERVICE_KIND,
    metadata: { name: m.name, namespace: leaseNamespace(leaseId), labels: { ...serviceLabels(leaseId, m.name), ...leaseIdLabels(leaseId) } },
    spec: {
      kind: 'container',
      image: m.image,
      ...(m.command ? { command: [...m.command] } : {}),
      ...(m.args ? { args: [...m.args] } : {}),
      ...(m.env ? { env: [...m.env] } : {}),
      resources: structuredClone(m.resources),
      count: m.count,
      expose: structuredClone(m.expose),
      ...(m.params ? { params: structuredClone(m.params) } : {}),
      ...(m.credentialsSecretRef ? { credentialsSecretRef: { ...m.credentialsSecretRef } } : {}),
      // The provider's choice, not the tenant's: the manifest has no identity field.
      ...(policy.spiffe.enabled ? { identity: { spiffe: true } } : {}),
    },
  };
}
