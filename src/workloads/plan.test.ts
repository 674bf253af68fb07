import { describe, expect, it } from 'vitest';
import { WorkloadSpecError } from './errors.ts';
import { planService, type ServiceInput } from './plan.ts';
import { expose, input, LEASE_ID, NS, service, statefulResources } from './test-fixtures.ts';
import { resolveProviderPolicy } from './policy.ts';

function problems(i: ServiceInput): string[] {
  try {
    planService(i);
    return [];
  } catch (e) {
    if (!(e instanceof WorkloadSpecError)) throw e;
    return e.issues.map((x) => `${x.path}: ${x.message}`);
  }
}

describe('planService', () => {
  it('plans the example web service', () => {
    const p = planService(input());
    expect(p).toMatchObject({ name: 'web', namespace: NS, stateful: false, mounts: [] });
    expect(p.exposes).toEqual([{ index: 0, port: 8080, externalPort: 80, proto: 'TCP', global: true, http: true, hosts: ['www.example.com'], httpOptions: expect.any(Object) }]);
  });

  it('a persistent volume makes it stateful; mounts resolve to volumes', () => {
    const p = planService(input({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data', readOnly: false }, { name: 'shm', mount: '/dev/shm', readOnly: false }] } }));
    expect(p.stateful).toBe(true);
    expect(p.mounts.map((m) => [m.volume.kind, m.path])).toEqual([['persistent', '/data'], ['ram', '/dev/shm']]);
  });

  it.each([
    [{ externalPort: 0, port: 80 }, 80, true],
    [{ externalPort: 0, port: 8080 }, 8080, false],
    [{ externalPort: 80, proto: 'UDP' as const }, 80, false],
    [{ externalPort: 80, global: false }, 80, false],
    [{ externalPort: 443 }, 443, false],
  ])('expose %j has external port %i, http %s', (over, external, http) => {
    const e = planService(input({ expose: [expose(over)] })).exposes[0];
    expect([e?.externalPort, e?.http]).toEqual([external, http]);
  });

  it.each<[string, ServiceInput, string]>([
    ['a schema-invalid port', input({ expose: [expose({ port: 0 })] }), 'spec.expose[0].port: must be an integer in 1..65535, got 0'],
    ['a mount of an unknown volume', input({ params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] } }), 'spec.params.storage[0].name: volume "data" is not in spec.resources.storage'],
    ['a mount of the root volume', input({ params: { storage: [{ name: 'default', mount: '/data', readOnly: false }] } }), 'spec.params.storage[0].name: volume "default" is the ephemeral root volume and cannot be mounted'],
    ['a mount path with ..', input({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data/../etc', readOnly: false }] } }), "spec.params.storage[0].mount: must not contain '..'"],
    [
      'one path mounted twice',
      input({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data', readOnly: false }, { name: 'shm', mount: '/data/', readOnly: false }] } }),
      'spec.params.storage[1].mount: "/data/" is mounted twice',
    ],
    ['a function', input({ kind: 'function' }), 'spec.kind: function services are not supported yet'],
    ['another namespace', { service: { ...service(), metadata: { name: 'web', namespace: 'default' } }, leaseId: LEASE_ID, policy: resolveProviderPolicy() }, `metadata.namespace: must be the lease namespace ${NS}, got "default"`],
    ['a StatefulSet name too long', input({ resources: statefulResources() }, {}, 'a'.repeat(53)), 'metadata.name: a service with persistent volumes runs as a StatefulSet, whose name may have at most 52 characters'],
    ['a NodePort name too long', input({ expose: [expose({ externalPort: 2222, port: 22 })] }, {}, 'a'.repeat(61)), 'metadata.name: the NodePort Service'],
    ['an env name with a control character', input({ env: ['A\tB=1'] }), 'spec.env[0]: variable name must be printable ASCII'],
  ])('refuses %s, naming the field', (_what, i, message) => {
    expect(problems(i).join('\n')).toContain(message);
  });

  it('reports every problem at once and names the object', () => {
    const i = input({ kind: 'function', params: { storage: [{ name: 'nope', mount: '/x', readOnly: false }] } });
    expect(() => planService(i)).toThrow(`Service ${NS}/web: spec.kind`);
    expect(problems(i)).toHaveLength(2);
  });
});
