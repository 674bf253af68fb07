/**
 * The Kubernetes Services of a service (`provider:cluster/kube/builder/service.go`): ClusterIP
 * `<svc>` for internal ports and the HTTP port the ingress routes to, NodePort `<svc>-np` for
 * global non-HTTP ports. Port names are `<expose index>-<external port>` as in the Go provider.
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { serviceLabels, serviceSelector } from './labels.ts';
import { nodePortServiceName } from './names.ts';
import { planService, type ExposePlan, type ServiceInput, type ServicePlan } from './plan.ts';

export function buildServices(input: ServiceInput): V1Service[] {
  return servicesFromPlan(planService(input));
}

export function servicesFromPlan(plan: ServicePlan): V1Service[] {
  const out: V1Service[] = [];
  const clusterIp = ports(plan.exposes.filter((e) => !e.global || e.http));
  if (clusterIp.length > 0) out.push(service(plan, plan.name, 'ClusterIP', clusterIp));
  const nodePort = ports(plan.exposes.filter((e) => e.global && !e.http));
  if (nodePort.length > 0) out.push(service(plan, nodePortServiceName(plan.name), 'NodePort', nodePort));
  return out;
}

/**
 * One Service port per (external port, protocol); the first expose wins. (The Go provider keys on
 * the port alone and so drops a UDP port that shares its number with a TCP one.) NodePort numbers
 * are left to the API server: server-side apply keeps the allocated value because we never own it.
 */
function ports(exposes: ExposePlan[]): V1ServicePort[] {
  const seen = new Set<string>();
  const out: V1ServicePort[] = [];
  for (const e of exposes) {
    const key = `${e.externalPort}/${e.proto}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: `${e.index}-${e.externalPort}`, port: e.externalPort, targetPort: e.port, protocol: e.proto });
  }
  return out;
}

function service(plan: ServicePlan, name: string, type: 'ClusterIP' | 'NodePort', servicePorts: V1ServicePort[]): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: plan.namespace, labels: serviceLabels(plan.leaseId, plan.name) },
    spec: { type, selector: serviceSelector(plan.leaseId, plan.name), ports: servicePorts },
  };
}
