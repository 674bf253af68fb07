import { describe, expect, it } from 'vitest';
import type { Resources } from '../api/wire.ts';
import { IssueList } from './errors.ts';
import { resolveProviderPolicy } from './policy.ts';
import { containerResources, parseGpuAttribute, replicaResources } from './resources.ts';
import { statefulResources } from './test-fixtures.ts';

function read(r: Resources) {
  const issues = new IssueList();
  const out = replicaResources(r, 'spec.resources', issues);
  return { out, issues: issues.issues.map((i) => `${i.path}: ${i.message}`) };
}

const base: Resources = { id: 1, cpu: { units: { val: '500' } }, memory: { size: { val: '536870912' } }, storage: [{ name: 'default', size: { val: '1073741824' } }] };

describe('replicaResources', () => {
  it('reads cpu, memory, the root volume', () => {
    const { out, issues } = read(base);
    expect(issues).toEqual([]);
    expect(out).toMatchObject({ cpuMillis: 500n, memoryBytes: 536870912n, ephemeralBytes: 1073741824n, gpu: { count: 0n } });
    expect(out.volumes).toEqual([{ name: 'default', kind: 'ephemeral', bytes: 1073741824n, storageClass: undefined }]);
  });

  it('classifies persistent and ram volumes; ram counts as memory', () => {
    const { out, issues } = read(statefulResources());
    expect(issues).toEqual([]);
    expect(out.volumes.map((v) => [v.name, v.kind, v.storageClass])).toEqual([
      ['default', 'ephemeral', undefined],
      ['data', 'persistent', 'beta3'],
      ['shm', 'ram', undefined],
    ]);
    expect(out.memoryBytes).toBe(1073741824n + 67108864n);
  });

  it('class default means the cluster default StorageClass', () => {
    const r = { ...base, storage: [{ name: 'data', size: { val: '1' }, attributes: [{ key: 'persistent', value: 'true' }, { key: 'class', value: 'default' }] }] };
    expect(read(r).out.volumes[0]?.storageClass).toBeUndefined();
  });

  it('GPUs take the vendor from the attribute key', () => {
    const r = { ...base, gpu: { units: { val: '2' }, attributes: [{ key: 'vendor/nvidia/model/a100/ram/80Gi', value: 'true' }] } };
    expect(read(r).out.gpu).toEqual({ count: 2n, resourceName: 'nvidia.com/gpu', models: [{ vendor: 'nvidia', model: 'a100', ram: '80Gi', interface: undefined }] });
  });

  it.each<[string, Resources, string]>([
    ['zero cpu', { ...base, cpu: { units: { val: '0' } } }, 'spec.resources.cpu.units.val: must be at least 1 millicpu'],
    ['a quantity beyond int64', { ...base, memory: { size: { val: '9223372036854775808' } } }, 'spec.resources.memory.size.val: must be at most 9223372036854775807'],
    ['a GPU without vendor', { ...base, gpu: { units: { val: '1' } } }, 'spec.resources.gpu.attributes: GPUs need exactly one vendor of nvidia, amd, got []'],
    ['a GPU of an unknown vendor', { ...base, gpu: { units: { val: '1' }, attributes: [{ key: 'vendor/intel/model/max', value: 'true' }] } }, 'got ["intel"]'],
    ['a persistent ram volume', { ...base, storage: [{ name: 'x', size: { val: '1' }, attributes: [{ key: 'class', value: 'ram' }, { key: 'persistent', value: 'true' }] }] }, 'spec.resources.storage[0].attributes: a ram volume cannot be persistent'],
    ['a class without persistence', { ...base, storage: [{ name: 'x', size: { val: '1' }, attributes: [{ key: 'class', value: 'beta3' }] }] }, 'class "beta3" needs persistent: true'],
    ['a volume listed twice', { ...base, storage: [base.storage[0]!, base.storage[0]!] }, 'spec.resources.storage[1].name: volume "default" is listed twice'],
    ['persistent not a bool', { ...base, storage: [{ name: 'x', size: { val: '1' }, attributes: [{ key: 'persistent', value: 'yes' }] }] }, 'persistent must be true or false, got "yes"'],
  ])('reports %s', (_what, r, message) => {
    expect(read(r).issues.join('\n')).toContain(message);
  });
});

describe('parseGpuAttribute', () => {
  it.each([
    ['vendor/nvidia/model/a100', { vendor: 'nvidia', model: 'a100', ram: undefined, interface: undefined }],
    ['vendor/nvidia/model/h100/ram/80Gi/interface/sxm', { vendor: 'nvidia', model: 'h100', ram: '80Gi', interface: 'sxm' }],
    ['vendor/nvidia', undefined],
    ['capabilities/gpu', undefined],
  ])('%s', (key, want) => {
    expect(parseGpuAttribute(key)).toEqual(want);
  });
});

describe('containerResources', () => {
  const r = read(statefulResources()).out;

  it('limits are the leased values; without overcommit requests equal limits', () => {
    expect(containerResources(r, resolveProviderPolicy())).toEqual({
      limits: { cpu: '1500m', memory: '1140850688', 'ephemeral-storage': '1073741824' },
      requests: { cpu: '1500m', memory: '1140850688', 'ephemeral-storage': '1073741824' },
    });
  });

  it('overcommit lowers requests exactly, per resource', () => {
    const res = containerResources(r, resolveProviderPolicy({ overcommitPct: { cpu: 50, memory: 100, storage: 300 } }));
    expect(res.requests).toEqual({ cpu: '1', memory: '570425344', 'ephemeral-storage': '268435456' });
    expect(res.limits?.cpu).toBe('1500m');
  });

  it('GPUs are never overcommitted', () => {
    const gpu = read({ ...base, gpu: { units: { val: '2' }, attributes: [{ key: 'vendor/amd/model/mi300', value: 'true' }] } }).out;
    const res = containerResources(gpu, resolveProviderPolicy({ overcommitPct: { cpu: 100 } }));
    expect(res.limits?.['amd.com/gpu']).toBe('2');
    expect(res.requests?.['amd.com/gpu']).toBe('2');
  });

  it('no ephemeral-storage limit without a root volume', () => {
    const none = read({ ...base, storage: [] }).out;
    expect(containerResources(none, resolveProviderPolicy()).limits).not.toHaveProperty('ephemeral-storage');
  });
});
