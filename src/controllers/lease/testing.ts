/**
 * Test wiring for the Lease and Manifest controllers on the runtime's FakeApi: an OperatorContext, the
 * informers started and watching, and a way to run one reconcile by hand (no workers, so a test
 * decides exactly when each reconcile happens). Not shipped code: only tests import it.
 */
import { EXAMPLE_HASH, EXAMPLE_LEASE_ID, exampleManifestService } from '../../api/examples.ts';
import { API_VERSION } from '../../api/common.ts';
import type { Lease } from '../../api/lease.ts';
import type { Manifest } from '../../api/manifest.ts';
import { leaseNamespace } from '../../akash/namespace.ts';
import type { ManifestService } from '../../api/wire.ts';
import { EventRecorder, KubeClient, Manager, silentLogger, type Informer, type KubeObject, type ReconcileResult, type Reconciler } from '../../runtime/index.ts';
import { FakeApi } from '../../runtime/fake-api.ts';
import { resolveProviderPolicy } from '../../workloads/policy.ts';
import type { OperatorContext } from '../context.ts';
import { setupManifestController } from '../manifest/index.ts';
import { setupLeaseController, type LeaseController } from './index.ts';

export const LEASE_ID = EXAMPLE_LEASE_ID;
export const NS = leaseNamespace(LEASE_ID);
export const HASH = EXAMPLE_HASH;
export const HASH2 = 'b'.repeat(64);
export const RESYNC_MS = 600_000;

export function lease(over: Partial<Lease['spec']> = {}): Lease {
  return {
    apiVersion: API_VERSION,
    kind: 'Lease',
    metadata: { name: NS },
    spec: { id: { ...LEASE_ID }, price: { denom: 'uact', amount: '1.0' }, deploymentHash: HASH, state: 'active', source: 'manual', ...over },
  };
}

export function service(name: string, over: Partial<ManifestService> = {}): ManifestService {
  const s = exampleManifestService();
  return { ...s, name, expose: s.expose.map((e) => ({ ...e, hosts: [`${name}.example.com`] })), ...over };
}

export function manifest(services: ManifestService[] = [service('web')], hash = HASH): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: 'Manifest',
    metadata: { name: `${LEASE_ID.owner}-${LEASE_ID.dseq}` },
    spec: { owner: LEASE_ID.owner, dseq: LEASE_ID.dseq, hash, groups: [{ name: 'westcoast', services }] },
  };
}

export interface Harness {
  cluster: FakeApi;
  ctx: OperatorContext;
  lease: LeaseController;
  reconcileLease(key?: string): Promise<ReconcileResult | void>;
  reconcileManifest(key?: string): Promise<ReconcileResult | void>;
  /** Writes (non-GET requests) since the last call, as `METHOD path`; events excluded unless asked. */
  takeWrites(opts?: { events?: boolean }): string[];
  stop(): Promise<void>;
}

function reconcileContext(key: string) {
  const slash = key.indexOf('/');
  return { key, namespace: slash < 0 ? undefined : key.slice(0, slash), name: slash < 0 ? key : key.slice(slash + 1), signal: new AbortController().signal, log: silentLogger(), retries: 0 };
}

async function settle(cluster: FakeApi, informers: Informer<KubeObject>[]): Promise<void> {
  for (const inf of informers) inf.start();
  await Promise.all(informers.map((inf) => inf.waitForSync()));
  // The watch starts just after the list; wait until every informer has one open.
  for (let i = 0; i < 100 && cluster.transport.watches.filter((w) => !w.isEnded).length < informers.length; i++) await new Promise((r) => setImmediate(r));
}

/** Both controllers on `cluster` (a new one unless given: stop the old harness and pass its cluster to simulate a restart). */
export async function harness(cluster = new FakeApi()): Promise<Harness> {
  const client = new KubeClient(cluster.transport, { fieldManager: 'akash-operator' });
  const mgr = new Manager({ client });
  const recorder = new EventRecorder({ client, reportingController: 'akash-operator', reportingInstance: 'test' });
  const ctx: OperatorContext = { client, mgr, recorder, log: silentLogger(), policy: resolveProviderPolicy(), operatorNamespace: 'akash-operator', concurrency: 1, resyncMs: RESYNC_MS };
  const manifestCtl = setupManifestController(ctx);
  const leaseCtl = setupLeaseController(ctx);
  const informers = [...new Set<Informer<KubeObject>>([manifestCtl.manifests, ...Object.values(leaseCtl.informers)] as Informer<KubeObject>[])];
  await settle(cluster, informers);
  let seen = cluster.mark;
  const run = (r: Reconciler, key: string) => r(key, reconcileContext(key));
  return {
    cluster,
    ctx,
    lease: leaseCtl,
    reconcileLease: (key = NS) => run(leaseCtl.reconcile, key),
    reconcileManifest: (key = manifest().metadata.name) => run(manifestCtl.reconcile, key),
    takeWrites(opts = {}) {
      const fresh = cluster.writes(seen);
      seen = cluster.mark;
      return fresh.filter((r) => opts.events || !r.path.includes('/events')).map((r) => `${r.method} ${r.path}`);
    },
    async stop() {
      await mgr.stop();
      await recorder.close();
    },
  };
}
