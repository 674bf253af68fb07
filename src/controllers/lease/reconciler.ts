/**
 * Lease reconcile (key = Lease name), as named phases:
 *   1. gone → nothing; deleted or closed → teardown (the only two reasons anything is torn down),
 *      and the deployment's Manifest once no lease of it runs;
 *   2. ensure our finalizer;
 *   3–4. find the Manifest and the lease's group (`target.ts`);
 *   5–6. apply what differs, delete what the group dropped (`deploy.ts`);
 *   7. write the status once, only if it changed (`status.ts`);
 *   8. come back after the resync interval.
 * API errors, validation errors and a missing Manifest never delete anything.
 */
import { leaseNamespace } from '../../akash/namespace.ts';
import type { Lease } from '../../api/lease.ts';
import { ensureFinalizer, hasFinalizer, removeFinalizer, type ReconcileResult, type Reconciler } from '../../runtime/index.ts';
import { LEASE_FINALIZER, type OperatorContext } from '../context.ts';
import { LeaseRef } from '../refs.ts';
import { deploy, runningServices } from './deploy.ts';
import type { LeaseInformers } from './informers.ts';
import { publishStatus } from './status.ts';
import { resolveTarget } from './target.ts';
import { releaseHostnames, releaseManifest, TEARDOWN_POLL_MS, teardownNamespace } from './teardown.ts';
import { closedView, closingView, heldView } from './views.ts';

/** Phase 1, deleted: tear down, then let the Lease go. */
async function finalizeDeleted(ctx: OperatorContext, inf: LeaseInformers, lease: Lease): Promise<ReconcileResult | void> {
  if (!hasFinalizer(lease, LEASE_FINALIZER)) return;
  if ((await teardownNamespace(ctx, lease)) === 'deleting') {
    await publishStatus(ctx, lease, closingView(lease, leaseNamespace(lease.spec.id), TEARDOWN_POLL_MS));
    return { requeueAfterMs: TEARDOWN_POLL_MS };
  }
  await releaseHostnames(ctx, inf, lease);
  await releaseManifest(ctx, inf, lease);
  await removeFinalizer(ctx.client, LeaseRef, lease, LEASE_FINALIZER);
}

/** Phase 1, closed on chain: tear down and report Closed; the Lease object stays. */
async function closeLease(ctx: OperatorContext, inf: LeaseInformers, lease: Lease): Promise<ReconcileResult> {
  // Closed for this generation already: nothing can have come back that we would remove.
  if (lease.status?.phase === 'Closed' && lease.status.observedGeneration === lease.metadata.generation) return { requeueAfterMs: ctx.resyncMs };
  const namespace = leaseNamespace(lease.spec.id);
  const state = await teardownNamespace(ctx, lease);
  if (state === 'deleting') {
    await publishStatus(ctx, lease, closingView(lease, namespace, TEARDOWN_POLL_MS));
    return { requeueAfterMs: TEARDOWN_POLL_MS };
  }
  await releaseHostnames(ctx, inf, lease);
  await releaseManifest(ctx, inf, lease);
  await publishStatus(ctx, lease, closedView(namespace, state === 'notOwned'));
  return { requeueAfterMs: ctx.resyncMs };
}

export function createLeaseReconciler(ctx: OperatorContext, inf: LeaseInformers): Reconciler {
  return async (key) => {
    const cached = inf.leases.getByKey(key);
    if (!cached) return;
    const lease = structuredClone(cached);
    if (lease.metadata.deletionTimestamp) return finalizeDeleted(ctx, inf, lease);
    if (lease.spec.state === 'closed') return closeLease(ctx, inf, lease);

    await ensureFinalizer(ctx.client, LeaseRef, lease, LEASE_FINALIZER);
    const target = resolveTarget(lease, inf.manifests, ctx.policy);
    const view = target.ok ? await deploy(ctx, inf, lease, target) : heldView(lease, target, runningServices(inf, lease));
    await publishStatus(ctx, lease, view);
    return { requeueAfterMs: view.requeueAfterMs ?? ctx.resyncMs };
  };
}
