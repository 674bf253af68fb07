/**
 * Private registries end to end (issue 7): a real `docker-registry` (Debian's Distribution 2.8)
 * with htpasswd auth and TLS on 127.0.0.1 holds the tenant's image; the Manifest's service names a
 * registry-credentials Secret in the operator namespace. The pull Secret the operator writes must
 * authenticate against that registry (and a wrong password must not), the pods must reference it,
 * and the password must appear nowhere but in Secrets: not in a CR, an Event, a ConfigMap, the
 * operator's log or anything else the test read.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { binaryPath, repoRoot } from '../harness/binaries.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { eventually, kubeConfig, kubectlApply, runTool, useNamespace } from '../support/cluster.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator.ts';
import { MANIFEST_V2, pushTinyImage, registryRequest, startRegistry, type Registry, type RegistryResponse } from '../support/registry.ts';

const GROUP = 'provider.akash.network';
const V = 'v1alpha1';
const SVC = 'app';
const PULL_SECRET = `docker-creds-${SVC}`;
const CREDS_SECRET = 'registry-app';
const USERNAME = 'tenant';
// Distinctive, so that any hit in the leak search is this test's password and nothing else.
const PASSWORD = `akash-e2e-regpw-${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const basic = (user: string, password: string) => b64(`${user}:${password}`);
// Forms a leak could take: as is, base64'd alone (a Secret's data value), and as the Basic
// credential / dockerconfigjson `auth` (user:password base64'd).
const NEEDLES: Record<string, string> = { password: PASSWORD, 'base64(password)': b64(PASSWORD), 'base64(user:password)': basic(USERNAME, PASSWORD) };
const hits = (text: string) => Object.entries(NEEDLES).filter(([, n]) => text.includes(n)).map(([k]) => k);

type Obj = { kind?: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; status?: Record<string, unknown> } & Record<string, unknown>;

const kc = () => kubeConfig();
const custom = () => kc().makeApiClient(k8s.CustomObjectsApi);
const core = () => kc().makeApiClient(k8s.CoreV1Api);
const apps = () => kc().makeApiClient(k8s.AppsV1Api);

/** Everything the test read (Secrets aside), as JSON, for the leak search. */
const seen: { label: string; json: string }[] = [];
function keep<T>(label: string, value: T): T {
  seen.push({ label, json: JSON.stringify(value) });
  return value;
}
function keepResponse(label: string, r: RegistryResponse): RegistryResponse {
  seen.push({ label, json: JSON.stringify({ status: r.status, headers: r.headers, body: r.body.toString('utf8') }) });
  return r;
}

const opNs = useNamespace('registry-op');
let registry: Registry;
let op: OperatorProcess | undefined;
let fixture: ReturnType<typeof leaseAndManifest>;
let image = '';

const getLease = async (name: string) => keep(`Lease ${name}`, (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name })) as Obj);

beforeAll(async () => {
  registry = await startRegistry({ username: USERNAME, password: PASSWORD });
  image = `${registry.host}/tenant/app:1`;
  await runTool('kubectl', ['apply', '--server-side', '-f', path.join(repoRoot, 'crds')]);
  await runTool('kubectl', ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);
  // The tenant's `credentials` as the provider stores them: a Secret in the operator namespace
  // that the Manifest only names (the password never enters a CR).
  await core().createNamespacedSecret({
    namespace: opNs.name,
    body: { metadata: { name: CREDS_SECRET }, type: 'Opaque', stringData: { host: registry.host, username: USERNAME, password: PASSWORD, email: 'tenant@example.com' } },
  });
  // At its most verbose level, so that the leak search reads every line the operator can write.
  op = await startOperatorProcess({ kubeconfig: inject('kubeconfig'), namespace: opNs.name, args: ['--log-level', 'trace'] });
  fixture = leaseAndManifest('970001', [{ name: SVC, image }]);
  (fixture.manifest.spec.groups[0]!.services[0] as Record<string, unknown>).credentialsSecretRef = { namespace: opNs.name, name: CREDS_SECRET };
  await kubectlApply([fixture.manifest, fixture.lease].map((o) => JSON.stringify(o)).join('\n'));
}, 150_000);

afterAll(async () => {
  // Teardown needs the running operator (the Lease finalizer removes the lease namespace).
  if (op && fixture) {
    await custom().deleteClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: fixture.ns }).catch(() => undefined);
    await custom().deleteClusterCustomObject({ group: GROUP, version: V, plural: 'manifests', name: fixture.manifest.metadata.name }).catch(() => undefined);
    await eventually(
      'the test lease to be torn down',
      () => custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: fixture.ns }).then(() => undefined, (e: unknown) => ((e as { code?: number }).code === 404 ? true : undefined)),
      60_000,
    ).catch(() => undefined);
  }
  await op?.stop();
  await registry?.stop();
}, 150_000);

/** The pull Secret's `auths` entry for the registry (read, never recorded: it holds the password). */
async function pullSecretAuth(): Promise<{ username: string; password: string; auth: string }> {
  const secret = await core().readNamespacedSecret({ namespace: fixture.ns, name: PULL_SECRET });
  const cfg = JSON.parse(Buffer.from(secret.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8')) as { auths: Record<string, { username: string; password: string; auth: string }> };
  const entry = cfg.auths[registry.host];
  if (!entry) throw new Error(`${PULL_SECRET} has no auths entry for ${registry.host} (it has: ${Object.keys(cfg.auths).join(', ')})`);
  return entry;
}

describe('a service whose image is in a private registry', () => {
  it('gets the pull Secret docker-creds-<svc> in its lease namespace and the Lease becomes Ready', async () => {
    const lease = await eventually('the Lease to be Ready', async () => {
      const l = await getLease(fixture.ns);
      return l.status?.phase === 'Ready' ? l : undefined;
      // After e2e/operator in the same run, this operator first reconciles that file's 100 leases
      // (about 30 s here), hence the margin.
    }, 120_000);
    expect(lease.status?.namespace).toBe(fixture.ns);

    const secret = await core().readNamespacedSecret({ namespace: fixture.ns, name: PULL_SECRET });
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(Object.keys(secret.data ?? {})).toEqual(['.dockerconfigjson']);
    const entry = await pullSecretAuth();
    expect(entry.username).toBe(USERNAME);
    // The positive control of the leak search: the needles do find the password where it belongs.
    expect(hits(JSON.stringify(entry)).sort()).toEqual(['base64(user:password)', 'password']);
    const source = await core().readNamespacedSecret({ namespace: opNs.name, name: CREDS_SECRET });
    expect(hits(JSON.stringify(source.data))).toEqual(['base64(password)']);
  }, 150_000);

  it('authenticates against the registry with the pull Secret: /v2/ gives 200, a wrong password 401', async () => {
    const { auth } = await pullSecretAuth();
    const ok = keepResponse('GET /v2/ (pull secret)', await registryRequest('GET', `${registry.url}/v2/`, { ca: registry.caPem, auth }));
    expect(ok.status).toBe(200);
    expect(ok.headers['docker-distribution-api-version']).toBe('registry/2.0');

    const wrong = keepResponse('GET /v2/ (wrong password)', await registryRequest('GET', `${registry.url}/v2/`, { ca: registry.caPem, auth: basic(USERNAME, 'not-the-password') }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm="akash-e2e"/);
    const none = keepResponse('GET /v2/ (no credentials)', await registryRequest('GET', `${registry.url}/v2/`, { ca: registry.caPem }));
    expect(none.status).toBe(401);
  });

  it('pulls with the pull Secret what the tenant pushed: the image manifest and its layer read back', async () => {
    // The tenant pushes with their own credentials; the provider's pods pull with the pull Secret.
    const pushed = await pushTinyImage(registry, basic(USERNAME, PASSWORD), 'tenant/app', '1');
    pushed.responses.forEach((r, i) => keepResponse(`push step ${i}`, r));
    const { auth } = await pullSecretAuth();
    const [repoPath, tag] = image.slice(registry.host.length + 1).split(':') as [string, string];
    const manifestUrl = `${registry.url}/v2/${repoPath}/manifests/${tag}`;
    const got = keepResponse('GET manifest (pull secret)', await registryRequest('GET', manifestUrl, { ca: registry.caPem, auth, headers: { accept: MANIFEST_V2 } }));
    expect(got.status).toBe(200);
    expect(got.headers['docker-content-digest']).toBe(pushed.digest);
    expect(got.body.equals(pushed.manifest)).toBe(true);
    const layer = (JSON.parse(got.body.toString('utf8')) as { layers: { digest: string; size: number }[] }).layers[0]!;
    const blob = keepResponse('GET layer (pull secret)', await registryRequest('GET', `${registry.url}/v2/${repoPath}/blobs/${layer.digest}`, { ca: registry.caPem, auth }));
    expect(blob.status).toBe(200);
    expect(blob.body.length).toBe(layer.size);

    const denied = keepResponse('GET manifest (wrong password)', await registryRequest('GET', manifestUrl, { ca: registry.caPem, auth: basic(USERNAME, 'not-the-password'), headers: { accept: MANIFEST_V2 } }));
    expect(denied.status).toBe(401);
  });

  it('has the Deployment and its Running pods reference the pull Secret', async () => {
    const d = keep('Deployment', await apps().readNamespacedDeployment({ namespace: fixture.ns, name: SVC }));
    expect(d.spec?.template.spec?.imagePullSecrets).toEqual([{ name: PULL_SECRET }]);
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(image);
    const pods = await eventually('the service pod to be Running', async () => {
      const list = keep('pods', await core().listNamespacedPod({ namespace: fixture.ns, labelSelector: `akash.network/manifest-service=${SVC}` }));
      const running = list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      return running.length === 1 ? running : undefined;
    }, 60_000);
    for (const p of pods) {
      expect(p.spec?.imagePullSecrets).toEqual([{ name: PULL_SECRET }]);
      expect(p.spec?.containers[0]?.image).toBe(image);
    }
  });

  it('leaves the password nowhere but in Secrets: no CR, Event, ConfigMap, log or read object holds it', async () => {
    const findings: string[] = [];
    const search = (label: string, text: string) => {
      for (const h of hits(text)) findings.push(`${h} in ${label}`);
    };

    // Every CR of the operator's API group, in every namespace.
    const crds = await kc().makeApiClient(k8s.ApiextensionsV1Api).listCustomResourceDefinition();
    const crKinds = crds.items.filter((c) => c.spec.group === GROUP).map((c) => ({ plural: c.spec.names.plural, version: c.spec.versions.find((v) => v.storage)?.name ?? V }));
    expect(crKinds.map((k) => k.plural)).toEqual(expect.arrayContaining(['leases', 'manifests', 'services']));
    const crNames: string[] = [];
    for (const { plural, version } of crKinds) {
      // Retried: a kind whose CRD beforeAll just created may answer 429 "storage is (re)initializing".
      const list = await eventually(`a list of ${plural}`, async () => (await custom().listClusterCustomObject({ group: GROUP, version, plural })) as { items: Obj[] }, 30_000);
      for (const o of list.items) {
        crNames.push(`${plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
        search(`${plural} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, JSON.stringify(o));
      }
    }
    // The search covered this test's objects, which name the credentials Secret.
    expect(crNames).toEqual(expect.arrayContaining([`leases//${fixture.ns}`, `manifests//${fixture.manifest.metadata.name}`, `services/${fixture.ns}/${SVC}`]));

    // Every Event, both APIs, every namespace; the operator did report on this lease.
    const events = await kc().makeApiClient(k8s.EventsV1Api).listEventForAllNamespaces();
    for (const e of events.items) search(`events.k8s.io ${e.metadata?.namespace}/${e.metadata?.name}`, JSON.stringify(e));
    expect(events.items.some((e) => e.metadata?.namespace === fixture.ns && e.reportingController === 'provider.akash.network/akash-operator')).toBe(true);
    const coreEvents = await core().listEventForAllNamespaces();
    for (const e of coreEvents.items) search(`v1 Event ${e.metadata?.namespace}/${e.metadata?.name}`, JSON.stringify(e));

    // Every ConfigMap (the test namespaces' among them).
    const cms = await core().listConfigMapForAllNamespaces();
    for (const c of cms.items) search(`ConfigMap ${c.metadata?.namespace}/${c.metadata?.name}`, JSON.stringify(c));
    expect(cms.items.some((c) => c.metadata?.namespace === fixture.ns)).toBe(true);

    // Every other object in the test's two namespaces (any list-able namespaced kind but Secrets)
    // and every cluster-scoped object, as kubectl reads them.
    const { stdout: kinds } = await runTool('kubectl', ['api-resources', '--verbs=list', '-o', 'name', '--namespaced=true']);
    const namespaced = kinds.split('\n').map((s) => s.trim()).filter((k) => k && k !== 'secrets');
    for (const ns of [fixture.ns, opNs.name]) search(`objects in namespace ${ns}`, await kubectlGetJson(namespaced, ['-n', ns]));
    const { stdout: clusterKinds } = await runTool('kubectl', ['api-resources', '--verbs=list', '-o', 'name', '--namespaced=false']);
    search('cluster-scoped objects', await kubectlGetJson(clusterKinds.split('\n').map((s) => s.trim()).filter(Boolean), []));

    // The operator's log and metrics, the registry's log, and everything the test read before.
    const log = op!.log();
    expect(log).toContain('"msg":"manager started"');
    search('the operator log', log);
    search('the operator /metrics', await op!.metrics());
    search('the registry log', registry.log());
    expect(seen.length).toBeGreaterThan(5);
    for (const s of seen) search(`read: ${s.label}`, s.json);

    expect(findings).toEqual([]);
  });
});

/** `kubectl get <kinds> -o json` (one request per kind), as one JSON text. */
async function kubectlGetJson(kinds: string[], extra: string[]): Promise<string> {
  // The cluster-wide lists can outgrow runTool's buffer; the text is only searched.
  const { stdout } = await promisify(execFile)(binaryPath('kubectl'), ['get', kinds.join(','), '-o', 'json', '--ignore-not-found', ...extra], {
    env: { ...process.env, KUBECONFIG: inject('kubeconfig') },
    maxBuffer: 256 << 20,
  });
  return stdout;
}
