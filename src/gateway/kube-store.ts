/**
 * The gateway's store on the API server. Leases, Manifests and Service CRs come from informers
 * (cluster-wide; every replica serves the gateway, so these run outside the leader's manager): the
 * status route, which tenants poll, then costs no API request, and a status change reaches tenants
 * within the watch latency. Whatever a cache does not have yet — a Lease, Manifest or Service
 * written a moment ago, or anything before the first list — is read from the API server, so a
 * tenant is never told "not found" because of cache lag. Secrets and the tenant RBAC objects are
 * read directly: rare, and a revoked grant must take effect at once.
 *
 * A manifest write is: the Secrets (registry credentials, canonical bytes), then the Manifest CR,
 * all server-side applied, so resubmitting the same manifest changes nothing. The Secrets are owned
 * by the Manifest CR (garbage-collected with it); Secrets of an earlier version that are no longer
 * needed are deleted.
 */
import { API_VERSION, type SecretReference } from '../api/common.ts';
import { HostnameClaimRef, LeaseRef, ManifestRef, SecretRef, ServiceCrRef, TenantRoleBindingRef, TenantRoleRef } from '../controllers/refs.ts';
import { ApiError, Informer, InformerIndex, silentLogger, stripManagedFields, type KubeClient, type KubeObject, type Logger, type Metrics, type OwnerReference, type Transport } from '../runtime/index.ts';
import type { HostnameClaimObject } from '../controllers/service/hostnames.ts';
import type { GatewayStore, HostnameHolder, LeaseObject, ManifestObject, ManifestWrite, RegistryCredentialsView, SecretObject, ServiceObject, TenantGrants } from './store.ts';

export interface KubeGatewayStoreOptions {
  client: KubeClient;
  /** For GET /version (the API server's own /version); without it `kube` is null. */
  transport?: Transport;
  /** Field manager of the gateway's writes, so `managedFields` tell them from the controllers'. */
  fieldManager?: string;
  log?: Logger;
  metrics?: Metrics;
}

const decode = (v: string | undefined) => (v === undefined ? '' : Buffer.from(v, 'base64').toString('utf8'));

/**
 * Every call here is idempotent (reads, server-side applies, deletes by name), so a passing refusal
 * of the API server — 429 while a resource's storage initializes, 5xx during a restart — is retried
 * a few times within the tenant's request instead of being handed back as a 503.
 */
async function retrying<T>(f: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      const transient = e instanceof ApiError && (e.code === 429 || e.code >= 500);
      if (!transient || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 200 * 2 ** (i - 1)));
    }
  }
}

/**
 * A Service CR as cached: what the status views read (count, status) and the metadata. The rest of
 * the spec (image, env, resources…) would be most of its memory, and the gateway never reads it.
 */
function serviceView(obj: ServiceObject): ServiceObject {
  const { metadata } = stripManagedFields(obj);
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec: { count: obj.spec?.count }, ...(obj.status ? { status: obj.status } : {}) };
}

export class KubeGatewayStore implements GatewayStore {
  private readonly client: KubeClient;
  private readonly transport: Transport | undefined;
  private readonly fieldManager: string;
  private readonly log: Logger;
  private readonly leases: Informer<LeaseObject>;
  private readonly manifests: Informer<ManifestObject>;
  private readonly services: Informer<ServiceObject>;
  private readonly leasesByDseq: InformerIndex<LeaseObject>;
  private readonly servicesByNamespace: InformerIndex<ServiceObject>;
  private version: { at: number; value: unknown } | undefined;

  constructor(opts: KubeGatewayStoreOptions) {
    this.client = opts.client;
    this.transport = opts.transport;
    this.fieldManager = opts.fieldManager ?? 'akash-operator-gateway';
    this.log = (opts.log ?? silentLogger()).child({ component: 'gateway-store' });
    const common = { client: opts.client, log: this.log, ...(opts.metrics ? { metrics: opts.metrics } : {}) };
    this.leases = new Informer<LeaseObject>({ ...common, resource: LeaseRef });
    this.manifests = new Informer<ManifestObject>({ ...common, resource: ManifestRef });
    this.services = new Informer<ServiceObject>({ ...common, resource: ServiceCrRef, transform: serviceView });
    this.leasesByDseq = new InformerIndex(this.leases, (l) => l.spec?.id?.dseq);
    this.servicesByNamespace = new InformerIndex(this.services, (s) => s.metadata.namespace);
  }

  private get informers(): readonly (Informer<LeaseObject> | Informer<ManifestObject> | Informer<ServiceObject>)[] {
    return [this.leases, this.manifests, this.services];
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  /** True once every cache (Leases, Manifests, Service CRs) holds a full list (for /readyz). */
  ready(): boolean {
    return this.informers.every((i) => i.synced);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private async listLeases(): Promise<LeaseObject[]> {
    const out: LeaseObject[] = [];
    let cont: string | undefined;
    do {
      const page = await retrying(() => this.client.list<LeaseObject>(LeaseRef, { limit: 500, continue: cont }));
      out.push(...page.items);
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  async leasesOfDeployment(dseq: string): Promise<LeaseObject[]> {
    const cached = this.leases.synced ? this.leasesByDseq.get(dseq) : [];
    if (cached.length > 0) return cached;
    return (await this.listLeases()).filter((l) => l.spec?.id?.dseq === dseq);
  }

  async servicesIn(namespace: string): Promise<ServiceObject[]> {
    const cached = this.services.synced ? this.servicesByNamespace.get(namespace) : [];
    if (cached.length > 0) return cached;
    return (await retrying(() => this.client.list<ServiceObject>(ServiceCrRef, { namespace }))).items.map(serviceView);
  }

  async service(namespace: string, name: string): Promise<ServiceObject | undefined> {
    const cached = this.services.synced ? this.services.get(name, namespace) : undefined;
    if (cached) return cached;
    // A list, not a get: the gateway's RBAC has list and watch on Service CRs, not get.
    return (await retrying(() => this.client.list<ServiceObject>(ServiceCrRef, { namespace }))).items.map(serviceView).find((s) => s.metadata.name === name);
  }

  /** Read from the API server, not a cache: a claim made a moment ago must count. */
  async hostnameHolders(hosts: readonly string[]): Promise<Map<string, HostnameHolder>> {
    const unique = [...new Set(hosts)];
    const claims = await Promise.all(unique.map((name) => retrying(() => this.client.get<HostnameClaimObject>(HostnameClaimRef, { name }))));
    const out = new Map<string, HostnameHolder>();
    claims.forEach((c, i) => {
      if (c?.spec) out.set(unique[i]!, { namespace: c.spec.namespace, owner: c.spec.lease.owner, dseq: c.spec.lease.dseq });
    });
    return out;
  }

  async manifest(name: string): Promise<ManifestObject | undefined> {
    const cached = this.manifests.synced ? this.manifests.get(name) : undefined;
    if (cached) return cached;
    return retrying(() => this.client.get<ManifestObject>(ManifestRef, { name }));
  }

  async registryCredentials(ref: SecretReference): Promise<RegistryCredentialsView | undefined> {
    const s = await retrying(() => this.client.get<SecretObject>(SecretRef, ref));
    if (!s) return undefined;
    return { host: decode(s.data?.host), username: decode(s.data?.username), email: decode(s.data?.email) };
  }

  async saveManifest(write: ManifestWrite): Promise<void> {
    const name = write.manifest.metadata.name ?? '';
    const opts = { fieldManager: this.fieldManager };
    const applySecrets = (owner: OwnerReference | undefined) =>
      Promise.all(write.secrets.map((s) => retrying(() => this.client.apply(SecretRef, owner ? { ...s, metadata: { ...s.metadata, ownerReferences: [owner] } } : s, opts))));
    const ownerOf = (m: KubeObject): OwnerReference | undefined =>
      m.metadata.uid ? { apiVersion: API_VERSION, kind: 'Manifest', name, uid: m.metadata.uid } : undefined;

    // Secrets first: the Service CRs built from the Manifest name them, and should find them.
    const existing = await retrying(() => this.client.get<ManifestObject>(ManifestRef, { name }));
    const before = existing ? ownerOf(existing) : undefined;
    await applySecrets(before);
    const applied = await retrying(() => this.client.apply(ManifestRef, write.manifest, opts));
    const after = ownerOf(applied);
    if (after && after.uid !== before?.uid) await applySecrets(after);

    const keep = new Set(write.secrets.map((s) => s.metadata.name));
    const namespace = write.secrets[0]?.metadata.namespace;
    if (!namespace) return;
    const current = await retrying(() => this.client.list<SecretObject>(SecretRef, { namespace, labelSelector: write.secretSelector }));
    for (const s of current.items) {
      if (s.metadata.name && !keep.has(s.metadata.name)) {
        const secretName = s.metadata.name;
        await retrying(() => this.client.delete(SecretRef, { name: secretName, namespace }));
        this.log.info({ secret: `${namespace}/${s.metadata.name}`, manifest: name }, 'deleted a Secret the new manifest no longer uses');
      }
    }
  }

  async counts(provider: string): Promise<{ leases: number; deployments: number }> {
    const all = this.leases.synced ? this.leases.list() : await this.listLeases();
    const active = all.filter((l) => l.spec?.id?.provider === provider && l.spec.state === 'active');
    return { leases: active.length, deployments: new Set(active.map((l) => `${l.spec.id.owner}/${l.spec.id.dseq}`)).size };
  }

  async tenantGrants(namespace: string): Promise<TenantGrants> {
    // Read at every grantee request, not cached: deleting a binding revokes it at once.
    const [roles, bindings] = await Promise.all([
      retrying(() => this.client.list<KubeObject & TenantGrants['roles'][number]>(TenantRoleRef, { namespace })),
      retrying(() => this.client.list<KubeObject & TenantGrants['bindings'][number]>(TenantRoleBindingRef, { namespace })),
    ]);
    return { roles: roles.items, bindings: bindings.items };
  }

  async saveTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string, spec: unknown): Promise<void> {
    const ref = kind === 'roles' ? TenantRoleRef : TenantRoleBindingRef;
    await retrying(() => this.client.apply(ref, { apiVersion: API_VERSION, kind: ref.kind, metadata: { name, namespace }, spec } as KubeObject, { fieldManager: this.fieldManager }));
  }

  async deleteTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string): Promise<boolean> {
    return retrying(() => this.client.delete(kind === 'roles' ? TenantRoleRef : TenantRoleBindingRef, { name, namespace }));
  }

  async scaleService(namespace: string, service: string, replicas: number): Promise<void> {
    await retrying(() => this.client.mergePatch(ServiceCrRef, { name: service, namespace }, { spec: { replicas } }, 'scale'));
  }

  async kubeVersion(): Promise<unknown> {
    if (!this.transport) return undefined;
    if (this.version && Date.now() - this.version.at < 300_000) return this.version.value;
    const res = await this.transport.request({ method: 'GET', path: '/version' });
    if (res.status !== 200) return undefined;
    this.version = { at: Date.now(), value: JSON.parse(res.body) as unknown };
    return this.version.value;
  }
}
