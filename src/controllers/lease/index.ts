/**
 * The Lease controller: a Lease + its Manifest → the lease namespace, quota, limits, network
 * policies and one Service CR per manifest service; status flows back up from the Service CRs.
 */
import type { Lease } from '../../api/lease.ts';
import { generationChanged, type Controller, type Reconciler } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { leaseInformers, leaseOfChild, leasesOfManifest, manifestChanged, type LeaseInformers } from './informers.ts';
import { createLeaseReconciler } from './reconciler.ts';

export { ANNOTATION_MANIFEST_VERSION } from './children.ts';

export interface LeaseController {
  controller: Controller<Lease>;
  informers: LeaseInformers;
  reconcile: Reconciler;
}

/** Registers the controller and returns its parts (tests call `reconcile` directly). */
export function setupLeaseController(ctx: OperatorContext): LeaseController {
  const informers = leaseInformers(ctx.mgr);
  const reconcile = createLeaseReconciler(ctx, informers);
  const controller = ctx.mgr.controller<Lease>({
    name: 'lease',
    for: informers.leases,
    // Our status writes and finalizer patches change neither generation nor deletionTimestamp.
    forFilter: generationChanged,
    owns: [{ informer: informers.services }],
    watches: [
      { informer: informers.manifests, map: (m) => leasesOfManifest(informers.leases, m), filter: manifestChanged },
      { informer: informers.namespaces, map: leaseOfChild },
      { informer: informers.quotas, map: leaseOfChild },
      { informer: informers.limitRanges, map: leaseOfChild },
      { informer: informers.networkPolicies, map: leaseOfChild },
    ],
    concurrency: ctx.concurrency,
    reconcile,
  });
  return { controller, informers, reconcile };
}

export function registerLeaseController(ctx: OperatorContext): void {
  setupLeaseController(ctx);
}
