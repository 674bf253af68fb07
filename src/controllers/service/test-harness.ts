/**
 * The service controller over the runtime's FakeApi, for tests (only *.test.ts import this): real informers,
 * a real KubeClient and EventRecorder, and `reconcile()` called by hand so each step is explicit.
 * `restart()` gives a fresh process (new caches listed from the same API state).
 */
import { Writable } from 'node:stream';
import { API_VERSION } from '../../api/common.ts';
import type { Service, ServiceSpec } from '../../api/service.ts';
import { FakeApi } from '../../runtime/fake-api.ts';
import { createLogger, EventRecorder, Informer, KubeClient, Manager, silentLogger, type KubeObject, type Logger, type ReconcileResult, type ResourceRef } from '../../runtime/index.ts';
import { leaseIdLabels, serviceLabels } from '../../workloads/labels.ts';
import { resolveProviderPolicy, type ProviderPolicyInput } from '../../workloads/policy.ts';
import { LEASE_ID, NS, service } from '../../workloads/test-fixtures.ts';
import type { OperatorContext } from '../context.ts';
import { LeaseRef, ServiceCrRef } from '../refs.ts';
import { serviceCaches, type ServiceCaches } from './caches.ts';
import { reconcileService } from './reconciler.ts';

export const OPERATOR_NS = 'akash-operator';
export const KEY = `${NS}/web`;
export const NOW = new Date('2026-05-06T07:08:09Z');
export { LEASE_ID, NS };

/** The example web Service CR with lease labels, `spec` changes applied. */
export function serviceCr(over: Partial<ServiceSpec> = {}, opts: { leaseLabels?: boolean; generation?: number } = {}): Service {
  const s = service(over);
  s.metadata.namespace = NS;
  s.metadata.generation = opts.generation ?? 1;
  s.metadata.labels = { ...serviceLabels(LEASE_ID, 'web'), ...(opts.leaseLabels === false ? {} : leaseIdLabels(LEASE_ID)) };
  s.apiVersion = API_VERSION;
  return s;
}

export interface Harness {
  api: FakeApi;
  ctx: OperatorContext;
  caches: ServiceCaches;
  /** Every log line written so far (JSON). */
  logs: string[];
  reconcile(key?: string): Promise<ReconcileResult>;
  /** Lets pending watch deliveries and event writes finish. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const running: Harness[] = [];

export async function startHarness(api: FakeApi, policy: ProviderPolicyInput = {}): Promise<Harness> {
  const logs: string[] = [];
  const log: Logger = createLogger({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const client = new KubeClient(api.transport, { fieldManager: 'akash-operator' });
  const mgr = new Manager({ client, log: silentLogger() });
  const recorder = new EventRecorder({ client, reportingController: 'provider.akash.network/akash-operator', reportingInstance: 'test', log });
  const ctx: OperatorContext = { client, mgr, recorder, log, policy: resolveProviderPolicy(policy), operatorNamespace: OPERATOR_NS, concurrency: 1, resyncMs: 600_000 };
  const caches = serviceCaches(ctx);
  const informers = Object.values(caches).filter((i): i is Informer<KubeObject> => i instanceof Informer);
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  await settle(); // the watches open after the lists
  const h: Harness = {
    api,
    ctx,
    caches,
    logs,
    settle,
    reconcile: async (key = KEY) => {
      const res = await reconcileService({ ...ctx, caches, now: () => NOW }, key, { log });
      await settle();
      return res;
    },
    stop: async () => {
      await recorder.close();
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
  running.push(h);
  return h;
}

export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((h) => h.stop()));
}

/** The Lease of LEASE_ID as the lease controller's caches hold it (it owns the hostname claims). */
export function leaseCr(): KubeObject {
  return { apiVersion: API_VERSION, kind: 'Lease', metadata: { name: NS }, spec: { id: LEASE_ID } } as KubeObject;
}

/** A fresh API server holding `cr` and its Lease. */
export function apiWith(cr: Service, ...more: [ResourceRef, KubeObject][]): FakeApi {
  const api = new FakeApi();
  api.put(LeaseRef, leaseCr());
  api.put(ServiceCrRef, cr);
  for (const [ref, obj] of more) api.put(ref, obj);
  return api;
}
