/**
 * Children a Service CR controls that it no longer wants: the other workload kind after a
 * Deployment ↔ StatefulSet switch, an Ingress of a dropped hostname, `<svc>-np` once no port needs
 * it, the pull Secret after credentials were removed. Only objects whose controller ownerReference
 * carries this CR's uid are candidates: nothing another owner (or a previous incarnation of the CR,
 * which garbage collection handles) controls is ever deleted here.
 */
import type { Informer, KubeObject, ResourceRef } from '../../runtime/index.ts';
import { LABEL_MANIFEST_SERVICE } from '../../workloads/labels.ts';
import { DeploymentRef, HTTPRouteRef, IngressRef, KubeServiceRef, SecretRef, ServiceCrRef, StatefulSetRef } from '../refs.ts';
import type { ServiceCaches } from './caches.ts';
import type { DesiredChild, ServiceCr } from './kinds.ts';

export interface LiveChild {
  ref: ResourceRef;
  object: KubeObject;
}

/** True when `owner` is the controller of `obj`. */
export function controlledBy(obj: KubeObject, owner: ServiceCr): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.kind === ServiceCrRef.kind && r.apiVersion === ServiceCrRef.apiVersion && r.uid === owner.metadata.uid);
}

/** The cache of each child kind this controller watches. */
export function childCaches(caches: ServiceCaches): [ResourceRef, Informer<KubeObject>][] {
  const out: [ResourceRef, Informer<KubeObject>][] = [
    [SecretRef, caches.pullSecrets],
    [DeploymentRef, caches.deployments],
    [StatefulSetRef, caches.statefulSets],
    [KubeServiceRef, caches.kubeServices],
    [IngressRef, caches.ingresses],
  ];
  // HTTPRouteObject has required fields KubeObject lacks; the cache is only read as KubeObject here.
  if (caches.httpRoutes) out.push([HTTPRouteRef, caches.httpRoutes as unknown as Informer<KubeObject>]);
  return out;
}

/** Every cached child `owner` controls. */
export function liveChildren(owner: ServiceCr, caches: ServiceCaches): LiveChild[] {
  const filter = { namespace: owner.metadata.namespace, labels: { [LABEL_MANIFEST_SERVICE]: owner.metadata.name ?? '' } };
  const out: LiveChild[] = [];
  for (const [ref, informer] of childCaches(caches)) {
    // The label narrows the scan; the ownerReference decides (a label can be edited by anyone).
    for (const object of informer.list(filter)) if (controlledBy(object, owner)) out.push({ ref, object });
  }
  return out;
}

function childId(ref: ResourceRef, obj: KubeObject): string {
  return `${ref.apiVersion}/${ref.plural}/${obj.metadata.name ?? ''}`;
}

/**
 * Live children that are not desired. Stale workloads are apart: the old kind is deleted before
 * the new one is applied, because both select the same pods and the lease quota has room for one.
 */
export function staleChildren(live: LiveChild[], desired: DesiredChild[]): { workloads: LiveChild[]; others: LiveChild[] } {
  const wanted = new Set(desired.map((d) => childId(d.ref, d.object)));
  const stale = live.filter((c) => !wanted.has(childId(c.ref, c.object)));
  const isWorkload = (c: LiveChild) => c.ref === DeploymentRef || c.ref === StatefulSetRef;
  return { workloads: stale.filter(isWorkload), others: stale.filter((c) => !isWorkload(c)) };
}
