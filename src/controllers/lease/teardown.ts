/**
 * Teardown of a lease: its namespace goes, and with it everything of the lease (Kubernetes deletes
 * a namespace's contents), then its hostname claims (cluster-scoped, so not with the namespace),
 * then the deployment's Manifest once no lease of it runs. Only two
 * callers: a Lease being deleted, or one whose chain state is `closed`. The namespace is read live (not from the cache) and deleted only when its
 * `akash.network/lease.id.*` labels name this very lease.
 */
import { leaseNamespace } from '../../akash/namespace.ts';
import { API_VERSION } from '../../api/common.ts';
import { LEASE_KIND, type Lease, type LeaseId } from '../../api/lease.ts';
import { manifestName } from '../../api/manifest.ts';
import type { KubeObject } from '../../runtime/index.ts';
import { deleteObserved } from '../apply.ts';
import { LABEL_NAMESPACE, leaseIdLabels } from '../../workloads/labels.ts';
import type { OperatorContext } from '../context.ts';
import { HostnameClaimRef, ManifestRef, NamespaceRef } from '../refs.ts';
import type { LeaseInformers } from './informers.ts';

/** `gone`: nothing left; `deleting`: the namespace is terminating; `notOwned`: it is not this lease's. */
export type TeardownState = 'gone' | 'deleting' | 'notOwned';

/** How often to look again while a namespace terminates (its delete event usually comes first). */
export const TEARDOWN_POLL_MS = 5_000;

export function belongsToLease(ns: KubeObject, id: LeaseId): boolean {
  const labels = ns.metadata.labels ?? {};
  return Object.entries(leaseIdLabels(id)).every(([k, v]) => labels[k] === v);
}

export async function teardownNamespace(ctx: OperatorContext, lease: Lease): Promise<TeardownState> {
  const name = leaseNamespace(lease.spec.id);
  // A Lease not named after its namespace was refused before it could create anything; the
  // namespace of that id, if any, belongs to the Lease that is.
  if (lease.metadata.name !== name) return 'gone';
  const ns = await ctx.client.get<KubeObject>(NamespaceRef, { name });
  if (!ns) return 'gone';
  const regarding = { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: lease.metadata };
  if (!belongsToLease(ns, lease.spec.id)) {
    ctx.log.warn({ lease: lease.metadata.name, namespace: name }, 'namespace labels name another lease; not deleting it');
    ctx.recorder.record(regarding, { type: 'Warning', reason: 'NamespaceNotOwned', action: 'Teardown', note: `namespace ${name} is not labelled as this lease's; left in place` });
    return 'notOwned';
  }
  if (ns.metadata.deletionTimestamp) return 'deleting';
  const uid = ns.metadata.uid;
  const deleted = await ctx.client.delete(NamespaceRef, { name }, { preconditions: uid ? { uid } : undefined });
  if (!deleted) return 'gone';
  ctx.log.info({ lease: lease.metadata.name, namespace: name }, 'deleting lease namespace');
  ctx.recorder.record(regarding, { type: 'Normal', reason: 'NamespaceDeleted', action: 'Teardown', note: `deleting namespace ${name} and everything in it` });
  return 'deleting';
}

/**
 * After a teardown: the hostnames the lease routed are free for other leases. A deleted Lease's
 * claims would also go by garbage collection (the Lease owns them); a closed one stays, so its
 * claims are deleted here, each only as the cache saw it.
 */
export async function releaseHostnames(ctx: OperatorContext, inf: Pick<LeaseInformers, 'hostnameClaims'>, lease: Lease): Promise<void> {
  const namespace = leaseNamespace(lease.spec.id);
  if (lease.metadata.name !== namespace) return;
  const released: string[] = [];
  for (const claim of inf.hostnameClaims.list({ labels: { [LABEL_NAMESPACE]: namespace } })) {
    if (!belongsToLease(claim, lease.spec.id)) continue;
    if ((await deleteObserved(ctx.client, HostnameClaimRef, claim)) === 'deleted') released.push(claim.metadata.name ?? '');
  }
  if (released.length === 0) return;
  ctx.log.info({ lease: lease.metadata.name, hostnames: released }, 'released the hostnames of a torn-down lease');
  const regarding = { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: lease.metadata };
  ctx.recorder.record(regarding, { type: 'Normal', reason: 'HostnamesReleased', action: 'Teardown', note: `released ${released.join(', ')}` });
}

/**
 * After a teardown: the deployment's Manifest goes once no other Lease of the deployment still runs
 * (one Manifest serves every group of a deployment), and with it the registry-credential Secrets it
 * owns. The Go provider keeps its manifest in the lease namespace, so it goes with the namespace;
 * ours is cluster-scoped and would otherwise keep tenants' passwords for as long as the cluster
 * lives. The uid precondition deletes only the Manifest the cache saw.
 */
export async function releaseManifest(ctx: OperatorContext, inf: Pick<LeaseInformers, 'leases' | 'manifests'>, lease: Lease): Promise<void> {
  const { owner, dseq } = lease.spec.id;
  const stillRunning = inf.leases
    .list()
    .some((l) => l.metadata.uid !== lease.metadata.uid && l.spec.id.owner === owner && l.spec.id.dseq === dseq && !l.metadata.deletionTimestamp && l.spec.state !== 'closed');
  if (stillRunning) return;
  const manifest = inf.manifests.get(manifestName(owner, dseq));
  if (!manifest || manifest.metadata.deletionTimestamp) return;
  if ((await deleteObserved(ctx.client, ManifestRef, manifest)) !== 'deleted') return;
  ctx.log.info({ lease: lease.metadata.name, manifest: manifest.metadata.name }, 'deleted the manifest of a deployment with no running lease');
  const regarding = { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: lease.metadata };
  ctx.recorder.record(regarding, { type: 'Normal', reason: 'ManifestDeleted', action: 'Teardown', note: `deleted Manifest ${manifest.metadata.name} and its registry credentials: no lease of deployment ${dseq} runs any more` });
}
