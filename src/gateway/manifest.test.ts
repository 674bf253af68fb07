import { describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../akash/canonical.ts';
import { resolveProviderPolicy } from '../workloads/policy.ts';
import { CANONICAL_KEY, credentialsSecretName, planManifest, takenHostnames, type IntakeInput } from './manifest.ts';
import { leaseObject, refusal, tenantKey, wireManifest } from './testing.ts';

const OWNER = tenantKey().address;
const OTHER = tenantKey().address;
const PROVIDER = tenantKey().address;
const PASSWORD = 'hunter2-Registry-Password';
const body = wireManifest([{ name: 'web', password: PASSWORD }]);
const HASH = canonicalizeWireManifest(body).hash;

function input(over: Partial<IntakeInput> = {}): IntakeInput {
  return {
    body: Buffer.from(body),
    owner: OWNER,
    dseq: '77',
    provider: PROVIDER,
    leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, HASH)],
    operatorNamespace: 'akash-operator',
    ...over,
  };
}

describe('planManifest', () => {
  it('splits credentials into a Secret: the password is nowhere else', () => {
    const plan = planManifest(input());
    expect(plan.hash).toBe(HASH);
    expect(plan.manifest).toMatchObject({ metadata: { name: `${OWNER}-77` }, spec: { owner: OWNER, dseq: '77', hash: HASH } });
    const svc = plan.manifest.spec.groups[0]!.services[0]!;
    const secretName = credentialsSecretName(OWNER, '77', 'akash', 'web');
    expect(svc.credentialsSecretRef).toEqual({ namespace: 'akash-operator', name: secretName });
    expect(JSON.stringify(plan.manifest)).not.toContain(PASSWORD);

    const creds = plan.secrets.find((s) => s.metadata.name === secretName)!;
    expect(Buffer.from(creds.data!.password!, 'base64').toString()).toBe(PASSWORD);
    expect(creds.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'registry-credentials', 'akash.network/lease.id.dseq': '77' });
    expect(creds.metadata.labels?.['akash.network']).toBeUndefined();
    // The canonical bytes (which must hash to the chain's value) keep the password, in a Secret.
    const canonical = plan.secrets.find((s) => s.data?.[CANONICAL_KEY])!;
    expect(Buffer.from(canonical.data![CANONICAL_KEY]!, 'base64').toString()).toBe(canonicalizeWireManifest(body).canonical);
    expect(plan.secretSelector).toBe(`provider.akash.network/manifest=${creds.metadata.labels?.['provider.akash.network/manifest']}`);
  });

  it('plans the same objects for the same manifest (resubmission is idempotent)', () => {
    expect(planManifest(input())).toEqual(planManifest(input()));
  });

  it('refuses a manifest whose hash is not the deployment hash, naming both', () => {
    const other = '0'.repeat(64);
    const err = refusal(() => planManifest(input({ leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, other)] })));
    expect(err).toMatchObject({ status: 422, code: 'manifest_hash_mismatch' });
    expect(err.message).toContain('manifest version validation failed');
    expect(err.message).toContain(HASH);
    expect(err.message).toContain(other);
  });

  it('404 without a lease, 403 for another owner, 404 for a closed lease', () => {
    expect(refusal(() => planManifest(input({ leases: [] })))).toMatchObject({ status: 404, code: 'lease_not_found' });
    expect(refusal(() => planManifest(input({ leases: [leaseObject({ owner: OTHER, dseq: '77', provider: PROVIDER }, HASH)] })))).toMatchObject({ status: 403, code: 'not_owner' });
    // another provider's lease is not ours to serve
    expect(refusal(() => planManifest(input({ leases: [leaseObject({ owner: OWNER, dseq: '77', provider: OTHER }, HASH)] })))).toMatchObject({ status: 404 });
    const closed = refusal(() => planManifest(input({ leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, HASH, 'closed')] })));
    expect(closed).toMatchObject({ status: 404, code: 'lease_not_found' });
    expect(closed.message).toContain('closed');
  });

  it('400 for malformed JSON, 422 for JSON of the wrong shape and for Go rule violations', () => {
    expect(refusal(() => planManifest(input({ body: Buffer.from('[{"name": "a",') })))).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(refusal(() => planManifest(input({ body: Buffer.from('') })))).toMatchObject({ status: 400, code: 'malformed_json' });
    const wrongType = refusal(() => planManifest(input({ body: Buffer.from('[{"name": 5}]') })));
    expect(wrongType).toMatchObject({ status: 422, code: 'manifest_invalid' });
    expect(wrongType.message).toMatch(/\[0\]\.name/);
    const empty = '[]';
    const err = refusal(() => planManifest(input({ body: Buffer.from(empty), leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, canonicalizeWireManifest(empty).hash)] })));
    expect(err).toMatchObject({ status: 422, code: 'manifest_invalid' });
    expect(err.message).toContain('at least one group');
  });

  it('never echoes a credential in an error', () => {
    const bad = wireManifest([{ name: 'Web_Bad', password: PASSWORD }]);
    const err = refusal(() => planManifest(input({ body: Buffer.from(bad), leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, canonicalizeWireManifest(bad).hash)] })));
    expect(err.status).toBe(422);
    expect(err.message).not.toContain(PASSWORD);
  });

  it('refuses a lease whose group the manifest does not have', () => {
    const err = refusal(() => planManifest(input({ leases: [leaseObject({ owner: OWNER, dseq: '77', gseq: 2, provider: PROVIDER }, HASH)] })));
    expect(err).toMatchObject({ status: 422 });
    expect(err.message).toMatch(/group sequence 2/);
  });

  it("refuses what the provider's policy would not deploy, when a policy is given", () => {
    const policy = resolveProviderPolicy({});
    expect(() => planManifest(input({ policy }))).not.toThrow();
    // Go accepts mounting the root volume; this provider cannot build it (it is the container's own disk).
    const groups = JSON.parse(wireManifest([{ name: 'web' }])) as { services: Record<string, unknown>[] }[];
    groups[0]!.services[0]!.params = { storage: [{ name: 'default', mount: '/data', readOnly: false }] };
    const mounted = JSON.stringify(groups);
    const leases = [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, canonicalizeWireManifest(mounted).hash)];
    expect(() => planManifest(input({ body: Buffer.from(mounted), leases }))).not.toThrow();
    const err = refusal(() => planManifest(input({ body: Buffer.from(mounted), leases, policy })));
    expect(err).toMatchObject({ status: 422, code: 'manifest_refused' });
    expect(err.message).toMatch(/params\.storage\[0\]\.name: volume "default" is the ephemeral root volume/);
  });
});

describe('hostnames of a manifest', () => {
  const withHosts = wireManifest([
    { name: 'api', hosts: ['api.example.com'] },
    { name: 'web', hosts: ['b.example.com', 'a.example.com'] },
  ]);
  const hash = canonicalizeWireManifest(withHosts).hash;
  const plan = () => planManifest(input({ body: Buffer.from(withHosts), leases: [leaseObject({ owner: OWNER, dseq: '77', provider: PROVIDER }, hash)] }));

  it('lists the accepted hosts of the leased groups, sorted', () => {
    expect(plan().hosts).toEqual(['a.example.com', 'api.example.com', 'b.example.com']);
    expect(planManifest(input()).hosts).toEqual([]);
  });

  it('a host held by another deployment, of the same owner or another, is taken; one of this deployment is not', () => {
    const holders = new Map([
      ['a.example.com', { namespace: 'ns-this', owner: OWNER, dseq: '77' }],
      ['b.example.com', { namespace: 'ns-other-dseq', owner: OWNER, dseq: '78' }],
      ['api.example.com', { namespace: 'ns-other-owner', owner: OTHER, dseq: '77' }],
    ]);
    expect(takenHostnames(plan(), OWNER, '77', holders)).toEqual(['api.example.com', 'b.example.com']);
    expect(takenHostnames(plan(), OWNER, '77', new Map())).toEqual([]);
  });
});
