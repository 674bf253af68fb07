/**
 * Every object a Service needs, built together from one checked plan: if anything is wrong, the
 * error comes before any object exists, so the controller applies all of them or none.
 */
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { selectorString, serviceSelector } from './labels.ts';
import { planService, type ServiceInput, type ServicePlan } from './plan.ts';
import { hostRoutes, httpRoutesFromPlan, ingressesFromPlan, type HTTPRoute } from './routes.ts';
import { servicesFromPlan } from './cluster-services.ts';
import { workloadFromPlan, type Workload } from './workload.ts';

export interface ServiceChildren {
  plan: ServicePlan;
  workload: Workload;
  services: V1Service[];
  /** Filled in `ingress` mode. */
  ingresses: V1Ingress[];
  /** Filled in `httproute` mode. */
  httpRoutes: HTTPRoute[];
  /** Hostnames the service is reachable at (status.uris). */
  uris: string[];
  /** The pod selector as text (status.selector, read by the scale subresource). */
  selector: string;
}

export function buildServiceChildren(input: ServiceInput): ServiceChildren {
  const plan = planService(input);
  const httproute = plan.policy.ingress.mode === 'httproute';
  return {
    plan,
    workload: workloadFromPlan(plan),
    services: servicesFromPlan(plan),
    ingresses: httproute ? [] : ingressesFromPlan(plan),
    httpRoutes: httproute ? httpRoutesFromPlan(plan) : [],
    uris: hostRoutes(plan).map((r) => r.host),
    selector: selectorString(serviceSelector(plan.leaseId, plan.name)),
  };
}
