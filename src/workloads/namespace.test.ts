import { describe, expect, it } from 'vitest';
import { buildLeaseNamespace } from './namespace.ts';
import { resolveProviderPolicy } from './policy.ts';
import { LEASE_ID, NS } from './test-fixtures.ts';

describe('buildLeaseNamespace', () => {
  it('is named by the Akash test vector, labelled like the Go provider, PSA baseline by default', () => {
    expect(buildLeaseNamespace(LEASE_ID, resolveProviderPolicy())).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: NS,
        labels: {
          'akash.network': 'true',
          'akash.network/namespace': NS,
          'app.kubernetes.io/managed-by': 'akash-operator',
          'akash.network/lease.id.owner': LEASE_ID.owner,
          'akash.network/lease.id.dseq': '6194991',
          'akash.network/lease.id.gseq': '1',
          'akash.network/lease.id.oseq': '1',
          'akash.network/lease.id.provider': LEASE_ID.provider,
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'baseline',
          'pod-security.kubernetes.io/warn': 'baseline',
        },
      },
    });
  });

  it('takes the PSA level from policy', () => {
    const ns = buildLeaseNamespace(LEASE_ID, resolveProviderPolicy({ podSecurityLevel: 'restricted', runAsNonRoot: true, allowedCapabilities: [] }));
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
