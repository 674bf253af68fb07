/**
 * SPIFFE identity and tenant TLS end to end: the operator (its own process, identity on, 60 s SVIDs)
 * against the real control plane; the SVID Secrets it writes are served by our Workload API agent
 * (its own process, `akash-operator spiffe-agent`) to go-spiffe (tools/spiffe-check).
 *
 * kwok runs no containers, so the kubelet's part is played by the test: it copies the SVID Secret
 * into a directory in the kubelet's atomic-writer layout whenever the Secret changes, as the kubelet
 * does for the pod's Secret volume. Everything else is the real thing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { caSecretData, fingerprint } from '../../src/controllers/identity/authority.ts';
import { caEntry, createSelfSignedCa, pemCertificates } from '../../src/identity/index.ts';
import { writeKubeletDir } from '../../src/identity/agent/test-pki.ts';
import { makeChain } from '../../src/identity/tenant-tls-testing.ts';
import { repoRoot } from '../harness/binaries.ts';
import { createPki } from '../harness/pki.ts';
import { freePort } from '../harness/ports.ts';
import { eventually, kubeConfig, kubectlApply, runTool } from '../support/cluster.ts';
import { compiledOperatorEntry, metricSum, startOperatorProcess, type OperatorProcess } from '../support/operator.ts';
import { runSpiffeCheck, spiffeCheckPath, startSpiffeCheck } from '../../tools/spiffe-check/run.ts';
import { leaseAndManifest, OWNER } from '../operator/fixtures.ts';

const OPERATOR_NS = 'akash-operator-identity';
const TD = 'e2e.akash.test';
const HOST = 'shop.tenant-tls.example.com';
const DSEQ = '770001';
const { lease, manifest, ns: NS } = leaseAndManifest(DSEQ, [{ name: 'web', hosts: [HOST], count: 2 }, { name: 'api' }]);
const idOf = (svc: string) => `spiffe://${TD}/lease/${OWNER}/${DSEQ}/1/1/${svc}`;

const core = () => kubeConfig().makeApiClient(k8s.CoreV1Api);
const apps = () => kubeConfig().makeApiClient(k8s.AppsV1Api);
const net = () => kubeConfig().makeApiClient(k8s.NetworkingV1Api);
const secretText = (s: k8s.V1Secret, key: string) => Buffer.from(s.data?.[key] ?? '', 'base64').toString('utf8');
const readSecret = (name: string, namespace = NS) => core().readNamespacedSecret({ name, namespace });
const bundleOf = (pem: string) => pemCertificates(pem).map(fingerprint);

let op: OperatorProcess;
let root: string;
let endpointCa: string;
let endpointPort: number;
/** The seeded CA: due for rotation as soon as the operator starts. */
let oldCaId: string;
const children: ChildProcess[] = [];

/** Copies a Secret into `dir` (kubelet layout) now and whenever its data changes, until stopped. */
function project(secretName: string, dir: string): { stop(): void; copies(): number } {
  let last = '';
  let copies = 0;
  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      const s = await readSecret(secretName).catch(() => undefined);
      const data = JSON.stringify(s?.data ?? {});
      if (s?.data && data !== last) {
        writeKubeletDir(dir, Object.fromEntries(Object.keys(s.data).map((k) => [k, secretText(s, k)])));
        last = data;
        copies++;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  void tick();
  return { stop: () => (stopped = true), copies: () => copies };
}

/** `akash-operator spiffe-agent` as its own process, built as the image runs it in the sidecar. */
async function startAgent(dir: string, socket: string): Promise<string> {
  const p = spawn(process.execPath, [compiledOperatorEntry(), 'spiffe-agent', '--dir', dir, '--socket', socket, '--poll-interval', '500ms'], { stdio: 'ignore' });
  children.push(p);
  await eventually(`the agent socket ${socket}`, async () => (fs.existsSync(socket) ? true : undefined), 20_000);
  return `unix://${socket}`;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-e2e-'));
  await runTool('kubectl', ['apply', '--server-side', '-f', path.join(repoRoot, 'crds')]);
  await runTool('kubectl', ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);
  await core().createNamespace({ body: { metadata: { name: OPERATOR_NS } } }).catch(() => undefined);

  // A CA at 5/6 of its life: the operator must prepare and activate a successor at once and keep
  // the old root in the bundle while SVIDs it signed may still be in use.
  const now = Date.now();
  const old = createSelfSignedCa({ trustDomain: TD, notBefore: new Date(now - 320_000), notAfter: new Date(now + 40_000) });
  const entry = caEntry(old.cert);
  oldCaId = fingerprint(old.cert);
  await core().createNamespacedSecret({
    namespace: OPERATOR_NS,
    body: { metadata: { name: 'akash-operator-spiffe-ca' }, type: 'Opaque', data: caSecretData({ set: { active: entry, retired: [] }, keys: new Map([[entry.id, old.key]]) }) },
  });

  const pki = await createPki(path.join(root, 'pki'));
  endpointCa = pki.caPem;
  endpointPort = await freePort();
  const config = path.join(root, 'config.yaml');
  fs.writeFileSync(
    config,
    [
      'identity:',
      '  enabled: true',
      `  trustDomain: ${TD}`,
      '  svidTtlSeconds: 60',
      '  caTtlSeconds: 360',
      '  agentImage: registry.example/akash-operator:e2e',
      '  bundleEndpoint:',
      `    addr: 127.0.0.1:${endpointPort}`,
      `    certFile: ${pki.servingCert}`,
      `    keyFile: ${pki.servingKey}`,
      '',
    ].join('\n'),
  );
  op = await startOperatorProcess({ kubeconfig: inject('kubeconfig'), namespace: OPERATOR_NS, args: ['--config', config, '--leader-elect', 'false'] });
  await kubectlApply([manifest, lease].map((o) => JSON.stringify(o)).join('\n'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  // Cluster-scoped: a later file's operator must not inherit this lease (or its tenant Secrets).
  // The teardown needs this operator running (the Lease finalizer).
  const custom = kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  await custom.deleteClusterCustomObject({ group: 'provider.akash.network', version: 'v1alpha1', plural: 'leases', name: NS }).catch(() => undefined);
  await custom.deleteClusterCustomObject({ group: 'provider.akash.network', version: 'v1alpha1', plural: 'manifests', name: manifest.metadata.name }).catch(() => undefined);
  await eventually('the identity lease to be torn down', async () => ((await core().readNamespace({ name: NS }).then(() => false, () => true)) ? true : undefined), 90_000).catch(() => undefined);
  await op?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('SPIFFE identities from the operator', () => {
  it('rotates a CA that is due and keeps the old and the new root in the bundle', async () => {
    const cm = await eventually('the bundle to hold two CAs', async () => {
      const c = await core().readNamespacedConfigMap({ name: 'akash-spiffe-bundle', namespace: OPERATOR_NS }).catch(() => undefined);
      return c && bundleOf(c.data?.['bundle.pem'] ?? '').length === 2 ? c : undefined;
    }, 30_000);
    const prints = bundleOf(cm.data!['bundle.pem']!);
    expect(prints).toContain(oldCaId);
    const ca = await readSecret('akash-operator-spiffe-ca', OPERATOR_NS);
    const active = pemCertificates(secretText(ca, 'active.crt'))[0]!;
    expect(fingerprint(active)).not.toBe(oldCaId);
    expect(prints[0]).toBe(fingerprint(active));
    // The JWK Set has one x509-svid key per CA, no kid, one x5c each.
    const jwks = JSON.parse(cm.data!['bundle.jwks']!) as { keys: { use: string; kid?: string; x5c: string[] }[]; spiffe_sequence: number };
    expect(jwks.keys.map((k) => [k.use, k.kid, k.x5c.length])).toEqual([
      ['x509-svid', undefined, 1],
      ['x509-svid', undefined, 1],
    ]);
    expect(jwks.spiffe_sequence).toBeGreaterThanOrEqual(1);
    // The CA key never leaves the CA Secret.
    expect(JSON.stringify(cm)).not.toContain('PRIVATE KEY');
  });

  it('gives every service an SVID Secret that obeys the X.509-SVID rules, and pods the agent sidecar', async () => {
    for (const svc of ['web', 'api']) {
      const s = await eventually(`${svc}-svid`, () => readSecret(`${svc}-svid`).catch(() => undefined), 60_000);
      const chain = pemCertificates(secretText(s, 'svid.pem'));
      expect(chain).toHaveLength(1);
      const leaf = new X509Certificate(chain[0]!);
      expect(leaf.subjectAltName).toBe(`URI:${idOf(svc)}`);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkPrivateKey(createPrivateKey(secretText(s, 'svid_key.pem')))).toBe(true);
      const bundle = pemCertificates(secretText(s, 'bundle.pem')).map((d) => new X509Certificate(d));
      expect(bundle.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))).toBe(true);
      // Signed by the new CA, not the one that is being retired.
      expect(fingerprint(bundle.find((ca) => leaf.checkIssued(ca))!.raw)).not.toBe(oldCaId);
      expect((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 1000).toBeLessThanOrEqual(70);
      // Owned by the Service CR (garbage collected with it), not controlled by it.
      expect(s.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: svc, controller: false })]);
    }
    // The SVID Secrets come from the identity controller, the Deployment from the service controller:
    // neither waits for the other.
    const deployment = await eventually('the web Deployment', () => apps().readNamespacedDeployment({ name: 'web', namespace: NS }).catch(() => undefined), 60_000);
    const pod = deployment.spec!.template.spec!;
    expect(pod.initContainers?.map((c) => [c.name, c.image, c.restartPolicy])).toEqual([['spiffe-agent', 'registry.example/akash-operator:e2e', 'Always']]);
    expect(pod.volumes?.find((v) => v.name === 'spiffe-svid')?.secret?.secretName).toBe('web-svid');
    expect(JSON.stringify(pod)).not.toContain('hostPath');
    await eventually('web pods Running with the sidecar', async () => {
      const pods = await core().listNamespacedPod({ namespace: NS, labelSelector: 'akash.network/manifest-service=web' });
      return pods.items.length === 2 && pods.items.every((p) => p.status?.phase === 'Running') ? true : undefined;
    }, 60_000);
  });

  it('serves the SVID to go-spiffe through the Workload API and rotates it without restarting a pod', async () => {
    const bin = spiffeCheckPath();
    const dir = path.join(root, 'web');
    const projector = project('web-svid', dir);
    try {
      const socket = await startAgent(dir, path.join(root, 'web.sock'));
      const podsBefore = (await core().listNamespacedPod({ namespace: NS, labelSelector: 'akash.network/manifest-service=web' })).items.map((p) => p.metadata?.uid).sort();

      const watch = startSpiffeCheck(bin, ['watch', '-socket', socket, '-count', '2', '-timeout', '100s']);
      try {
        const first = await watch.nextLine(20_000);
        expect(first).toMatchObject({ spiffe_id: idOf('web'), verified: true });
        // SVIDs live 60 s and rotate at 27..33 s: the second update is the operator's rotation.
        const second = await watch.nextLine(90_000);
        expect(second).toMatchObject({ spiffe_id: idOf('web'), verified: true });
        expect(second['serial']).not.toBe(first['serial']);
        expect((await watch.exited).code).toBe(0);
      } finally {
        watch.kill();
      }
      const podsAfter = (await core().listNamespacedPod({ namespace: NS, labelSelector: 'akash.network/manifest-service=web' })).items.map((p) => p.metadata?.uid).sort();
      expect(podsAfter).toEqual(podsBefore);
      expect(metricSum(await op.metrics(), 'akash_operator_svids_issued_total')).toBeGreaterThanOrEqual(3);
    } finally {
      projector.stop();
    }
  }, 150_000);

  it('lets two services do mTLS and authorize each other by SPIFFE ID', async () => {
    const bin = spiffeCheckPath();
    const sockets: Record<string, string> = {};
    const projectors = ['web', 'api'].map((svc) => project(`${svc}-svid`, path.join(root, `mtls-${svc}`)));
    try {
      for (const svc of ['web', 'api']) sockets[svc] = await startAgent(path.join(root, `mtls-${svc}`), path.join(root, `mtls-${svc}.sock`));
      const server = startSpiffeCheck(bin, ['mtls-server', '-socket', sockets['api']!, '-addr', '127.0.0.1:0', '-allow', idOf('web'), '-count', '2', '-timeout', '60s']);
      try {
        const ready = await server.nextLine(20_000);
        const addr = ready['listening'] as string;
        const ok = await runSpiffeCheck(bin, ['mtls-client', '-socket', sockets['web']!, '-addr', addr, '-expect', idOf('api'), '-message', 'hello']);
        expect(ok.stderr).toBe('');
        expect(ok.lines).toEqual([{ server_id: idOf('api'), spiffe_id: idOf('web'), reply: idOf('web') }]);
        const wrong = await runSpiffeCheck(bin, ['mtls-client', '-socket', sockets['web']!, '-addr', addr, '-expect', idOf('db')]);
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toContain(`unexpected ID "${idOf('api')}"`);
      } finally {
        server.kill();
      }
    } finally {
      for (const p of projectors) p.stop();
    }
  });

  it('publishes the bundle at the HTTPS SPIFFE bundle endpoint as a JWK Set', async () => {
    const get = (urlPath: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port: endpointPort, path: urlPath, ca: endpointCa }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
    const res = await get('/');
    expect(res.status).toBe(200);
    const cm = await core().readNamespacedConfigMap({ name: 'akash-spiffe-bundle', namespace: OPERATOR_NS });
    const served = JSON.parse(res.body) as { keys: { x5c: string[] }[] };
    expect(served.keys.map((k) => k.x5c[0])).toEqual(pemCertificates(cm.data!['bundle.pem']!).map((d) => d.toString('base64')));
    expect((await get('/other')).status).toBe(404);
  });

  it('drops the retired CA from every bundle once the SVIDs it signed have expired', async () => {
    await eventually('the bundle to hold one CA', async () => {
      const c = await core().readNamespacedConfigMap({ name: 'akash-spiffe-bundle', namespace: OPERATOR_NS });
      return bundleOf(c.data?.['bundle.pem'] ?? '').length === 1 ? true : undefined;
    }, 90_000);
    await eventually('the SVID Secrets to carry the new bundle', async () => {
      const s = await readSecret('api-svid');
      return bundleOf(secretText(s, 'bundle.pem')).includes(oldCaId) ? undefined : true;
    }, 30_000);
  }, 150_000);
});

describe('tenant TLS key pairs', () => {
  const tenantSecret = (name: string, data: Record<string, string>, hostname = HOST) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS, labels: { 'provider.akash.network/tenant-tls': 'true' }, annotations: { 'provider.akash.network/hostname': hostname } },
    stringData: data,
  });
  const ingressTls = async () => (await net().readNamespacedIngress({ name: HOST, namespace: NS })).spec?.tls;
  const eventsFor = async (name: string) =>
    (await kubeConfig().makeApiClient(k8s.EventsV1Api).listNamespacedEvent({ namespace: NS })).items.filter((e) => e.regarding?.name === name && e.regarding.kind === 'Secret');

  it('refuses a mismatched key, an expired certificate, a wrong host and garbage, each with its own message, changing nothing', async () => {
    await eventually('the Ingress', () => net().readNamespacedIngress({ name: HOST, namespace: NS }).catch(() => undefined), 60_000);
    const good = await makeChain({ hosts: [HOST] });
    const other = await makeChain({ hosts: [HOST] });
    const expired = await makeChain({ hosts: [HOST], notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const wrongHost = await makeChain({ hosts: ['elsewhere.example.com'] });
    const cases: [string, Record<string, string>, RegExp][] = [
      ['tls-mismatch', { 'tls.crt': good.fullchainPem, 'tls.key': other.keyPem }, /^tls\.key: .*(match|belong)/i],
      ['tls-expired', { 'tls.crt': expired.fullchainPem, 'tls.key': expired.keyPem }, /expired/i],
      ['tls-wrong-host', { 'tls.crt': wrongHost.fullchainPem, 'tls.key': wrongHost.keyPem }, new RegExp(`${HOST.replaceAll('.', '\\.')}`)],
      ['tls-garbage', { 'tls.crt': 'not a certificate', 'tls.key': 'nor a key' }, /^tls\.crt: /],
    ];
    await kubectlApply(cases.map(([name, data]) => JSON.stringify(tenantSecret(name, data))).join('\n'));
    const notes: string[] = [];
    for (const [name, , message] of cases) {
      const ev = await eventually(`a TLSRejected event for ${name}`, async () => (await eventsFor(name)).find((e) => e.reason === 'TLSRejected'), 30_000);
      expect(ev.type).toBe('Warning');
      expect(ev.note).toMatch(message);
      expect(ev.note).not.toContain('PRIVATE KEY');
      notes.push(ev.note ?? '');
    }
    expect(new Set(notes).size).toBe(cases.length);
    expect(await ingressTls()).toBeUndefined();
    const validated = await core().listNamespacedSecret({ namespace: NS, fieldSelector: 'type=kubernetes.io/tls' });
    expect(validated.items).toEqual([]);
  });

  it('accepts a good key pair and the Ingress of that host serves it; a later bad upload keeps the good one', async () => {
    const good = await makeChain({ hosts: [HOST] });
    await kubectlApply(JSON.stringify(tenantSecret('tls-good', { 'tls.crt': good.fullchainPem, 'tls.key': good.keyPem })));
    const tls = await eventually('the Ingress to use the key pair', async () => ((await ingressTls())?.length ? await ingressTls() : undefined), 30_000);
    expect(tls).toEqual([{ hosts: [HOST], secretName: `akash-tls-${HOST}` }]);
    const copy = await readSecret(`akash-tls-${HOST}`);
    expect(copy.type).toBe('kubernetes.io/tls');
    expect(new X509Certificate(pemCertificates(secretText(copy, 'tls.crt'))[0]!).fingerprint256).toBe(new X509Certificate(good.leafPem).fingerprint256);
    expect((await eventsFor('tls-good')).some((e) => e.reason === 'TLSAccepted')).toBe(true);
    expect(metricSum(await op.metrics(), 'akash_operator_tenant_tls_not_after_seconds', { hostname: HOST })).toBeGreaterThan(Date.now() / 1000);

    // The tenant replaces it with a key of another certificate: refused, the good copy stays.
    const other = await makeChain({ hosts: [HOST] });
    await kubectlApply(JSON.stringify(tenantSecret('tls-good', { 'tls.crt': good.fullchainPem, 'tls.key': other.keyPem })));
    await eventually('a TLSRejected event for the bad update', async () => ((await eventsFor('tls-good')).some((e) => e.reason === 'TLSRejected') ? true : undefined), 30_000);
    const still = await readSecret(`akash-tls-${HOST}`);
    expect(secretText(still, 'tls.crt')).toBe(secretText(copy, 'tls.crt'));
    expect(await ingressTls()).toEqual(tls);
  });
});
