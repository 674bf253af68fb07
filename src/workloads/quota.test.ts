import { describe, expect, it } from 'vitest';
import { exampleManifestService } from '../api/examples.ts';
import type { ManifestService } from '../api/wire.ts';
import { WorkloadSpecError } from './errors.ts';
import { buildLimitRange, buildResourceQuota, type LeasedService } from './quota.ts';
import { LEASE_ID, NS, statefulResources } from './test-fixtures.ts';

const web: ManifestService = { ...exampleManifestService(), count: 2 };
const db: LeasedService = { name: 'db', count: 1, resources: statefulResources() };
const gpu: LeasedService = {
  name: 'ml',
  count: 3,
  resources: { ...statefulResources(), storage: [{ name: 'default', size: { val: '1000000000' } }], gpu: { units: { val: '2' }, attributes: [{ key: 'vendor/nvidia/model/a100', value: 'true' }] } },
};

describe('buildResourceQuota', () => {
  it('is the sum of count × per-replica resources over the group', () => {
    const q = buildResourceQuota(LEASE_ID, [web, db]);
    expect(q.metadata).toMatchObject({ name: 'akash-lease-quota', namespace: NS });
    expect(q.spec?.hard).toEqual({
      pods: '3',
      'requests.cpu': '2500m', // 2 × 500m + 1500m
      'limits.cpu': '2500m',
      'requests.memory': '2214592512', // 2 × 512Mi + 1Gi + 64Mi ram volume
      'limits.memory': '2214592512',
      'requests.ephemeral-storage': '3221225472',
      'limits.ephemeral-storage': '3221225472',
      'requests.storage': '10737418240',
      persistentvolumeclaims: '1',
      'requests.nvidia.com/gpu': '0',
      'requests.amd.com/gpu': '0',
      'beta3.storageclass.storage.k8s.io/requests.storage': '10737418240',
    });
  });

  it('counts GPUs per vendor', () => {
    expect(buildResourceQuota(LEASE_ID, [gpu]).spec?.hard).toMatchObject({ 'requests.nvidia.com/gpu': '6', 'requests.amd.com/gpu': '0', 'limits.ephemeral-storage': '3G' });
  });

  it('leaves ephemeral-storage out when a service leased no root volume (the quota would refuse its pods)', () => {
    const noRoot: LeasedService = { name: 'x', count: 1, resources: { ...web.resources, storage: [] } };
    expect(buildResourceQuota(LEASE_ID, [web, noRoot]).spec?.hard).not.toHaveProperty('limits.ephemeral-storage');
  });

  it('refuses unreadable resources naming the service', () => {
    const bad: LeasedService = { name: 'x', count: 1, resources: { ...web.resources, cpu: { units: { val: '0' } } } };
    expect(() => buildResourceQuota(LEASE_ID, [web, bad])).toThrow(WorkloadSpecError);
    expect(() => buildResourceQuota(LEASE_ID, [web, bad])).toThrow('services[1].resources.cpu.units.val: must be at least 1 millicpu');
  });
});

describe('buildLimitRange', () => {
  it('caps a container at the largest leased replica and a claim at the largest volume', () => {
    expect(buildLimitRange(LEASE_ID, [web, db]).spec?.limits).toEqual([
      { type: 'Container', max: { cpu: '1500m', memory: '1140850688', 'ephemeral-storage': '1073741824' } },
      { type: 'PersistentVolumeClaim', max: { storage: '10737418240' } },
    ]);
  });

  it('sets no ephemeral-storage maximum unless every service has a root volume', () => {
    const noRoot: LeasedService = { name: 'x', count: 1, resources: { ...web.resources, storage: [] } };
    expect(buildLimitRange(LEASE_ID, [web, noRoot]).spec?.limits).toEqual([{ type: 'Container', max: { cpu: '500m', memory: '536870912' } }]);
  });
});
