/**
 * The informers the service controller reads from. Children are watched cluster-wide with the
 * managed label `akash.network=true` (every child of ours carries it), so one watch per kind serves
 * all lease namespaces; credential Secrets are watched in the operator's namespace only.
 */
import { InformerIndex, type Informer, type InformerEvent, type KubeObject } from '../../runtime/index.ts';
import { LABEL_MANAGED } from '../../workloads/labels.ts';
import type { OperatorContext } from '../context.ts';
import { DeploymentRef, HostnameClaimRef, HTTPRouteRef, IngressRef, KubeServiceRef, LeaseRef, SecretRef, ServiceCrRef, StatefulSetRef } from '../refs.ts';
import { wantedHosts, type HostnameClaimObject } from './hostnames.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import type { DeploymentObject, HTTPRouteObject, IngressObject, KubeServiceObject, SecretObject, ServiceCr, StatefulSetObject } from './kinds.ts';

export const MANAGED_SELECTOR = `${LABEL_MANAGED}=true`;

export interface ServiceCaches {
  services: Informer<ServiceCr>;
  deployments: Informer<DeploymentObject>;
  statefulSets: Informer<StatefulSetObject>;
  kubeServices: Informer<KubeServiceObject>;
  ingresses: Informer<IngressObject>;
  /** Only in httproute mode: without the Gateway API CRDs the watch would fail forever. */
  httpRoutes: Informer<HTTPRouteObject> | undefined;
  /** Pull Secrets `docker-creds-<svc>` in lease namespaces. */
  pullSecrets: Informer<SecretObject>;
  /** Registry-credential Secrets in the operator's namespace. */
  credentialSecrets: Informer<SecretObject>;
  /** Who routes which hostname (cluster-scoped, named after the host). */
  hostnameClaims: Informer<HostnameClaimObject>;
  /** The claims by the lease namespace that holds them (a scan of every claim per reconcile grew with the cluster). */
  claimsByNamespace: InformerIndex<HostnameClaimObject>;
  /** The Leases, which own their hostname claims. */
  leases: Informer<KubeObject>;
}

export function serviceCaches(ctx: Pick<OperatorContext, 'mgr' | 'policy' | 'operatorNamespace'>): ServiceCaches {
  const managed = { labelSelector: MANAGED_SELECTOR };
  const hostnameClaims = ctx.mgr.informer<HostnameClaimObject>(HostnameClaimRef, managed);
  return {
    services: ctx.mgr.informer<ServiceCr>(ServiceCrRef),
    deployments: ctx.mgr.informer<DeploymentObject>(DeploymentRef, managed),
    statefulSets: ctx.mgr.informer<StatefulSetObject>(StatefulSetRef, managed),
    kubeServices: ctx.mgr.informer<KubeServiceObject>(KubeServiceRef, managed),
    ingresses: ctx.mgr.informer<IngressObject>(IngressRef, managed),
    httpRoutes: ctx.policy.ingress.mode === 'httproute' ? ctx.mgr.informer<HTTPRouteObject>(HTTPRouteRef, managed) : undefined,
    pullSecrets: ctx.mgr.informer<SecretObject>(SecretRef, managed),
    credentialSecrets: ctx.mgr.informer<SecretObject>(SecretRef, { namespace: ctx.operatorNamespace }),
    hostnameClaims,
    claimsByNamespace: new InformerIndex(hostnameClaims, (c) => c.spec?.namespace),
    leases: ctx.mgr.informer<KubeObject>(LeaseRef),
  };
}

/**
 * Keys of the Service CRs that route `claim`'s host: when a claim goes, the Services it kept
 * waiting claim the host. A cheap test first (the host is in an accept list, or has the shape of
 * the provider's static hosts), then the Service's own routes decide.
 */
export function servicesWantingHost(services: Pick<Informer<ServiceCr>, 'list'>, policy: ProviderPolicy, claim: KubeObject): string[] {
  const host = claim.metadata.name;
  if (!host) return [];
  const domain = policy.ingress.domain;
  const staticShape = domain !== undefined && host.endsWith(`.${domain}`);
  const keys: string[] = [];
  for (const s of services.list()) {
    if (!s.metadata.namespace || !s.metadata.name) continue;
    const accepts = (s.spec?.expose ?? []).some((e) => e.hosts?.includes(host));
    if ((accepts || staticShape) && wantedHosts([s], policy).has(host)) keys.push(`${s.metadata.namespace}/${s.metadata.name}`);
  }
  return keys;
}

/** Keys of the Service CRs whose credentialsSecretRef names `secret`. */
export function servicesUsingSecret(services: Pick<Informer<ServiceCr>, 'list'>, secret: KubeObject): string[] {
  const { name, namespace } = secret.metadata;
  const keys: string[] = [];
  for (const s of services.list()) {
    const ref = s.spec?.credentialsSecretRef;
    if (ref && ref.name === name && ref.namespace === namespace && s.metadata.namespace && s.metadata.name) keys.push(`${s.metadata.namespace}/${s.metadata.name}`);
  }
  return keys;
}

/**
 * Service CR events worth a reconcile: our own status writes are not (they change neither the
 * generation nor labels), a spec change, a label change (the lease labels) or a deletion are.
 */
export function serviceChanged(event: InformerEvent<KubeObject>): boolean {
  if (event.type !== 'update') return true;
  const a = event.old.metadata;
  const b = event.object.metadata;
  return a.generation !== b.generation || a.uid !== b.uid || a.deletionTimestamp !== b.deletionTimestamp || JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {});
}
