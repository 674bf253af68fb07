/**
 * The gateway's store on the API server. Leases come from an informer (every replica serves the
 * gateway, so this one runs outside the leader's manager); a deployment the cache does not know yet
 * — a Lease written a moment ago — is looked up with a fresh list, so a tenant is never told "no
 * lease" because of cache lag. Manifests, Service CRs and Secrets are read directly: they are read
 * rarely and must be current.
 *
 * A manifest write is: the Secrets (registry credentials, canonical bytes), then the Manifest CR,
 * all server-side applied, so resubmitting the same manifest changes nothing. The Secrets are owned
 * by the Manifest CR (garbage-collected with it); Secrets of an earlier version that are no longer
 * needed are deleted.
 */
import { API_VERSION, type SecretReference } from '../api/common.ts';
import { LeaseRef, ManifestRef, SecretRef, ServiceCrRef, TenantRoleBindingRef, TenantRoleRef } from '../controllers/refs.ts';
import { ApiError, Informer, silentLogger, type KubeClient, type KubeObject, type Logger, type Metrics, type OwnerReference, type Transport } from '../runtime/index.ts';
import type { GatewayStore, LeaseObject, ManifestObject, ManifestWrite, RegistryCredentialsView, SecretObject, ServiceObject, TenantGrants } from './store.ts';

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

export class KubeGatewayStore implements GatewayStore {
  private readonly client: KubeClient;
  private readonly transport: Transport | undefined;
  private readonly fieldManager: string;
  private readonly log: Logger;
  private readonly leases: Informer<LeaseObject>;
  private version: { at: number; value: unknown } | undefined;

  constructor(opts: KubeGatewayStoreOptions) {
    this.client = opts.client;
    this.transport = opts.transport;
    this.fieldManager = opts.fieldManager ?? 'akash-operator-gateway';
    this.log = (opts.log ?? silentLogger()).child({ component: 'gateway-store' });
    this.leases = new Informer<LeaseObject>({ client: opts.client, resource: LeaseRef, log: this.log, ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  }

  start(): void {
    this.leases.start();
  }

  /** True once the lease cache holds a full list (for /readyz). */
  ready(): boolean {
    return this.leases.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.leases.waitForSync(signal);
  }

  stop(): Promise<void> {
    return this.leases.stop();
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
    const of = (list: LeaseObject[]) => list.filter((l) => l.spec?.id?.dseq === dseq);
    const cached = this.leases.synced ? of(this.leases.list()) : [];
    if (cached.length > 0) return cached;
    return of(await this.listLeases());
  }

  async servicesIn(namespace: string): Promise<ServiceObject[]> {
    return (await retrying(() => this.client.list<ServiceObject>(ServiceCrRef, { namespace }))).items;
  }

  manifest(name: string): Promise<ManifestObject | undefined> {
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
