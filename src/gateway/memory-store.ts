/**
 * The gateway's store in memory, for unit tests of routes, auth and limits (the Kubernetes one is
 * tested on the runtime's FakeApi and in e2e). It keeps what a write would leave behind, so tests
 * can look for credentials where they must not be.
 */
import type { SecretReference } from '../api/common.ts';
import type { GatewayStore, HostnameHolder, LeaseObject, ManifestObject, ManifestWrite, RegistryCredentialsView, SecretObject, ServiceObject, TenantGrants } from './store.ts';

export class MemoryGatewayStore implements GatewayStore {
  readonly leases: LeaseObject[] = [];
  readonly services = new Map<string, ServiceObject[]>();
  readonly manifests = new Map<string, ManifestObject>();
  readonly secrets = new Map<string, SecretObject>();
  readonly grants = new Map<string, TenantGrants>();
  /** Hostname claims: host → its holder. */
  readonly hostnameClaims = new Map<string, HostnameHolder>();
  /** Scales done, in order: `<namespace>/<service>=<replicas>`. */
  readonly scales: string[] = [];
  /** Writes of saveManifest, in order. */
  readonly writes: ManifestWrite[] = [];
  /** Set to make every call fail (an unreachable API server). */
  failure: Error | undefined;
  /** Set to delay every call (a slow API server). */
  delayMs = 0;

  private async io(): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failure) throw this.failure;
  }

  async leasesOfDeployment(dseq: string): Promise<LeaseObject[]> {
    await this.io();
    return structuredClone(this.leases.filter((l) => l.spec.id.dseq === dseq));
  }

  async servicesIn(namespace: string): Promise<ServiceObject[]> {
    await this.io();
    return structuredClone(this.services.get(namespace) ?? []);
  }

  async service(namespace: string, name: string): Promise<ServiceObject | undefined> {
    return (await this.servicesIn(namespace)).find((s) => s.metadata.name === name);
  }

  async hostnameHolders(hosts: readonly string[]): Promise<Map<string, HostnameHolder>> {
    await this.io();
    return new Map(hosts.flatMap((h) => (this.hostnameClaims.has(h) ? [[h, { ...this.hostnameClaims.get(h)! }] as const] : [])));
  }

  async manifest(name: string): Promise<ManifestObject | undefined> {
    await this.io();
    return structuredClone(this.manifests.get(name));
  }

  async registryCredentials(ref: SecretReference): Promise<RegistryCredentialsView | undefined> {
    await this.io();
    const s = this.secrets.get(`${ref.namespace}/${ref.name}`);
    if (!s) return undefined;
    const d = (k: string) => Buffer.from(s.data?.[k] ?? '', 'base64').toString('utf8');
    return { host: d('host'), username: d('username'), email: d('email') };
  }

  async saveManifest(write: ManifestWrite): Promise<void> {
    await this.io();
    this.writes.push(structuredClone(write));
    for (const s of write.secrets) this.secrets.set(`${s.metadata.namespace}/${s.metadata.name}`, structuredClone(s));
    this.manifests.set(write.manifest.metadata.name ?? '', structuredClone(write.manifest));
  }

  async counts(provider: string): Promise<{ leases: number; deployments: number }> {
    await this.io();
    const active = this.leases.filter((l) => l.spec.id.provider === provider && l.spec.state === 'active');
    return { leases: active.length, deployments: new Set(active.map((l) => `${l.spec.id.owner}/${l.spec.id.dseq}`)).size };
  }

  async tenantGrants(namespace: string): Promise<TenantGrants> {
    await this.io();
    return structuredClone(this.grants.get(namespace) ?? { roles: [], bindings: [] });
  }

  async saveTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string, spec: unknown): Promise<void> {
    await this.io();
    const g = this.grants.get(namespace) ?? { roles: [], bindings: [] };
    const list = g[kind] as { metadata: { name: string }; spec: unknown }[];
    const i = list.findIndex((o) => o.metadata.name === name);
    const obj = { metadata: { name }, spec: structuredClone(spec) };
    if (i >= 0) list[i] = obj;
    else list.push(obj);
    this.grants.set(namespace, g);
  }

  async deleteTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string): Promise<boolean> {
    await this.io();
    const list = this.grants.get(namespace)?.[kind] as { metadata: { name: string } }[] | undefined;
    const i = list?.findIndex((o) => o.metadata.name === name) ?? -1;
    if (i < 0) return false;
    list!.splice(i, 1);
    return true;
  }

  async scaleService(namespace: string, service: string, replicas: number): Promise<void> {
    await this.io();
    this.scales.push(`${namespace}/${service}=${replicas}`);
    const svc = this.services.get(namespace)?.find((s) => s.metadata.name === service);
    if (svc) svc.spec.count = replicas;
  }

  async kubeVersion(): Promise<unknown> {
    return { major: '1', minor: '34', gitVersion: 'v1.34.0-memory' };
  }
}
