/**
 * The operator process: one KubeClient, one Manager with the Manifest, Lease and Service
 * controllers, an ops server (/metrics, /healthz, /readyz) and an orderly shutdown.
 */
import os from 'node:os';
import * as k8s from '@kubernetes/client-node';
import type { LoadedConfig } from './config/load.ts';
import { splitAddr } from './config/load.ts';
import type { OperatorContext } from './controllers/context.ts';
import { registerLeaseController } from './controllers/lease/index.ts';
import { registerManifestController } from './controllers/manifest/index.ts';
import { registerServiceController } from './controllers/service/index.ts';
import { EventRecorder, KubeClient, Manager, Metrics, createLogger, kubeConfigTransport, startOpsServer, type Logger, type OpsServer } from './runtime/index.ts';

export interface RunningOperator {
  ops: OpsServer;
  manager: Manager;
  metrics: Metrics;
  log: Logger;
  /** Stops controllers (draining in-flight reconciles), events and the ops server. Safe to call twice. */
  stop(): Promise<void>;
}

export function loadKubeConfig(path: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

export async function startOperator(cfg: LoadedConfig, opts: { log?: Logger } = {}): Promise<RunningOperator> {
  const log = opts.log ?? createLogger({ level: cfg.logLevel });
  const metrics = new Metrics({ collectDefaults: true });
  const client = new KubeClient(kubeConfigTransport(loadKubeConfig(cfg.kubeconfig)), { fieldManager: cfg.fieldManager, metrics });
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

  const { host, port } = splitAddr(cfg.metricsAddr);
  const ops = await startOpsServer({ metrics, host, port, log, readiness: { informers: () => manager.ready() } });
  log.info({ metrics: ops.url, namespace: cfg.namespace }, 'operator starting');
  await manager.start();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await manager.stop();
      await recorder.close();
      await ops.close();
      log.info('operator stopped');
    })());
  return { ops, manager, metrics, log, stop };
}
