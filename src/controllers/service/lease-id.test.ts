import { describe, expect, it } from 'vitest';
import { EXAMPLE_LEASE_ID } from '../../api/examples.ts';
import { leaseIdLabels } from '../../workloads/labels.ts';
import { leaseIdFromLabels } from './lease-id.ts';

describe('leaseIdFromLabels', () => {
  it('recovers the lease id the labels were made from', () => {
    expect(leaseIdFromLabels({ other: 'x', ...leaseIdLabels(EXAMPLE_LEASE_ID) })).toEqual({ ok: true, id: EXAMPLE_LEASE_ID });
  });

  it('names every missing label', () => {
    const { 'akash.network/lease.id.owner': _o, 'akash.network/lease.id.oseq': _s, ...rest } = leaseIdLabels(EXAMPLE_LEASE_ID);
    expect(leaseIdFromLabels(rest)).toEqual({ ok: false, problems: ['label akash.network/lease.id.owner is missing', 'label akash.network/lease.id.oseq is missing'] });
    expect(leaseIdFromLabels(undefined).ok).toBe(false);
  });

  it('names a malformed label with its value', () => {
    const r = leaseIdFromLabels({ ...leaseIdLabels(EXAMPLE_LEASE_ID), 'akash.network/lease.id.gseq': 'one' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join()).toMatch(/^label akash\.network\/lease\.id\.gseq="one": /);
  });
});
