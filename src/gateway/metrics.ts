/**
 * The gateway's Prometheus metrics, registered on the registry it is given (the operator's, so one
 * /metrics shows everything). Labels are bounded: route names from the route table (or
 * `unmatched`), HTTP status codes, and the fixed auth results of auth/. A second gateway on the
 * same registry (a restart in-process, tests) shares the metrics instead of failing to register.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface GatewayMetrics {
  requests: Counter<'route' | 'method' | 'code'>;
  duration: Histogram<'route'>;
  /** Authentication and authorization: `ok` (identity and scope check passed), or the 401/403 code (`not_owner` when the lease is someone else's). */
  auth: Counter<'result'>;
  manifests: Counter<'result'>;
  /** Tenant RBAC decisions (docs/adr/0005): action and result (owner, granted, denied). */
  tenantAuthz: Counter<'action' | 'result'>;
}

export function gatewayMetrics(registry: Registry, prefix = 'akash_operator_gateway'): GatewayMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    (registry.getSingleMetric(`${prefix}_${name}`) as Counter<L> | undefined) ?? new Counter({ name: `${prefix}_${name}`, help, labelNames, registers: [registry] });
  const durationName = `${prefix}_request_duration_seconds`;
  return {
    requests: counter('requests_total', 'Tenant API requests by route, method and HTTP status code.', ['route', 'method', 'code']),
    duration:
      (registry.getSingleMetric(durationName) as Histogram<'route'> | undefined) ??
      new Histogram({
        name: durationName,
        help: 'Tenant API request handling time by route.',
        labelNames: ['route'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    auth: counter('auth_total', 'Authentication and authorization decisions by result (ok, or the error code).', ['result']),
    manifests: counter('manifests_total', 'Manifest submissions by result (accepted, or the error code).', ['result']),
    tenantAuthz: counter('tenant_authz_decisions_total', 'Tenant RBAC decisions by action and result (owner, granted, denied).', ['action', 'result']),
  };
}
