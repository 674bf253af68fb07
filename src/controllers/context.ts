/**
 * What every controller gets from the operator's wiring (src/operator.ts). Controllers register
 * themselves on the manager with `register<Kind>Controller(ctx)`; they talk to the API server only
 * through `ctx.client` and read current state only from informers (`ctx.mgr.informer(ref, sel)`),
 * so a restart with nothing changed reads caches and writes nothing.
 */
import type { EventRecorder, KubeClient, Logger, Manager } from '../runtime/index.ts';
import type { ProviderPolicy } from '../workloads/policy.ts';

export interface OperatorContext {
  client: KubeClient;
  mgr: Manager;
  recorder: EventRecorder;
  log: Logger;
  policy: ProviderPolicy;
  /** The operator's own namespace: where the registry-credential Secrets that Manifests reference live. */
  operatorNamespace: string;
  /** Reconcile workers per controller. */
  concurrency: number;
  /** Drift check interval: a key is reconciled again this long after a success, even without events. */
  resyncMs: number;
}

/** The finalizer that guards a Lease's teardown (namespace and everything in it). */
export const LEASE_FINALIZER = 'provider.akash.network/lease-teardown';
