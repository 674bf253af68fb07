import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { binaryPath, kwokStagesPath, pinnedVersions } from './binaries.ts';
import { HarnessError } from './errors.ts';
import { httpGet } from './http.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createPki, type Pki } from './pki.ts';
import { assertPortFree, freePort } from './ports.ts';
import { isAlive, ManagedProcess, restartProcess, startProcess } from './process.ts';
import { pollUntil } from './wait.ts';

export interface ClusterOptions {
  /** Working directory (PKI, etcd data, logs, kubeconfig); a fresh temp dir by default. */
  workdir?: string;
  /** Fake kwok nodes; 0 starts only etcd + kube-apiserver (no controller-manager, scheduler, kwok). */
  nodes?: number;
  /** Fixed apiserver port (checked to be free first); a free one by default. */
  apiPort?: number;
  /** Per component readiness limit. */
  readyTimeoutMs?: number;
  /**
   * Client QPS of kube-controller-manager and kube-scheduler (burst twice that). Their default of
   * 20 (scheduler 50) makes them, not the code under test, the limit when thousands of pods start;
   * the benchmark raises it. Unset: the components' defaults.
   */
  componentQps?: number;
  /**
   * An audit policy (YAML) for kube-apiserver; its events go to `Cluster.auditLogPath` (JSON
   * lines). Fault tests use it to prove who deleted what, even for a client that was killed.
   */
  auditPolicy?: string;
  /**
   * kube-controller-manager's `--node-monitor-grace-period` in seconds (default 40). After that long
   * without a node lease renewal *seen by its informer*, it marks every pod of the node not Ready,
   * and kwok (no kubelet) never marks them Ready again. Two API server outages in a row leave its
   * informers in reflector backoff long enough for that, although kwok renewed every 10 s: fault
   * tests raise it.
   */
  nodeMonitorGraceSeconds?: number;
  /**
   * kube-controller-manager's `--resource-quota-sync-period` in seconds (default 300): how often
   * the quota controller recounts every ResourceQuota's usage from the objects that exist. A pod
   * create that the quota admission charged but storage never finished (the API server or etcd
   * killed in between; kubernetes#70563) leaves usage counted until then, and pods of a namespace
   * whose quota is exactly its lease's size are refused meanwhile. Fault tests shorten it.
   */
  quotaSyncSeconds?: number;
  log?: (msg: string) => void;
}

/** The components `Cluster.restart` can stop and start again. */
export type RestartableComponent = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface RestartOptions {
  /** SIGTERM (graceful; SIGKILL after 10 s) or SIGKILL (a crash). Default SIGTERM. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** How long the component stays down after it exited, before it is started again. Default 0. */
  downMs?: number;
  /** With SIGTERM: how long to wait for the exit before SIGKILL. Default 10 s (kwok: 1 s, see `stop`). */
  graceMs?: number;
}

export interface RestartReport {
  /** From the stop request until the process had exited. */
  stopMs: number;
  /** A SIGTERM was not enough: the process ended by SIGKILL after `graceMs`. */
  forced: boolean;
  /** From the stop request until the component and the API server answered ready again. */
  outageMs: number;
}

export interface Cluster {
  workdir: string;
  kubeconfigPath: string;
  server: string;
  /** The Kubernetes version the binaries were pinned at (tools/versions.env). */
  version: string;
  /** The running processes; `restart` replaces a component's entry in place. */
  processes: ManagedProcess[];
  /** Where kube-apiserver writes audit events; undefined without `auditPolicy`. */
  auditLogPath: string | undefined;
  /**
   * Stops one component and starts it again with the same binary, arguments, ports and (etcd)
   * data directory, then waits until it and the API server are ready. The reaper's pid list
   * follows the new process.
   */
  restart(name: RestartableComponent, opts?: RestartOptions): Promise<RestartReport>;
  /**
   * Hands a process the test started itself (e.g. an operator) to the reaper: it is killed with
   * the cluster when the test runner dies without tearing down.
   */
  adopt(pid: number): void;
  stop(): Promise<void>;
}

const reaperPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reaper.ts');
export const kwokNodeLabel = 'type=kwok';
/** kwok does not act on SIGTERM for ~10 s and holds no state worth a graceful stop. */
const KWOK_GRACE_MS = 1000;

/**
 * Starts a real control plane on 127.0.0.1: etcd, kube-apiserver (RBAC, service-account keys, an
 * admin client certificate), and unless nodes is 0, kube-controller-manager, kube-scheduler and
 * kwok with `nodes` fake nodes that turn Ready and run pods. On any failure everything started so
 * far is stopped before the error is thrown.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const nodes = opts.nodes ?? 3;
  const qpsArgs = opts.componentQps ? [`--kube-api-qps=${opts.componentQps}`, `--kube-api-burst=${opts.componentQps * 2}`] : [];
  const timeout = opts.readyTimeoutMs ?? Number(process.env.E2E_READY_TIMEOUT_MS ?? 90_000);
  const version = pinnedVersions().K8S_VERSION!;

  // Resolve every binary first: a missing one is reported before anything starts.
  const bins = {
    etcd: binaryPath('etcd'),
    apiserver: binaryPath('kube-apiserver'),
    ...(nodes > 0
      ? { kcm: binaryPath('kube-controller-manager'), scheduler: binaryPath('kube-scheduler'), kwok: binaryPath('kwok'), stages: kwokStagesPath() }
      : {}),
  };
  if (opts.apiPort) await assertPortFree(opts.apiPort, 'kube-apiserver');

  const workdir = opts.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'akash-operator-cluster-'));
  fs.mkdirSync(path.join(workdir, 'logs'), { recursive: true });
  const pidsFile = path.join(workdir, 'pids');
  fs.writeFileSync(pidsFile, '');
  spawn(process.execPath, [reaperPath, String(process.pid), pidsFile, workdir], { detached: true, stdio: 'ignore' }).unref();

  const processes: ManagedProcess[] = [];
  const adopted = new Set<number>();
  /** Readiness probe per component, for restarts. */
  const probes = new Map<string, () => Promise<true | undefined>>();
  const restarting = new Set<string>();
  const kubeconfigPath = path.join(workdir, 'kubeconfig');
  const auditLogPath = opts.auditPolicy === undefined ? undefined : path.join(workdir, 'logs', 'audit.log');
  let stopped = false;
  // Rewritten whole (write + rename), so the reaper never reads a half-written list.
  const writePids = () => {
    if (stopped) return;
    for (const pid of adopted) if (!isAlive(pid)) adopted.delete(pid);
    const pids = [...processes.map((p) => p.pid), ...adopted].filter((pid) => pid > 0);
    fs.writeFileSync(`${pidsFile}.tmp`, pids.map((pid) => `${pid}\n`).join(''));
    fs.renameSync(`${pidsFile}.tmp`, pidsFile);
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Adopted processes first (they are clients of the cluster): SIGTERM, SIGKILL after 5 s.
    const clients = [...adopted].filter(isAlive);
    for (const pid of clients) process.kill(pid, 'SIGTERM');
    for (let t = 0; t < 50 && clients.some(isAlive); t++) await sleep(100);
    for (const pid of clients) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    // Everything but etcd at once (they only talk to the apiserver), then etcd; kwok with a short grace.
    const rest = processes.filter((p) => p.name !== 'etcd');
    await Promise.all(rest.map((p) => p.stop(p.name === 'kwok' ? KWOK_GRACE_MS : 10_000)));
    await Promise.all(processes.filter((p) => p.name === 'etcd').map((p) => p.stop()));
    fs.rmSync(pidsFile, { force: true });
    if (!process.env.E2E_KEEP && !opts.workdir) fs.rmSync(workdir, { recursive: true, force: true });
  };
  const run = async (name: string, bin: string, args: string[]) => {
    const p = await startProcess(name, bin, args, { logPath: path.join(workdir, 'logs', `${name}.log`) });
    processes.push(p);
    fs.appendFileSync(pidsFile, `${p.pid}\n`);
    return p;
  };
  const ready = async <T>(p: ManagedProcess, what: string, probe: () => Promise<T | undefined>) => {
    const cancelled = () => (stopped ? new HarnessError(`the cluster was stopped while waiting for ${what}.`) : undefined);
    const v = await pollUntil(probe, timeout, { abort: () => p.failure() ?? cancelled() });
    if (v === undefined) {
      throw new HarnessError(`${what} did not become ready within ${Math.round(timeout / 1000)} s: read ${p.logPath}, or raise E2E_READY_TIMEOUT_MS on a slow machine.`);
    }
    return v;
  };

  try {
    const pki = await createPki(path.join(workdir, 'pki'));
    const etcdPort = await freePort();
    const etcdPeer = await freePort();
    const apiPort = opts.apiPort ?? (await freePort());

    log(`etcd on 127.0.0.1:${etcdPort}`);
    const etcd = await run('etcd', bins.etcd, [
      '--name=node0',
      `--data-dir=${path.join(workdir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=node0=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    probes.set('etcd', async () => ((await httpGet(`http://127.0.0.1:${etcdPort}/health`)).body.includes('"true"') ? true : undefined));
    await ready(etcd, 'etcd', probes.get('etcd')!);

    log(`kube-apiserver on 127.0.0.1:${apiPort}`);
    const server = `https://127.0.0.1:${apiPort}`;
    const audit: string[] = [];
    if (auditLogPath) {
      const policy = path.join(workdir, 'audit-policy.yaml');
      fs.writeFileSync(policy, opts.auditPolicy ?? '');
      audit.push(`--audit-policy-file=${policy}`, `--audit-log-path=${auditLogPath}`, '--audit-log-format=json', '--audit-log-mode=blocking');
    }
    const apiserver = await run('kube-apiserver', bins.apiserver, [...apiserverArgs(pki, etcdPort, apiPort, nodes > 0), ...audit]);
    probes.set('kube-apiserver', async () => ((await httpGet(`${server}/readyz`, { ca: pki.caPem })).status === 200 ? true : undefined));
    await ready(apiserver, 'kube-apiserver', probes.get('kube-apiserver')!);

    writeKubeconfig(kubeconfigPath, 'akash-operator-test', {
      server,
      caPem: pki.caPem,
      user: 'admin',
      clientCertPem: pki.adminCertPem,
      clientKeyPem: pki.adminKeyPem,
    });

    if (nodes > 0) {
      const kcmPort = await freePort();
      const kcm = await run('kube-controller-manager', bins.kcm!, [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        `--root-ca-file=${pki.caCert}`,
        `--service-account-private-key-file=${pki.saPrivate}`,
        '--use-service-account-credentials=true',
        '--cluster-cidr=10.244.0.0/16',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--leader-elect=false',
        `--node-monitor-grace-period=${opts.nodeMonitorGraceSeconds ?? 40}s`,
        ...(opts.quotaSyncSeconds ? [`--resource-quota-sync-period=${opts.quotaSyncSeconds}s`] : []),
        ...qpsArgs,
      ]);
      const schedPort = await freePort();
      const scheduler = await run('kube-scheduler', bins.scheduler!, [
        `--kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false',
        ...qpsArgs,
      ]);
      const healthz = (port: number) => async () =>
        (await httpGet(`https://127.0.0.1:${port}/healthz`, { insecure: true })).status === 200 ? true : undefined;
      probes.set('kube-controller-manager', healthz(kcmPort));
      probes.set('kube-scheduler', healthz(schedPort));
      await ready(kcm, 'kube-controller-manager', healthz(kcmPort));
      await ready(scheduler, 'kube-scheduler', healthz(schedPort));

      const kwokPort = await freePort();
      const kwok = await run('kwok', bins.kwok!, [
        `--kubeconfig=${kubeconfigPath}`,
        `--config=${bins.stages}`,
        '--manage-all-nodes=true',
        '--cidr=10.244.0.0/16',
        '--node-ip=10.0.0.1',
        '--node-lease-duration-seconds=40',
        `--server-address=127.0.0.1:${kwokPort}`,
      ]);
      probes.set('kwok', async () => ((await httpGet(`http://127.0.0.1:${kwokPort}/healthz`)).status === 200 ? true : undefined));
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      for (let i = 0; i < nodes; i++) await core.createNode({ body: kwokNode(`kwok-node-${i}`) });
      log(`waiting for ${nodes} kwok nodes to be Ready`);
      await ready(kwok, `the ${nodes} kwok nodes`, async () => {
        const list = await core.listNode({ labelSelector: kwokNodeLabel });
        const readyCount = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
        return readyCount >= nodes ? true : undefined;
      });
      // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
      await ready(kcm, 'the controller-manager (default ServiceAccount)', async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })) ? true : undefined,
      );
    }
    log('cluster ready');
    const restart = async (name: RestartableComponent, ro: RestartOptions = {}): Promise<RestartReport> => {
      const i = processes.findIndex((p) => p.name === name);
      const old = processes[i];
      const probe = probes.get(name);
      if (!old || !probe) throw new HarnessError(`${name} is not part of this cluster (started with nodes: ${nodes}), so it cannot be restarted.`);
      if (stopped) throw new HarnessError(`${name} cannot be restarted: the cluster was stopped.`);
      if (restarting.has(name)) throw new HarnessError(`${name} is already being restarted.`);
      restarting.add(name);
      try {
        const t0 = Date.now();
        if (ro.signal === 'SIGKILL') await old.kill();
        else await old.stop(ro.graceMs ?? (name === 'kwok' ? KWOK_GRACE_MS : 10_000));
        const stopMs = Date.now() - t0;
        const forced = ro.signal !== 'SIGKILL' && old.exit?.signal === 'SIGKILL';
        writePids();
        log(`${name} stopped (${ro.signal ?? 'SIGTERM'}${forced ? ', then SIGKILL' : ''}) after ${stopMs} ms${ro.downMs ? `; down for ${ro.downMs} ms` : ''}`);
        if (ro.downMs) await sleep(ro.downMs);
        if (stopped) throw new HarnessError(`${name} was not started again: the cluster was stopped meanwhile.`);
        const fresh = await restartProcess(old);
        processes[i] = fresh;
        if (stopped) {
          // stop() ran while this one was spawning and could not see it.
          await fresh.stop();
          throw new HarnessError(`${name} was not started again: the cluster was stopped meanwhile.`);
        }
        writePids();
        await ready(fresh, `${name} (restarted)`, probe);
        // Whatever restarted, the cluster is usable only when the API server is ready again.
        const api = processes.find((p) => p.name === 'kube-apiserver');
        if (api && name !== 'kube-apiserver') await ready(api, `kube-apiserver (after the ${name} restart)`, probes.get('kube-apiserver')!);
        const outageMs = Date.now() - t0;
        log(`${name} ready again ${outageMs} ms after the stop`);
        return { stopMs, forced, outageMs };
      } finally {
        restarting.delete(name);
      }
    };
    const adopt = (pid: number) => {
      if (pid <= 0) return;
      adopted.add(pid);
      writePids();
    };
    return { workdir, kubeconfigPath, server, version, processes, auditLogPath, restart, adopt, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function apiserverArgs(pki: Pki, etcdPort: number, apiPort: number, withKcm: boolean): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--service-account-issuer=https://127.0.0.1:${apiPort}/`,
    `--service-account-key-file=${pki.saPublic}`,
    `--service-account-signing-key-file=${pki.saPrivate}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=Node,RBAC',
    // Without a controller-manager nothing creates the default ServiceAccount, so pods would be refused.
    ...(withKcm ? [] : ['--disable-admission-plugins=ServiceAccount']),
  ];
}

function kwokNode(name: string): k8s.V1Node {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    status: { capacity, allocatable: capacity },
  };
}
