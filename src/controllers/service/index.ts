/**
 * The service controller: each `Service` CR (one manifest service of a lease) becomes its
 * Deployment or StatefulSet, Services, Ingresses or HTTPRoutes and pull Secret, and its status
 * reports replicas, URIs and conditions. See reconciler.ts for the phases.
 */
import type { KubeObject } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { serviceCaches, serviceChanged, servicesUsingSecret, servicesWantingHost } from './caches.ts';
import { serviceReconciler } from './reconciler.ts';
import { childCaches } from './stale.ts';
import { serviceOfTlsSecret } from './tls.ts';

export { serviceCaches, type ServiceCaches } from './caches.ts';
export { reconcileService, serviceReconciler, type ServiceReconcilerDeps } from './reconciler.ts';

export const SERVICE_CONTROLLER = 'service';

export function registerServiceController(ctx: OperatorContext): void {
  const caches = serviceCaches(ctx);
  ctx.mgr.controller({
    name: SERVICE_CONTROLLER,
    for: caches.services,
    forFilter: serviceChanged,
    // Each child maps to the Service CR named by its controller ownerReference.
    owns: childCaches(caches).map(([, informer]) => ({ informer })),
    watches: [
      { informer: caches.credentialSecrets, map: (secret: KubeObject) => servicesUsingSecret(caches.services, secret) },
      { informer: caches.pullSecrets, map: serviceOfTlsSecret },
      // A released host goes to the Services that waited for it; a new claim concerns only its maker.
      { informer: caches.hostnameClaims, filter: (e) => e.type === 'delete', map: (claim: KubeObject) => servicesWantingHost(caches.services, ctx.policy, claim) },
    ],
    concurrency: ctx.concurrency,
    reconcile: serviceReconciler({ ...ctx, caches }),
  });
}
