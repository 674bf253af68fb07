/**
 * The tenant gateway: the Go provider's REST API (manifests in, lease status out) over HTTPS with
 * AEP-64 JWT authentication. `startGatewayFromConfig` wires it the way the operator process runs
 * it: Lease CRs as the lease truth, a ConfigMap as the account-key source until the chain layer
 * exists. `startGateway` takes any store and key source (tests, and the chain layer later).
 */
import type { Registry } from 'prom-client';
import { errorMessage, type KubeClient, type Logger, type Metrics, type Transport } from '../runtime/index.ts';
import type { ProviderPolicy } from '../workloads/policy.ts';
import { ConfigMapAccountKeys } from './auth/account-keys.ts';
import type { ClientCertificates } from './auth/authenticate.ts';
import type { GatewayConfig } from './config.ts';
import { KubeGatewayStore } from './kube-store.ts';
import { startGateway, type Gateway } from './server.ts';

export { GatewayConfig, gatewayConfigProblems } from './config.ts';
export { ConfigMapAccountKeys, StaticAccountKeys, type AccountKeys } from './auth/account-keys.ts';
export type { ClientCertificates, Identity } from './auth/authenticate.ts';
export type { Claims, Scope } from './auth/claims.ts';
export { KubeGatewayStore } from './kube-store.ts';
export { MemoryGatewayStore } from './memory-store.ts';
export { startGateway, type Gateway, type GatewayOptions } from './server.ts';
export type { GatewayStore } from './store.ts';

export interface GatewayDeps {
  client: KubeClient;
  /** For GET /version's `kube` field. */
  transport?: Transport;
  operatorNamespace: string;
  registry: Registry;
  /** The operator's runtime metrics (the store's informers report through them). */
  metrics?: Metrics;
  log: Logger;
  version: string;
  policy?: ProviderPolicy;
  clientCertificates?: ClientCertificates;
}

export interface RunningGateway extends Gateway {
  /** For /readyz: the Lease, Manifest and Service CR caches are synced. */
  ready(): boolean;
}

/** The gateway as configured (`cfg.addr` must be set), on the API server behind `deps.client`. */
export async function startGatewayFromConfig(cfg: GatewayConfig, deps: GatewayDeps): Promise<RunningGateway> {
  const i = cfg.addr.lastIndexOf(':');
  const host = cfg.addr.slice(0, i) || '0.0.0.0';
  const port = Number(cfg.addr.slice(i + 1));
  const store = new KubeGatewayStore({ client: deps.client, log: deps.log, ...(deps.transport ? { transport: deps.transport } : {}), ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  store.start();
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      host,
      port,
      certFile: cfg.certFile,
      keyFile: cfg.keyFile,
      providerAddress: cfg.providerAddress,
      operatorNamespace: deps.operatorNamespace,
      store,
      accountKeys: new ConfigMapAccountKeys({ client: deps.client, namespace: deps.operatorNamespace, name: cfg.accountKeysConfigMap, log: deps.log }),
      registry: deps.registry,
      log: deps.log,
      version: deps.version,
      bodyLimitBytes: cfg.bodyLimitBytes,
      ratePerSecond: cfg.ratePerSecond,
      burst: cfg.burst,
      requestTimeoutMs: cfg.requestTimeoutSeconds * 1000,
      clockSkewSeconds: cfg.clockSkewSeconds,
      ...(deps.policy ? { policy: deps.policy } : {}),
      ...(deps.clientCertificates ? { clientCertificates: deps.clientCertificates } : {}),
    });
  } catch (e) {
    await store.stop().catch((err: unknown) => deps.log.warn({ err: errorMessage(err) }, 'gateway store did not stop cleanly'));
    throw e;
  }
  return {
    ...gateway,
    ready: () => store.ready(),
    close: async () => {
      await gateway.close();
      await store.stop();
    },
  };
}
