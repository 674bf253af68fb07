/**
 * The operator process: one KubeClient, one Manager with the Manifest, Lease and Service
 * controllers, an ops server (/metrics, /healthz, /readyz) and an orderly shutdown. With leader
 * election on (the default), every replica serves the ops server but only the leader runs the
 * manager; a replica that loses the lease stops reconciling at once and reports `fatal`.
 */
import os from 'node:os';
import type { LoadedConfig } from './config/load.ts';
import { ConfigError, splitAddr } from './config/load.ts';
import type { OperatorContext } from './controllers/context.ts';
import { CrdGate } from './controllers/crd-gate.ts';
import { registerIdentityControllers } from './controllers/identity/index.ts';
import { registerLeaseController } from './controllers/lease/index.ts';
import { registerManifestController } from './controllers/manifest/index.ts';
import { registerServiceController } from './controllers/service/index.ts';
import { BUNDLE_JWKS_KEY } from './controllers/identity/ca.ts';
import { ConfigMapRef } from './controllers/refs.ts';
import { registerTenantTlsController } from './controllers/tenant-tls/index.ts';
import { startGatewayFromConfig } from './gateway/index.ts';
import { startBundleEndpoint, type BundleEndpoint } from './identity/bundle-endpoint.ts';
import {
  EventRecorder,
  KubeClient,
  LeaderElector,
  Manager,
  Metrics,
  createLogger,
  errorMessage,
  kubeConfigTransport,
  leaderIdentity,
  startOpsServer,
  type Check,
  type KubeObject,
  type Logger,
  type OpsServer,
} from './runtime/index.ts';
import { operatorVersion } from './version.ts';
import { inClusterAccess, loadKubeconfigFile, type ClusterAccess } from './runtime/kubeconfig.ts';

export interface RunningOperator {
  ops: OpsServer;
  manager: Manager;
  metrics: Metrics;
  log: Logger;
  /** Undefined when leader election is off. */
  elector: LeaderElector | undefined;
  /**
   * Resolves when this replica must exit non-zero: it lost leadership (its controllers are already
   * stopping) or they could not start. Never resolves otherwise.
   */
  fatal: Promise<Error>;
  /**
   * Stops controllers (draining in-flight reconciles while still renewing the lease), releases the
   * lease so a standby takes over at its next attempt, then events and the ops server. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** The API credentials: a kubeconfig file, or the pod's service account. Faults are ConfigErrors. */
export function loadKubeConfig(path: string): ClusterAccess {
  if (path) {
    try {
      return loadKubeconfigFile(path);
    } catch (e) {
      throw new ConfigError(`kubeconfig ${(e as Error).message}`);
    }
  }
  if (!process.env.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError('no --kubeconfig given and not running in a pod (KUBERNETES_SERVICE_HOST is unset): pass --kubeconfig FILE');
  }
  try {
    return inClusterAccess();
  } catch (e) {
    throw new ConfigError(`in-cluster credentials: ${(e as Error).message}`);
  }
}

export async function startOperator(cfg: LoadedConfig, opts: { log?: Logger } = {}): Promise<RunningOperator> {
  const log = opts.log ?? createLogger({ level: cfg.logLevel });
  const metrics = new Metrics({ collectDefaults: true });
  const kc = loadKubeConfig(cfg.kubeconfig);
  const client = new KubeClient(kubeConfigTransport(kc), { fieldManager: cfg.fieldManager, metrics });
  const manager = new Manager({ client, metrics, log });
  const recorder = new EventRecorder({
    client,
    reportingController: 'provider.akash.network/akash-operator',
    reportingInstance: process.env.POD_NAME ?? os.hostname(),
    metrics,
    log,
  });
  const ctx: OperatorContext = {
    client,
    mgr: manager,
    recorder,
    log,
    policy: cfg.resolvedPolicy,
    operatorNamespace: cfg.namespace,
    concurrency: cfg.concurrency,
    resyncMs: cfg.resyncSeconds * 1000,
  };
  registerManifestController(ctx);
  registerLeaseController(ctx);
  registerServiceController(ctx);
  registerTenantTlsController(ctx);
  registerIdentityControllers(ctx, cfg.identity);

  const le = cfg.leaderElection;
  const elector = le.enabled
    ? new LeaderElector({
        // A client of its own, without the write counter: renewals are heartbeats, not reconcile
        // writes (docs/adr/0003), and a busy reconcile client cannot starve them.
        client: new KubeClient(kubeConfigTransport(kc, { requestTimeoutMs: le.renewDeadlineSeconds * 1000 }), { fieldManager: cfg.fieldManager }),
        name: le.leaseName,
        namespace: le.namespace || cfg.namespace,
        identity: leaderIdentity(process.env.POD_NAME || os.hostname()),
        leaseDurationMs: le.leaseDurationSeconds * 1000,
        renewDeadlineMs: le.renewDeadlineSeconds * 1000,
        retryPeriodMs: le.retryPeriodSeconds * 1000,
        metrics,
        log,
      })
    : undefined;

  // A standby is ready (it serves metrics and can take over); the leader once its caches synced.
  // Every replica serves the tenant gateway (like the ops server): tenants never wait for a failover.
  const gateway = cfg.gateway.addr
    ? await startGatewayFromConfig(cfg.gateway, {
        client,
        transport: kubeConfigTransport(kc),
        operatorNamespace: cfg.namespace,
        registry: metrics.registry,
        metrics,
        log,
        version: operatorVersion(),
        policy: cfg.resolvedPolicy,
      }).catch((e: unknown) => {
        throw new ConfigError(errorMessage(e));
      })
    : undefined;
  // Neither leads nor reconciles until the cluster's CRDs are this version's (controllers/crd-gate.ts).
  const gate = new CrdGate({ client, log, registry: metrics.registry, prefix: metrics.prefix });
  const readiness: Record<string, Check> = elector
    ? { crds: () => gate.ready(), 'leader-election': () => elector.ready(), informers: () => !elector.isLeader || manager.ready() }
    : { crds: () => gate.ready(), informers: () => manager.ready() };
  if (gateway) readiness.gateway = () => gateway.ready();
  const { host, port } = splitAddr(cfg.metricsAddr);
  const ops = await startOpsServer({ metrics, host, port, log, readiness });
  const bundleEndpoint = cfg.identity.enabled && cfg.identity.bundleEndpoint.addr ? await startBundleEndpointFor(cfg, client, log) : undefined;
  log.info({ metrics: ops.url, namespace: cfg.namespace, leaderElection: elector ? `${elector.namespace}/${elector.name} as ${elector.identity}` : 'off' }, 'operator starting');

  let fail!: (err: Error) => void;
  const fatal = new Promise<Error>((resolve) => (fail = resolve));
  const gateAbort = new AbortController();
  const startControllers = () => {
    if (gateAbort.signal.aborted) return;
    if (elector) {
      elector.start({
        onStartedLeading: (signal) => {
          manager.start(signal).catch((err: unknown) => {
            if (!signal.aborted) fail(new Error(`controllers failed to start: ${errorMessage(err)}`, { cause: err }));
          });
        },
        onStoppedLeading: (reason) => fail(reason),
      });
    } else {
      manager.start().catch((err: unknown) => fail(new Error(`controllers failed to start: ${errorMessage(err)}`, { cause: err })));
    }
  };
  // Rejects only when stopped while waiting.
  void gate.wait(gateAbort.signal).then(startControllers, () => undefined);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      gateAbort.abort();
      if (elector) await elector.stop({ beforeRelease: () => manager.stop() });
      await manager.stop();
      await recorder.close();
      await bundleEndpoint?.close();
      await gateway?.close();
      await ops.close();
      log.info('operator stopped');
    })());
  return { ops, manager, metrics, log, elector, fatal, stop };
}

/**
 * The bundle endpoint of this replica: the JWK Set read from the bundle ConfigMap (a GET at most
 * every 5 s, so a standby serves it as well as the leader).
 */
async function startBundleEndpointFor(cfg: LoadedConfig, client: KubeClient, log: Logger): Promise<BundleEndpoint> {
  const { addr, certFile, keyFile } = cfg.identity.bundleEndpoint;
  const { host, port } = splitAddr(addr);
  let cached: { at: number; body: string | undefined } | undefined;
  const jwks = async () => {
    if (cached && Date.now() - cached.at < 5000) return cached.body;
    const cm = await client.get<KubeObject & { data?: Record<string, string> }>(ConfigMapRef, { name: cfg.identity.bundleConfigMapName, namespace: cfg.namespace });
    cached = { at: Date.now(), body: cm?.data?.[BUNDLE_JWKS_KEY] };
    return cached.body;
  };
  try {
    return await startBundleEndpoint({ host, port, certFile, keyFile, jwks, log });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}
