import { describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../akash/canonical.ts';
import { planManifest } from './manifest.ts';
import type { ServiceObject } from './store.ts';
import { leaseObject, tenantKey, wireManifest } from './testing.ts';
import { REDACTED, credentialRefs, leaseStatus, manifestGroupJson, secretRefKey } from './views.ts';

const OWNER = tenantKey().address;
const PROVIDER = tenantKey().address;

function service(name: string, count: number, status: ServiceObject['status']): ServiceObject {
  return { metadata: { name, namespace: 'ns', generation: 2 }, spec: { count } as ServiceObject['spec'], ...(status ? { status } : {}) };
}

describe('leaseStatus', () => {
  it("has Go's LeaseStatus shape, one entry per Service CR", () => {
    const out = leaseStatus([
      service('web', 2, { replicas: 2, readyReplicas: 1, availableReplicas: 1, uris: ['web.example.com'], observedGeneration: 2 }),
      service('db', 1, undefined),
    ], 'provider.example.com');
    expect(out).toEqual({
      services: {
        db: { name: 'db', available: 0, total: 1, uris: null, observed_generation: 0, replicas: 0, updated_replicas: 0, ready_replicas: 0, available_replicas: 0 },
        web: { name: 'web', available: 1, total: 2, uris: ['web.example.com'], observed_generation: 2, replicas: 2, updated_replicas: 2, ready_replicas: 1, available_replicas: 1 },
      },
      forwarded_ports: {},
      ips: {},
    });
    expect(Object.keys(out.services)).toEqual(['db', 'web']);
  });

  it('lists the forwarded ports of the services that have some, with the public hostname as Go fills it in', () => {
    const ssh = service('ssh', 1, { forwardedPorts: [{ port: 22, externalPort: 31022, proto: 'TCP' }, { port: 53, externalPort: 30053, proto: 'UDP' }] });
    const web = service('web', 1, { uris: ['web.example.com'] });
    expect(leaseStatus([web, ssh], 'provider.example.com').forwarded_ports).toEqual({
      ssh: [
        { host: 'provider.example.com', port: 22, externalPort: 31022, proto: 'TCP', name: 'ssh' },
        { host: 'provider.example.com', port: 53, externalPort: 30053, proto: 'UDP', name: 'ssh' },
      ],
    });
    // Go's `host,omitempty`: no public hostname configured, no host key.
    expect(JSON.stringify(leaseStatus([ssh], '').forwarded_ports)).toBe('{"ssh":[{"port":22,"externalPort":31022,"proto":"TCP","name":"ssh"},{"port":53,"externalPort":30053,"proto":"UDP","name":"ssh"}]}');
  });
});

describe('manifestGroupJson', () => {
  it('returns the group in the Go wire form, credentials without the password', () => {
    const body = wireManifest([{ name: 'web', password: 'pw-123456' }, { name: 'worker' }]);
    const hash = canonicalizeWireManifest(body).hash;
    const plan = planManifest({ body: Buffer.from(body), owner: OWNER, dseq: '5', provider: PROVIDER, leases: [leaseObject({ owner: OWNER, dseq: '5', provider: PROVIDER }, hash)], operatorNamespace: 'ops' });
    const group = plan.manifest.spec.groups[0]!;
    const refs = credentialRefs(group);
    expect(refs).toHaveLength(1);
    const json = manifestGroupJson(group, new Map([[secretRefKey(refs[0]!), { host: 'registry.example.com', username: 'deployer', email: 'dev@example.com' }]]));
    expect(json).not.toContain('pw-123456');
    const parsed = JSON.parse(json) as { name: string; services: { name: string; credentials: unknown }[] }[];
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.services[0]!.credentials).toEqual({ host: 'registry.example.com', email: 'dev@example.com', username: 'deployer', password: REDACTED });
    expect(parsed[0]!.services[1]!.credentials).toBeNull();
    // Apart from the password, what comes back is what was sent: same canonical form.
    const sent = JSON.parse(canonicalizeWireManifest(body).canonical) as typeof parsed;
    (sent[0]!.services[0]!.credentials as { password: string }).password = REDACTED;
    expect(parsed).toEqual(sent);
  });
});
