/**
 * What the gateway reads and writes, as one narrow interface. Until the chain layer exists the
 * lease truth is the `Lease` CRs (cluster-scoped, written by the chain sync or by an admin), and the
 * status truth is the `Service` CRs of each lease namespace. `kube-store.ts` implements it on the API
 * server; `memory-store.ts` in memory, for tests.
 */
import type { SecretReference } from '../api/common.ts';
import type { Lease } from '../api/lease.ts';
import type { Manifest } from '../api/manifest.ts';
import type { ServiceSpec, ServiceStatus } from '../api/service.ts';
import type { TenantRole, TenantRoleBinding } from '../api/tenant-rbac.ts';
import type { KubeObject } from '../runtime/index.ts';

export type LeaseObject = KubeObject & Pick<Lease, 'spec' | 'status'>;
export type ManifestObject = KubeObject & Pick<Manifest, 'spec' | 'status'>;
/** What the status views read of a Service CR (the cache keeps no more; see kube-store.ts). */
export type ServiceObject = KubeObject & { spec: Pick<ServiceSpec, 'count'>; status?: ServiceStatus };
export type SecretObject = KubeObject & { type?: string; data?: Record<string, string> };

/** Who routes a hostname on this provider: the lease of a HostnameClaim (src/api/hostname-claim.ts). */
export interface HostnameHolder {
  namespace: string;
  owner: string;
  dseq: string;
}

/** What one accepted manifest becomes: the Manifest CR and the Secrets beside it. */
export interface ManifestWrite {
  manifest: ManifestObject;
  /** Registry credentials and the canonical bytes, in the operator namespace; data base64. */
  secrets: SecretObject[];
  /**
   * The label selector of every Secret the gateway keeps for this manifest: those it selects and
   * `secrets` does not name are left over from an earlier version and are deleted.
   */
  secretSelector: string;
}

/** The parts of a registry-credentials Secret a tenant may see again (never the password). */
export interface RegistryCredentialsView {
  host: string;
  username: string;
  email: string;
}

/** The tenant RBAC objects of one lease namespace (docs/adr/0005-tenant-rbac.md). */
export interface TenantGrants {
  roles: Pick<TenantRole, 'metadata' | 'spec'>[];
  bindings: Pick<TenantRoleBinding, 'metadata' | 'spec'>[];
}

export interface GatewayStore {
  /** Every Lease CR of deployment sequence `dseq`, whatever its owner, provider or state. */
  leasesOfDeployment(dseq: string): Promise<LeaseObject[]>;
  /** The Service CRs of a lease namespace. */
  servicesIn(namespace: string): Promise<ServiceObject[]>;
  /** One Service CR of a lease namespace. */
  service(namespace: string, name: string): Promise<ServiceObject | undefined>;
  manifest(name: string): Promise<ManifestObject | undefined>;
  registryCredentials(ref: SecretReference): Promise<RegistryCredentialsView | undefined>;
  /** Writes the Secrets and the Manifest CR (server-side apply: resubmitting is a no-op). */
  saveManifest(write: ManifestWrite): Promise<void>;
  /** The holders of those of `hosts` that are claimed. */
  hostnameHolders(hosts: readonly string[]): Promise<Map<string, HostnameHolder>>;
  /** For GET /status: active leases and deployments of `provider`. */
  counts(provider: string): Promise<{ leases: number; deployments: number }>;
  /** The TenantRoles and TenantRoleBindings of a lease namespace. */
  tenantGrants(namespace: string): Promise<TenantGrants>;
  /** Creates or replaces (server-side apply) a TenantRole (`roles`) or TenantRoleBinding (`bindings`). */
  saveTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string, spec: unknown): Promise<void>;
  /** Deletes one; false when it did not exist. */
  deleteTenantGrant(namespace: string, kind: 'roles' | 'bindings', name: string): Promise<boolean>;
  /** Sets a Service CR's replica count through its scale subresource. */
  scaleService(namespace: string, service: string, replicas: number): Promise<void>;
  /** The API server's /version, for GET /version; undefined when unknown. */
  kubeVersion(): Promise<unknown>;
}
