/**
 * How HTTP services are reached: one Ingress (or Gateway API HTTPRoute) per accepted hostname,
 * named after the hostname, routing `/` to the ClusterIP Service's port 80 (as the Go hostname
 * operator does). Hostname ownership across leases is the controller's check, not the builder's.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import { staticIngressHost } from '../akash/namespace.ts';
import { ingressNginxAnnotations, nginxGatewayAnnotations } from './http-options.ts';
import { leaseIdLabels, serviceLabels } from './labels.ts';
import { planService, type ExposePlan, type ServiceInput, type ServicePlan } from './plan.ts';

/** gateway.networking.k8s.io/v1 HTTPRoute, the fields we set (client-node has no Gateway API types). */
export interface HTTPRoute {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'HTTPRoute';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    parentRefs: { group: 'gateway.networking.k8s.io'; kind: 'Gateway'; namespace: string; name: string }[];
    hostnames: string[];
    rules: { matches: { path: { type: 'PathPrefix'; value: string } }[]; backendRefs: { name: string; port: number }[] }[];
  };
}

export interface HostRoute {
  host: string;
  expose: ExposePlan;
}

/**
 * Each accepted hostname with the HTTP expose it routes to (the first one listing it), plus the
 * Go provider's static host `<uuid>.<domain>` on the first HTTP expose when the provider has a domain.
 */
export function hostRoutes(plan: ServicePlan): HostRoute[] {
  const http = plan.exposes.filter((e) => e.http);
  const routes = new Map<string, HostRoute>();
  const domain = plan.policy.ingress.domain;
  const first = http[0];
  if (domain !== undefined && first) {
    const host = staticIngressHost(plan.leaseId, plan.name, domain);
    routes.set(host, { host, expose: first });
  }
  for (const e of http) for (const host of e.hosts) if (!routes.has(host)) routes.set(host, { host, expose: e });
  return [...routes.values()];
}

/** The hostnames a service is reachable at (for Service and Lease status). */
export function serviceUris(input: ServiceInput): string[] {
  return hostRoutes(planService(input)).map((r) => r.host);
}

function routeLabels(plan: ServicePlan): Record<string, string> {
  return { ...serviceLabels(plan.leaseId, plan.name), ...leaseIdLabels(plan.leaseId) };
}

export function buildIngresses(input: ServiceInput): V1Ingress[] {
  return ingressesFromPlan(planService(input));
}

export function ingressesFromPlan(plan: ServicePlan): V1Ingress[] {
  return hostRoutes(plan).map(({ host, expose }) => ingress(plan, host, expose));
}

function ingress(plan: ServicePlan, host: string, expose: ExposePlan): V1Ingress {
  const tlsSecret = Object.hasOwn(plan.tlsSecrets, host) ? plan.tlsSecrets[host] : undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: host, namespace: plan.namespace, labels: routeLabels(plan), annotations: ingressNginxAnnotations(expose.httpOptions) },
    spec: {
      ingressClassName: plan.policy.ingress.className,
      rules: [
        {
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: plan.name, port: { number: expose.externalPort } } } }] },
        },
      ],
      ...(tlsSecret ? { tls: [{ hosts: [host], secretName: tlsSecret }] } : {}),
    },
  };
}

export function buildHTTPRoutes(input: ServiceInput): HTTPRoute[] {
  return httpRoutesFromPlan(planService(input));
}

export function httpRoutesFromPlan(plan: ServicePlan): HTTPRoute[] {
  const gw = plan.policy.ingress.gateway;
  return hostRoutes(plan).map(({ host, expose }) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: host, namespace: plan.namespace, labels: routeLabels(plan), annotations: nginxGatewayAnnotations(expose.httpOptions) },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gw.namespace, name: gw.name }],
      hostnames: [host],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: plan.name, port: expose.externalPort }] }],
    },
  }));
}
