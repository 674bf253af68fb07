import { X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LEASE_ID } from '../../api/examples.ts';
import { pemCertificates } from '../../identity/index.ts';
import { makeUpstreamPki, opensslVerify } from '../../identity/testing.ts';
import { silentLogger, type KubeClient, type KubeObject } from '../../runtime/index.ts';
import { leaseIdLabels, serviceLabels } from '../../workloads/labels.ts';
import { ANNOTATION_SVID_ROTATE_AT } from '../../workloads/spiffe.ts';
import type { SecretObject, ServiceCr } from '../service/kinds.ts';
import { fingerprint, parseCaSecret, selfSignedAuthority, upstreamAuthority } from './authority.ts';
import { reconcileCa, type CaDeps } from './ca.ts';
import type { IdentityConfig } from './config.ts';
import { reconcileSvid, type SvidDeps } from './svid.ts';

/** A cache and a client over one map: what was applied is what the next reconcile sees. */
function cluster() {
  const objects = new Map<string, KubeObject>();
  const key = (kind: string, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ''}/${name ?? ''}`;
  const writes: string[] = [];
  let version = 0;
  const client = {
    apply: async (ref: { kind: string }, obj: KubeObject) => {
      const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: `uid-${obj.metadata.name ?? ''}`, resourceVersion: String(++version) } };
      objects.set(key(ref.kind, obj.metadata.namespace, obj.metadata.name), stored);
      writes.push(`${ref.kind} ${obj.metadata.name ?? ''}`);
      return stored;
    },
    delete: async (ref: { kind: string }, t: { name: string; namespace?: string }) => {
      writes.push(`delete ${ref.kind} ${t.name}`);
      return objects.delete(key(ref.kind, t.namespace, t.name));
    },
  } as unknown as KubeClient;
  const informer = <T extends KubeObject>(kind: string) => ({
    get: (name: string, ns?: string) => objects.get(key(kind, ns, name)) as T | undefined,
    list: () => [...objects.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v as T),
  });
  return { objects, writes, client, informer };
}

const config: IdentityConfig = {
  enabled: true,
  trustDomain: 'unit.akash.test',
  svidTtlSeconds: 3600,
  caTtlSeconds: 6 * 3600 * 4,
  caSecretName: 'ca',
  upstreamCaSecretName: '',
  bundleConfigMapName: 'bundle',
  agentImage: 'x',
  bundleEndpoint: { addr: '', certFile: '', keyFile: '' },
};

function caDeps(c: ReturnType<typeof cluster>, now: Date): CaDeps {
  return { client: c.client, config, namespace: 'op', secrets: c.informer('Secret') as never, configMaps: c.informer('ConfigMap') as never, now: () => now };
}

const bundleCount = (c: ReturnType<typeof cluster>) => pemCertificates((c.objects.get('ConfigMap/op/bundle') as KubeObject & { data: Record<string, string> }).data['bundle.pem']!).length;

describe('CA controller', () => {
  it('creates a CA and the bundle once, then writes nothing until the plan is due', async () => {
    const c = cluster();
    const t0 = new Date('2026-11-25T00:00:00Z');
    const first = await reconcileCa(caDeps(c, t0), silentLogger());
    expect(c.writes).toEqual(['Secret ca', 'ConfigMap bundle']);
    // Next wake-up: half the CA's life, when the successor is prepared.
    expect(first.requeueAfterMs).toBe(600_000);
    c.writes.length = 0;
    await reconcileCa(caDeps(c, new Date(t0.getTime() + 3_600_000)), silentLogger());
    expect(c.writes).toEqual([]);
  });

  it('prepares the next CA at half life (both in the bundle), activates it at 5/6, drops the old one after the SVID TTL', async () => {
    const c = cluster();
    const life = config.caTtlSeconds * 1000;
    const t0 = new Date('2026-11-25T00:00:00Z');
    await reconcileCa(caDeps(c, t0), silentLogger());
    const firstCa = parseCaSecret(c.objects.get('Secret/op/ca') as SecretObject).set.active!;
    await reconcileCa(caDeps(c, new Date(t0.getTime() + life / 2 + 1000)), silentLogger());
    expect(bundleCount(c)).toBe(2);
    expect(parseCaSecret(c.objects.get('Secret/op/ca') as SecretObject).set.active!.id).toBe(firstCa.id);

    const activation = new Date(t0.getTime() + (life * 5) / 6 + 1000);
    await reconcileCa(caDeps(c, activation), silentLogger());
    const state = parseCaSecret(c.objects.get('Secret/op/ca') as SecretObject);
    expect(state.set.active!.id).not.toBe(firstCa.id);
    expect(state.set.retired.map((r) => r.id)).toEqual([firstCa.id]);
    expect(bundleCount(c)).toBe(2);
    // The retired CA's key is gone from the Secret: it signs nothing any more.
    expect(state.keys.has(firstCa.id)).toBe(false);

    await reconcileCa(caDeps(c, new Date(activation.getTime() + config.svidTtlSeconds * 1000 + 1000)), silentLogger());
    expect(bundleCount(c)).toBe(1);
    const seq = (c.objects.get('ConfigMap/op/bundle') as KubeObject).metadata.annotations!['provider.akash.network/spiffe-sequence'];
    expect(Number(seq)).toBe(4);
  });
});

describe('SVID controller', () => {
  const service: ServiceCr = {
    apiVersion: 'provider.akash.network/v1alpha1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'lease-ns', uid: 'svc-uid', labels: { ...serviceLabels(EXAMPLE_LEASE_ID, 'web'), ...leaseIdLabels(EXAMPLE_LEASE_ID) } },
    spec: { identity: { spiffe: true } } as ServiceCr['spec'],
  };

  async function setup() {
    const c = cluster();
    const t0 = new Date('2026-11-25T00:00:00Z');
    await reconcileCa(caDeps(c, t0), silentLogger());
    c.objects.set('Service/lease-ns/web', service);
    c.writes.length = 0;
    let issued = 0;
    const deps = (now: Date, over: Partial<SvidDeps> = {}): SvidDeps => ({
      client: c.client,
      trustDomain: config.trustDomain,
      svidTtlSeconds: config.svidTtlSeconds,
      enabled: true,
      services: c.informer('Service') as never,
      managedSecrets: c.informer('Secret') as never,
      authority: () => selfSignedAuthority(parseCaSecret(c.objects.get('Secret/op/ca') as SecretObject), config.trustDomain, now),
      issued: { inc: () => issued++ },
      resyncMs: 600_000,
      now: () => now,
      random: () => 0.5,
      ...over,
    });
    return { c, t0, deps, issued: () => issued };
  }

  it('issues an SVID for the service’s SPIFFE ID, then writes nothing until its rotation time', async () => {
    const { c, t0, deps, issued } = await setup();
    const r = await reconcileSvid(deps(t0), 'lease-ns/web');
    expect(c.writes).toEqual(['Secret web-svid']);
    // Half of the hour (random 0.5 = no jitter), minus the 10 s backdating.
    expect(r.requeueAfterMs).toBe(600_000);
    const secret = c.objects.get('Secret/lease-ns/web-svid') as SecretObject;
    const leaf = new X509Certificate(Buffer.from(secret.data!['svid.pem']!, 'base64').toString());
    expect(leaf.subjectAltName).toBe(`URI:spiffe://unit.akash.test/lease/${EXAMPLE_LEASE_ID.owner}/${EXAMPLE_LEASE_ID.dseq}/1/1/web`);
    expect(secret.metadata.annotations?.[ANNOTATION_SVID_ROTATE_AT]).toBe('2026-11-25T00:29:55.000Z');

    c.writes.length = 0;
    await reconcileSvid(deps(new Date(t0.getTime() + 20 * 60_000)), 'lease-ns/web');
    expect(c.writes).toEqual([]);
    await reconcileSvid(deps(new Date(t0.getTime() + 30 * 60_000)), 'lease-ns/web');
    expect(c.writes).toEqual(['Secret web-svid']);
    expect(issued()).toBe(2);
  });

  it('refreshes only the bundle when a CA is prepared, and re-issues when its issuer is no longer trusted', async () => {
    const { c, t0, deps, issued } = await setup();
    await reconcileSvid(deps(t0), 'lease-ns/web');
    const before = (c.objects.get('Secret/lease-ns/web-svid') as SecretObject).data!;
    const half = new Date(t0.getTime() + (config.caTtlSeconds * 1000) / 2 + 1000);
    await reconcileCa(caDeps(c, half), silentLogger());
    // Keep the SVID current so only the bundle can change.
    const s = c.objects.get('Secret/lease-ns/web-svid') as SecretObject;
    s.metadata.annotations![ANNOTATION_SVID_ROTATE_AT] = new Date(half.getTime() + 60_000).toISOString();
    await reconcileSvid(deps(half), 'lease-ns/web');
    const after = (c.objects.get('Secret/lease-ns/web-svid') as SecretObject).data!;
    expect(after['svid.pem']).toBe(before['svid.pem']);
    expect(pemCertificates(Buffer.from(after['bundle.pem']!, 'base64').toString())).toHaveLength(2);
    expect(issued()).toBe(1);

    const untrusted = await setup();
    await reconcileSvid(untrusted.deps(untrusted.t0), 'lease-ns/web');
    const svid = untrusted.c.objects.get('Secret/lease-ns/web-svid') as SecretObject;
    svid.metadata.annotations!['provider.akash.network/svid-issuer'] = fingerprint(Buffer.from('someone else'));
    await reconcileSvid(untrusted.deps(untrusted.t0), 'lease-ns/web');
    expect(untrusted.issued()).toBe(2);
  });

  it('deletes the SVID when the service’s identity is turned off, and waits for a CA', async () => {
    const { c, t0, deps } = await setup();
    await reconcileSvid(deps(t0), 'lease-ns/web');
    const off: ServiceCr = { ...service, spec: { ...service.spec, identity: { spiffe: false } } };
    c.objects.set('Service/lease-ns/web', off);
    await reconcileSvid(deps(t0), 'lease-ns/web');
    expect(c.writes.at(-1)).toBe('delete Secret web-svid');
    c.objects.set('Service/lease-ns/web', service);
    expect((await reconcileSvid(deps(t0, { authority: () => undefined }), 'lease-ns/web')).requeueAfterMs).toBe(2000);
  });
});

describe('upstream CA mode', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('publishes the upstream root, writes no CA Secret, and issues SVIDs that chain to the root', async () => {
    const pki = makeUpstreamPki(dirs, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], `subjectAltName=URI:spiffe://${config.trustDomain}\n`);
    const c = cluster();
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const upstream = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'upstream', namespace: 'op', uid: 'u1', resourceVersion: '1' }, data: { 'tls.crt': b64(pki.signing + pki.mid), 'tls.key': b64(pki.signingKey), 'ca.crt': b64(pki.root) } };
    c.objects.set('Secret/op/upstream', upstream as KubeObject);
    const upstreamConfig = { ...config, upstreamCaSecretName: 'upstream' };
    const now = new Date();
    await reconcileCa({ ...caDeps(c, now), config: upstreamConfig }, silentLogger());
    expect(c.writes).toEqual(['ConfigMap bundle']);
    const bundle = pemCertificates((c.objects.get('ConfigMap/op/bundle') as KubeObject & { data: Record<string, string> }).data['bundle.pem']!);
    expect(bundle).toEqual(pemCertificates(pki.root));

    const svc: ServiceCr = {
      apiVersion: 'provider.akash.network/v1alpha1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'lease-ns', uid: 'svc', labels: { ...serviceLabels(EXAMPLE_LEASE_ID, 'api'), ...leaseIdLabels(EXAMPLE_LEASE_ID) } },
      spec: { identity: { spiffe: true } } as ServiceCr['spec'],
    };
    c.objects.set('Service/lease-ns/api', svc);
    const auth = upstreamAuthority(upstream as SecretObject, config.trustDomain);
    await reconcileSvid(
      { client: c.client, trustDomain: config.trustDomain, svidTtlSeconds: 3600, enabled: true, services: c.informer('Service') as never, managedSecrets: c.informer('Secret') as never, authority: () => auth, issued: { inc: () => undefined }, resyncMs: 600_000, now: () => now },
      'lease-ns/api',
    );
    const secret = c.objects.get('Secret/lease-ns/api-svid') as SecretObject;
    const chain = pemCertificates(Buffer.from(secret.data!['svid.pem']!, 'base64').toString());
    // Leaf, then our intermediate, then the upstream intermediate: what a verifier needs below the root.
    expect(chain.slice(1)).toEqual([...pemCertificates(pki.signing), ...pemCertificates(pki.mid)]);
    expect(opensslVerify({ roots: bundle, leaf: chain[0]!, untrusted: chain.slice(1), purpose: 'sslclient' }).ok).toBe(true);
  });
});
