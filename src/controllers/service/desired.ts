/**
 * The children a Service CR should have, in apply order: pull Secret, workload, Services, then
 * Ingresses or HTTPRoutes (a route to a Service that does not exist yet would only 503). Every
 * child gets the controller ownerReference to the Service CR, so garbage collection removes it
 * with the CR and the `owns` watches map it back.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { LeaseId } from '../../api/lease.ts';
import type { SchemaIssue } from '../../api/validate.ts';
import { controllerReference, type KubeObject, type ResourceRef } from '../../runtime/index.ts';
import { buildServiceChildren, type ServiceChildren } from '../../workloads/children.ts';
import { WorkloadSpecError } from '../../workloads/errors.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import { DeploymentRef, HTTPRouteRef, IngressRef, KubeServiceRef, SecretRef, ServiceCrRef, StatefulSetRef } from '../refs.ts';
import type { DesiredChild, ServiceCr } from './kinds.ts';

export type BuildResult = { ok: true; children: ServiceChildren } | { ok: false; issues: SchemaIssue[] };

/** Builds every child at once; a spec the builders refuse yields all its issues and no object. */
export function buildChildren(service: ServiceCr, leaseId: LeaseId, policy: ProviderPolicy, tlsSecrets: Readonly<Record<string, string>> = {}): BuildResult {
  // The builders read the spec only, but they get a copy: cached objects are shared.
  const input = { service: structuredClone({ metadata: { ...service.metadata, name: service.metadata.name ?? '' }, spec: service.spec }), leaseId, policy, tlsSecrets };
  try {
    return { ok: true, children: buildServiceChildren(input) };
  } catch (err) {
    if (err instanceof WorkloadSpecError) return { ok: false, issues: err.issues };
    throw err;
  }
}

/** The workload's resource and the one it must not coexist with (Deployment ↔ StatefulSet). */
export function workloadRefs(children: ServiceChildren): { ref: ResourceRef; other: ResourceRef } {
  return children.workload.kind === 'StatefulSet' ? { ref: StatefulSetRef, other: DeploymentRef } : { ref: DeploymentRef, other: StatefulSetRef };
}

/** All children in apply order, each owned by `owner`. */
export function desiredChildren(owner: ServiceCr, children: ServiceChildren, pullSecret: V1Secret | undefined): DesiredChild[] {
  const out: DesiredChild[] = [];
  const add = (ref: ResourceRef, obj: object) => out.push({ ref, object: owned(owner, obj as KubeObject) });
  if (pullSecret) add(SecretRef, pullSecret);
  add(workloadRefs(children).ref, children.workload);
  for (const s of children.services) add(KubeServiceRef, s);
  for (const i of children.ingresses) add(IngressRef, i);
  for (const r of children.httpRoutes) add(HTTPRouteRef, r);
  return out;
}

function owned(owner: ServiceCr, obj: KubeObject): KubeObject {
  const { name, namespace } = obj.metadata;
  if (!name || namespace !== owner.metadata.namespace) {
    // The builders derive the namespace from the lease id; an owner in another namespace cannot own it.
    throw new Error(`child ${obj.kind ?? '?'} ${namespace ?? ''}/${name ?? ''} is not in the Service's namespace ${owner.metadata.namespace ?? ''}`);
  }
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [controllerReference(owner, ServiceCrRef)] } };
}
