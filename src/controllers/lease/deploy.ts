/**
 * Phases 5–6 of a Lease reconcile, for a lease whose manifest and group are known and accepted:
 * apply what differs (namespace first, then quota, limits and network policies, then one Service
 * CR per manifest service; each wave in parallel), then delete the Service CRs and network policies of this lease that
 * the group no longer has. An API error stops here (retried with backoff) before anything is deleted.
 */
import { leaseNamespace } from '../../akash/namespace.ts';
import { API_VERSION } from '../../api/common.ts';
import { LEASE_KIND, type Lease } from '../../api/lease.ts';
import type { Informer, KubeObject, ResourceRef } from '../../runtime/index.ts';
import { WorkloadSpecError } from '../../workloads/errors.ts';
import type { OperatorContext } from '../context.ts';
import { LimitRangeRef, NetworkPolicyRef, ResourceQuotaRef, ServiceCrRef } from '../refs.ts';
import { settleAll } from '../apply.ts';
import { applyIfChanged, deleteStale } from './apply.ts';
import { desiredChildren, type DesiredChildren } from './children.ts';
import { ownedByLease, type LeaseInformers } from './informers.ts';
import { serviceReport, WAITING_FOR_SERVICE_CONTROLLER, type ServiceReport } from './readiness.ts';
import { publishStatus, type LeaseView } from './status.ts';
import { degraded, receivedMessage, type Target } from './target.ts';
import { TEARDOWN_POLL_MS } from './teardown.ts';
import { applyFailedView, deployedView, heldView, namespaceTerminatingView } from './views.ts';

function cacheOf(inf: LeaseInformers, ref: ResourceRef): Informer<KubeObject> {
  if (ref === ResourceQuotaRef) return inf.quotas;
  if (ref === LimitRangeRef) return inf.limitRanges;
  if (ref === NetworkPolicyRef) return inf.networkPolicies;
  throw new Error(`lease controller: no cache for ${ref.kind}`);
}

const nameOf = (obj: KubeObject): string => obj.metadata.name ?? '';

/** The reports of the Service CRs this lease controls, as they run now. */
export function runningServices(inf: LeaseInformers, lease: Lease): ServiceReport[] {
  const namespace = leaseNamespace(lease.spec.id);
  return inf.services
    .list({ namespace })
    .filter((s) => ownedByLease(s, lease.metadata.uid))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((s) => serviceReport(s.metadata.name, s, s.spec.count));
}

interface Changes {
  /** Service CRs written in this reconcile: the cached status (if any) describes the previous spec. */
  appliedServices: Set<string>;
  removedServices: string[];
}

/**
 * Three waves, each in parallel (one round trip each instead of one per object): the namespace;
 * then quota, limits and network policies, which must hold before any pod exists; then the Service
 * CRs, whose controller creates the pods.
 */
async function applyAll(ctx: OperatorContext, inf: LeaseInformers, namespace: string, desired: DesiredChildren, leaseUid: string | undefined): Promise<Changes> {
  await applyIfChanged(ctx.client, desired.namespace, inf.namespaces.get(namespace));
  await settleAll(desired.guards.map((child) => applyIfChanged(ctx.client, child, cacheOf(inf, child.ref).get(nameOf(child.object), namespace))));
  const written = await settleAll(desired.services.map((child) => applyIfChanged(ctx.client, child, inf.services.get(nameOf(child.object), namespace))));
  const appliedServices = new Set(desired.services.filter((_, i) => written[i]).map((c) => nameOf(c.object)));
  // Only after every apply succeeded: a failure above must not leave the lease with fewer objects.
  const removedServices = await deleteStale(ctx.client, ServiceCrRef, inf.services.list({ namespace }), new Set(desired.services.map((c) => nameOf(c.object))), leaseUid);
  await deleteStale(ctx.client, NetworkPolicyRef, inf.networkPolicies.list({ namespace }), new Set(desired.guards.filter((c) => c.ref === NetworkPolicyRef).map((c) => nameOf(c.object))), leaseUid);
  return { appliedServices, removedServices };
}

export async function deploy(ctx: OperatorContext, inf: LeaseInformers, lease: Lease, target: Target & { ok: true }): Promise<LeaseView> {
  const namespace = leaseNamespace(lease.spec.id);
  const { manifest, group } = target;
  let desired: DesiredChildren;
  try {
    desired = desiredChildren(lease, manifest, group, ctx.policy, (name) => inf.services.get(name, namespace));
  } catch (err) {
    if (!(err instanceof WorkloadSpecError)) throw err;
    return heldView(lease, degraded('InvalidWorkloadSpec', err.message, receivedMessage(manifest)), runningServices(inf, lease));
  }
  if (inf.namespaces.get(namespace)?.metadata.deletionTimestamp) return namespaceTerminatingView(lease, namespace, TEARDOWN_POLL_MS);

  let changes: Changes;
  try {
    changes = await applyAll(ctx, inf, namespace, desired, lease.metadata.uid);
  } catch (err) {
    await publishStatus(ctx, lease, applyFailedView(lease, err)).catch((statusErr: unknown) => ctx.log.warn({ err: statusErr }, 'status write after a failed apply failed too'));
    throw err;
  }

  const regarding = { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: lease.metadata };
  if (changes.removedServices.length > 0) {
    ctx.recorder.record(regarding, { type: 'Normal', reason: 'ServicesRemoved', action: 'Delete', note: `removed services no longer in the manifest: ${changes.removedServices.join(', ')}` });
  }
  if (lease.status?.manifestHash !== manifest.spec.hash) {
    ctx.recorder.record(regarding, { type: 'Normal', reason: 'ManifestApplied', action: 'Apply', note: `applied manifest ${manifest.spec.hash} (${group.services.length} services) in namespace ${namespace}` });
  }

  const reports = desired.services.map((child) => {
    const name = nameOf(child.object);
    const total = child.object.spec.count;
    const report = serviceReport(name, inf.services.get(name, namespace), total);
    return changes.appliedServices.has(name) ? { ...report, ready: false, degraded: undefined, detail: WAITING_FOR_SERVICE_CONTROLLER } : report;
  });
  return deployedView(manifest, reports);
}
