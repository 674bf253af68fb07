/**
 * Service CR → its children, as named phases:
 *   1. gone or being deleted → nothing (garbage collection removes the children);
 *   2. lease id from the CR's lease labels;
 *   3. build every desired child (an invalid spec → Degraded, nothing applied);
 *   4. registry credentials → pull Secret (missing → Degraded, nothing applied);
 *   5. claim the hostnames (a host another lease holds gets no route); apply what differs from
 *      the caches; delete the other workload kind first, other stale children last; release the
 *      lease's hostname claims nothing routes or wants any more;
 *   6. status computed once, written only when it changed; events on transitions;
 *   7. requeue after the resync interval.
 * A blocking problem ends in TerminalError (no retry until the CR, or a credential Secret, changes).
 */
import { API_VERSION } from '../../api/common.ts';
import type { LeaseId } from '../../api/lease.ts';
import { SERVICE_KIND, type ForwardedPort, type ServiceStatus } from '../../api/service.ts';
import { ApiError, deepEqual, errorMessage, parseKey, TerminalError, type KubeObject, type ReconcileContext, type Reconciler, type ReconcileResult, type ResourceRef } from '../../runtime/index.ts';
import { selectorString, serviceSelector } from '../../workloads/labels.ts';
import { nodePortServiceName } from '../../workloads/names.ts';
import type { OperatorContext } from '../context.ts';
import { HTTPRouteRef, IngressRef, KubeServiceRef, ServiceCrRef } from '../refs.ts';
import { applyChanged, ChildWriteError, deleteObserved } from '../apply.ts';
import type { ServiceCaches } from './caches.ts';
import { desiredPullSecret } from './credentials.ts';
import { claimHostnames, releaseClaims, wantedHosts } from './hostnames.ts';
import { buildChildren, desiredChildren, workloadRefs } from './desired.ts';
import type { DesiredChild, KubeServiceObject, ServiceCr } from './kinds.ts';
import { leaseIdFromLabels } from './lease-id.ts';
import { tenantTlsSecrets } from './tls.ts';
import { liveChildren, staleChildren, controlledBy, type LiveChild } from './stale.ts';
import { computeStatus, forwardedPortsOf, Reason, transitions, type Problem, type LiveWorkload } from './status.ts';

export interface ServiceReconcilerDeps extends Pick<OperatorContext, 'client' | 'recorder' | 'policy' | 'operatorNamespace' | 'resyncMs'> {
  caches: ServiceCaches;
  now?: () => Date;
}

/** What phases 2–5 found and did. */
interface Convergence {
  problem?: Problem;
  /** A retryable failure, thrown after the status tells about it. */
  error?: unknown;
  workload?: LiveWorkload;
  isStatefulSet: boolean;
  uris?: string[];
  /** Set once the children were applied (or found converged). */
  forwardedPorts?: ForwardedPort[];
  selector?: string;
  applied: DesiredChild[];
  /** Whether any applied child existed before (an update or a repair, not only creations). */
  changedExisting: boolean;
  deleted: LiveChild[];
  /** Hosts another lease holds: not routed. */
  refusedHosts: string[];
}

export function serviceReconciler(deps: ServiceReconcilerDeps): Reconciler {
  return async (key, rctx) => reconcileService(deps, key, rctx);
}

export async function reconcileService(deps: ServiceReconcilerDeps, key: string, rctx: Pick<ReconcileContext, 'log'>): Promise<ReconcileResult> {
  // Phase 1: the caches are shared; everything below works on a copy.
  const cached = deps.caches.services.getByKey(key);
  if (!cached || cached.metadata.deletionTimestamp) {
    // Its routes go with it (garbage collection); each route's deletion brings us back here.
    await releaseStaleClaims(deps, parseKey(key).namespace ?? '', new Set());
    return {};
  }
  const service = structuredClone(cached);

  const result = await converge(deps, service);

  // Phase 6
  const status = computeStatus(
    service.status,
    {
      generation: service.metadata.generation,
      count: service.spec.count,
      workload: result.workload,
      isStatefulSet: result.isStatefulSet,
      uris: result.uris,
      forwardedPorts: result.forwardedPorts,
      selector: result.selector,
      problem: result.problem,
      refusedHosts: result.refusedHosts,
    },
    deps.now?.() ?? new Date(),
  );
  if (!deepEqual(service.status, status)) {
    await deps.client.applyStatus(ServiceCrRef, { apiVersion: API_VERSION, kind: SERVICE_KIND, metadata: { name: service.metadata.name, namespace: service.metadata.namespace }, status });
  }
  recordEvents(deps, service, result, status);

  if (result.problem?.blocking) {
    rctx.log.info({ reason: result.problem.reason, problem: result.problem.message }, 'service not applied');
    throw new TerminalError(`Service ${key}: ${result.problem.message}`);
  }
  if (result.error !== undefined) throw result.error;
  // Phase 7
  return { requeueAfterMs: deps.resyncMs };
}

async function converge(deps: ServiceReconcilerDeps, service: ServiceCr): Promise<Convergence> {
  const { caches } = deps;
  const name = service.metadata.name ?? '';
  const blocked = (reason: string, message: string, leaseId?: LeaseId): Convergence => ({
    problem: { reason, message, blocking: true },
    ...liveWorkload(service, caches),
    ...(leaseId ? { selector: selectorString(serviceSelector(leaseId, name)) } : {}),
    applied: [],
    changedExisting: false,
    deleted: [],
    refusedHosts: [],
  });

  // Phase 2
  const lease = leaseIdFromLabels(service.metadata.labels);
  if (!lease.ok) return blocked(Reason.leaseLabelsMissing, `cannot tell the lease: ${lease.problems.join('; ')} (the Lease controller sets these labels)`);

  // Phase 3
  const built = buildChildren(service, lease.id, deps.policy, tenantTlsSecrets(service, caches));
  if (!built.ok) return blocked(Reason.invalidSpec, `spec is invalid: ${built.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, lease.id);

  // Phase 4
  const pull = desiredPullSecret(service.spec, lease.id, name, caches.credentialSecrets, deps.operatorNamespace);
  if (!pull.ok) return blocked(Reason.credentialsUnavailable, pull.message, lease.id);

  // Phase 5
  const { children } = built;
  const namespace = service.metadata.namespace ?? '';
  const workloadRef = workloadRefs(children).ref;
  const out: Convergence = { isStatefulSet: children.workload.kind === 'StatefulSet', selector: children.selector, applied: [], changedExisting: false, deleted: [], refusedHosts: [] };
  const nodePortName = nodePortServiceName(name);
  let nodePortService: KubeServiceObject | undefined;
  try {
    // One route per host, named after it: the hosts are the service's URIs.
    const { refused } = await claimHostnames(deps.client, caches, namespace, lease.id, children.uris);
    out.refusedHosts = refused.sort();
    const refusedSet = new Set(out.refusedHosts);
    const desired = desiredChildren(service, children, pull.secret).filter((c) => !(isRoute(c.ref) && refusedSet.has(c.object.metadata.name ?? '')));
    out.uris = children.uris.filter((u) => !refusedSet.has(u));
    const stale = staleChildren(liveChildren(service, caches), desired);
    await deleteAll(deps, stale.workloads, out);
    const outcomes = await applyChanged(deps.client, desired, (c) => liveOf(caches, c));
    for (const o of outcomes) {
      if (o.applied) out.applied.push(o.child);
      if (o.applied && o.existed) out.changedExisting = true;
      if (o.child.ref === workloadRef) out.workload = (o.applied ?? liveOf(caches, o.child)) as LiveWorkload | undefined;
      if (o.child.ref === KubeServiceRef && o.child.object.metadata.name === nodePortName) nodePortService = (o.applied ?? liveOf(caches, o.child)) as KubeServiceObject | undefined;
    }
    out.forwardedPorts = forwardedPortsOf(nodePortService);
    await deleteAll(deps, stale.others, out);
    await releaseStaleClaims(deps, namespace, new Set(desired.filter((c) => isRoute(c.ref)).map((c) => c.object.metadata.name ?? '')));
  } catch (err) {
    out.error = err;
    out.workload ??= liveWorkload(service, caches).workload;
    if (isRejection(err)) out.problem = { reason: Reason.applyFailed, message: errorMessage(err), blocking: false };
  }
  return out;
}

function isRoute(ref: ResourceRef): boolean {
  return ref === IngressRef || ref === HTTPRouteRef;
}

/**
 * Releases the claims of `namespace` that no cached route (nor one in `routing`, just applied)
 * serves and no Service of the namespace wants.
 */
async function releaseStaleClaims(deps: ServiceReconcilerDeps, namespace: string, routing: ReadonlySet<string>): Promise<void> {
  if (!namespace) return;
  const { caches } = deps;
  const routes = [...caches.ingresses.list({ namespace }), ...(caches.httpRoutes?.list({ namespace }) ?? [])];
  const routed = new Set([...routing, ...routes.map((r) => r.metadata.name ?? '')]);
  // Usually every claim is routed: then no Service's routes need to be planned to know.
  if (caches.claimsByNamespace.get(namespace).every((c) => routed.has(c.metadata.name ?? ''))) return;
  const wanted = wantedHosts(caches.services.list({ namespace }), deps.policy);
  await releaseClaims(deps.client, caches.claimsByNamespace, namespace, routed, wanted);
}

/** The cached object a desired child would replace. */
function liveOf(caches: ServiceCaches, child: DesiredChild | undefined): KubeObject | undefined {
  if (!child) return undefined;
  const { name, namespace } = child.object.metadata;
  if (!name) return undefined;
  const informer = {
    Secret: caches.pullSecrets,
    Deployment: caches.deployments,
    StatefulSet: caches.statefulSets,
    Service: caches.kubeServices,
    Ingress: caches.ingresses,
    HTTPRoute: caches.httpRoutes,
  }[child.ref.kind];
  return informer?.get(name, namespace);
}

/** The workload this CR controls as cached, for a status when nothing could be applied. */
function liveWorkload(service: ServiceCr, caches: ServiceCaches): Pick<Convergence, 'workload' | 'isStatefulSet'> {
  const { name, namespace } = service.metadata;
  if (!name) return { isStatefulSet: false };
  const deployment = caches.deployments.get(name, namespace);
  if (deployment && controlledBy(deployment, service)) return { workload: deployment as LiveWorkload, isStatefulSet: false };
  const sts = caches.statefulSets.get(name, namespace);
  if (sts && controlledBy(sts, service)) return { workload: sts as LiveWorkload, isStatefulSet: true };
  return { isStatefulSet: false };
}

async function deleteAll(deps: ServiceReconcilerDeps, stale: LiveChild[], out: Convergence): Promise<void> {
  for (const c of stale) {
    let outcome;
    try {
      outcome = await deleteObserved(deps.client, c.ref, c.object);
    } catch (err) {
      throw new ChildWriteError('delete', c.ref, c.object.metadata, err);
    }
    if (outcome !== 'conflict') out.deleted.push(c);
  }
}

/** The API server refused the request itself (invalid object, forbidden): a person must look. */
function isRejection(err: unknown): boolean {
  const code = err instanceof ChildWriteError ? err.code : err instanceof ApiError ? err.code : undefined;
  return code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429;
}

function recordEvents(deps: ServiceReconcilerDeps, service: ServiceCr, result: Convergence, status: ServiceStatus): void {
  const regarding: KubeObject = { apiVersion: API_VERSION, kind: SERVICE_KIND, metadata: service.metadata };
  const list = (items: { ref: { kind: string }; object: KubeObject }[]) => items.map((c) => `${c.ref.kind} ${c.object.metadata.name ?? ''}`).join(', ');
  if (result.deleted.length > 0) deps.recorder.record(regarding, { type: 'Normal', reason: 'Deleted', action: 'Delete', note: `deleted ${list(result.deleted)}` });
  // Children created from scratch are told by the Lease's ManifestApplied Event; an update or a
  // repair of what existed is told here.
  if (result.applied.length > 0 && result.changedExisting) deps.recorder.record(regarding, { type: 'Normal', reason: 'Applied', action: 'Apply', note: `applied ${list(result.applied)}` });
  for (const t of transitions(service.status?.conditions, status.conditions ?? [])) {
    deps.recorder.record(regarding, { type: t.type, reason: t.reason, action: 'Reconcile', note: t.note });
  }
}
