import { describe, expect, it } from 'vitest';
import { leaseIdLabels, leaseLabels, selectorString, serviceLabels, serviceSelector } from './labels.ts';
import { LEASE_ID, NS } from './test-fixtures.ts';

describe('labels', () => {
  it('lease labels are the Go provider managed marker and namespace, plus our managed-by', () => {
    expect(leaseLabels(LEASE_ID)).toEqual({ 'akash.network': 'true', 'akash.network/namespace': NS, 'app.kubernetes.io/managed-by': 'akash-operator' });
  });

  it('lease id labels let Go tooling recover the lease id', () => {
    expect(leaseIdLabels(LEASE_ID)).toEqual({
      'akash.network/lease.id.owner': LEASE_ID.owner,
      'akash.network/lease.id.dseq': '6194991',
      'akash.network/lease.id.gseq': '1',
      'akash.network/lease.id.oseq': '1',
      'akash.network/lease.id.provider': LEASE_ID.provider,
    });
  });

  it('service labels add the manifest service; the selector is the Go triple only', () => {
    expect(serviceLabels(LEASE_ID, 'web')['akash.network/manifest-service']).toBe('web');
    expect(serviceSelector(LEASE_ID, 'web')).toEqual({ 'akash.network': 'true', 'akash.network/namespace': NS, 'akash.network/manifest-service': 'web' });
  });

  it('selector string is sorted k=v pairs', () => {
    expect(selectorString(serviceSelector(LEASE_ID, 'web'))).toBe(`akash.network=true,akash.network/manifest-service=web,akash.network/namespace=${NS}`);
  });
});
