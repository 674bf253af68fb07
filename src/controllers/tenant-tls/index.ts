/**
 * The tenant-TLS controller: tenants' own key pairs for their hostnames, validated and attached to
 * their Ingresses (docs/adr/0004-spiffe-identity.md, "Tenant TLS"). See reconciler.ts.
 */
import { Gauge } from 'prom-client';
import type { KubeObject } from '../../runtime/index.ts';
import { LABEL_TENANT_TLS } from '../../workloads/tenant-tls.ts';
import type { OperatorContext } from '../context.ts';
import { SecretRef, ServiceCrRef } from '../refs.ts';
import { MANAGED_SELECTOR } from '../service/caches.ts';
import type { SecretObject, ServiceCr } from '../service/kinds.ts';
import { reconcileTenantTls, sourceOfCopy, tenantSecretsOfNamespace } from './reconciler.ts';

export const TENANT_TLS_CONTROLLER = 'tenant-tls';

export function registerTenantTlsController(ctx: OperatorContext): void {
  const tenantSecrets = ctx.mgr.informer<SecretObject>(SecretRef, { labelSelector: `${LABEL_TENANT_TLS}=true` });
  const services = ctx.mgr.informer<ServiceCr>(ServiceCrRef);
  const managedSecrets = ctx.mgr.informer<SecretObject>(SecretRef, { labelSelector: MANAGED_SELECTOR });
  const registry = ctx.mgr.metrics?.registry;
  const expiry = new Gauge({
    name: `${ctx.mgr.metrics?.prefix ?? 'akash_operator'}_tenant_tls_not_after_seconds`,
    help: 'Expiry (Unix seconds) of the tenant key pair serving each hostname',
    labelNames: ['namespace', 'hostname'] as const,
    registers: registry ? [registry] : [],
  });
  const deps = { client: ctx.client, recorder: ctx.recorder, tenantSecrets, services, managedSecrets, expiry, resyncMs: ctx.resyncMs };
  ctx.mgr.controller({
    name: TENANT_TLS_CONTROLLER,
    for: tenantSecrets,
    watches: [
      { informer: services, map: (s: KubeObject) => tenantSecretsOfNamespace(tenantSecrets, s.metadata.namespace) },
      { informer: managedSecrets, map: sourceOfCopy },
    ],
    concurrency: ctx.concurrency,
    reconcile: (key, rctx) => reconcileTenantTls(deps, key, rctx.log),
  });
}
