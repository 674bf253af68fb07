/**
 * The operator under load on the simulated cluster (DESIGN §5, §8; issue 5). Starts its own control
 * plane with the e2e harness (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes, all on
 * 127.0.0.1), installs crds/, runs `akash-operator run` as its own process, creates BENCH_LEASES
 * leases (Manifest + Lease CRs, 2 services × 1 replica each) at BENCH_RATE leases/s, open loop, and
 * prints one JSON line per figure:
 *
 *   children_applied_p50_ms / _p99_ms  both create calls returned → the lease's last child object
 *                           (Namespace, ResourceQuota, LimitRange, NetworkPolicies, Service CRs,
 *                           Deployments, Services, Ingress) first seen by a watch in this process
 *   lease_ready_p50_ms / _p99_ms       the same start → the Lease's status.phase Ready first seen
 *   leases_per_s            leases / (last Lease Ready − first create sent); the offered rate bounds it
 *   api_requests_per_lease  the operator's rest_client_requests_total over the load phase / leases
 *                           (its reconcile client; leader-election renewals have a client of their own)
 *   rss_mb_per_1000_leases  VmRSS of the operator process (/proc/<pid>/status) after convergence × 1000 / leases
 *   restart_ready_s         SIGTERM, then a new process: spawn → /readyz 200 as the leader (caches
 *                           synced); `writes` = akash_operator_api_writes_total once every key was reconciled
 *   resync_writes           akash_operator_api_writes_total during the next full pass of every key
 *                           (the restarted operator runs with --resync-seconds 10); must be 0
 *   cpu_ms_per_lease        CPU of every process (etcd, kube-*, kwok, operator, this bench) over the
 *                           load phase / leases, by process; ceiling_leases_per_s = cores × 1000 /
 *                           that: the rate this machine sustains with this mix, however fast the
 *                           operator is
 *
 * Everything is stopped and removed at the end, also on failure or Ctrl-C (the harness's reaper
 * covers a kill -9). Env: BENCH_LEASES (1000), BENCH_RATE (20), BENCH_CLUSTER_QPS (200: client QPS of
 * kube-controller-manager and kube-scheduler, whose defaults would make them the limit on Ready),
 * The operator runs as the image runs it: the bundle of scripts/build-dist.sh, with the chart's
 * `nodeOptions` as NODE_OPTIONS and its `nodeFlags` on node's command line.
 * BENCH_CONVERGE_S (420: how long to
 * wait for Ready after the last create), BENCH_OPERATOR_ARGS (extra operator flags, e.g.
 * '--concurrency 16'; reported as operator_args), BENCH_METRICS_OUT=FILE (the operator's /metrics
 * after the load phase, for diagnosis), BENCH_APISERVER_METRICS_OUT=FILE (kube-apiserver's, likewise), E2E_KEEP=1 keeps the working directories.
 * Run: node bench/operator.ts (make bench). Progress goes to stderr, figures to stdout.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { binaryPath, repoRoot } from '../e2e/harness/binaries.ts';
import { startCluster, type Cluster } from '../e2e/harness/cluster.ts';
import { describeFailure } from '../e2e/harness/errors.ts';
import { httpGet } from '../e2e/harness/http.ts';
import { logTail } from '../e2e/harness/process.ts';
import { leaseAndManifest } from '../e2e/operator/fixtures.ts';
import { compiledOperatorEntry, metricSum, startOperatorProcess, type OperatorProcess } from '../e2e/support/operator.ts';
import { cpuDelta, cpuSeconds } from './lib/cpu.ts';
import { envNumber } from './lib/env.ts';

const GROUP = 'provider.akash.network';
const VERSION = 'v1alpha1';
const OPERATOR_NS = 'akash-operator-bench';
const SERVICES_PER_LEASE = 2;
/** kwok nodes take 110 pods by default; keep every node below 100 so the scheduler never runs out. */
const PODS_PER_NODE = 100;
const DSEQ_BASE = 100_000;

const LEASES = envNumber('BENCH_LEASES', 1000, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
const RATE = envNumber('BENCH_RATE', 20, (n) => Number.isFinite(n) && n > 0, 'a number > 0 (leases per second)');
const CLUSTER_QPS = envNumber('BENCH_CLUSTER_QPS', 200, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
const CONVERGE_S = envNumber('BENCH_CONVERGE_S', 420, (n) => Number.isFinite(n) && n > 0, 'a number of seconds > 0');
const NODES = Math.max(3, Math.ceil((LEASES * SERVICES_PER_LEASE) / PODS_PER_NODE));
/** The operator runs with the Node.js flags the chart gives it (heap limits shape its RSS). */
const CHART_VALUES = parse(fs.readFileSync(path.join(repoRoot, 'charts/akash-operator/values.yaml'), 'utf8')) as { nodeOptions?: unknown; nodeFlags?: unknown };
const NODE_OPTIONS_OF_CHART = String(CHART_VALUES.nodeOptions ?? '');
const NODE_FLAGS_OF_CHART = Array.isArray(CHART_VALUES.nodeFlags) ? CHART_VALUES.nodeFlags.map(String) : [];
/** Extra `akash-operator run` flags for exploring (e.g. `--concurrency 16`); the figures are for the defaults. */
const OPERATOR_ARGS = (process.env.BENCH_OPERATOR_ARGS ?? '').split(/\s+/).filter(Boolean);

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const now = (): number => performance.now();
const execFileP = promisify(execFile);

const cpus = os.cpus();
const context: Record<string, unknown> = {
  leases: LEASES,
  rate: RATE,
  nodes: NODES,
  cluster_qps: CLUSTER_QPS,
  services_per_lease: SERVICES_PER_LEASE,
  replicas: 1,
  mix: 'web (port 80, ingress host) + db (internal 8080), 1 replica each, no credentials, ephemeral storage',
  node: process.version,
  cpu: `${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length}`,
  operator_args: OPERATOR_ARGS.join(' ') || 'defaults',
  operator_node_options: NODE_OPTIONS_OF_CHART,
  operator_node_flags: NODE_FLAGS_OF_CHART.join(' '),
};

function print(bench: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench, value, unit, ...context, ...extra })}\n`);
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface LeaseTrack {
  /** Both create calls returned. */
  createdAt?: number;
  /** First arrival of the latest child to arrive. */
  lastChildAt: number;
  children: number;
  readyAt?: number;
}

type Meta = { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; status?: { phase?: string } };

/**
 * Records, per lease namespace, when each child object was first seen. One watch per resource,
 * cluster-wide; reconnects from the last resourceVersion (bookmarks keep it fresh) and starts over on
 * 410 Gone, which only re-announces objects already seen.
 */
class Observer {
  readonly leases = new Map<string, LeaseTrack>();
  private readonly seen = new Set<string>();
  private readonly controllers: AbortController[] = [];
  private stopped = false;
  reconnects = 0;
  private readonly kc: k8s.KubeConfig;

  constructor(kc: k8s.KubeConfig, namespaces: string[]) {
    this.kc = kc;
    for (const ns of namespaces) this.leases.set(ns, { lastChildAt: 0, children: 0 });
  }

  private child(kind: string, obj: Meta, namespaceIsName: boolean): void {
    const name = obj.metadata?.name ?? '';
    const ns = namespaceIsName ? name : (obj.metadata?.namespace ?? '');
    const track = this.leases.get(ns);
    if (!track) return;
    const key = `${kind}/${ns}/${name}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    track.children++;
    track.lastChildAt = Math.max(track.lastChildAt, now());
  }

  private lease(obj: Meta): void {
    const track = this.leases.get(obj.metadata?.name ?? '');
    if (track && track.readyAt === undefined && obj.status?.phase === 'Ready') track.readyAt = now();
  }

  /** Starts every watch; resolves once each has its response headers (the watch is live). */
  async start(): Promise<void> {
    const children: [kind: string, path: string][] = [
      ['ResourceQuota', '/api/v1/resourcequotas'],
      ['LimitRange', '/api/v1/limitranges'],
      ['NetworkPolicy', '/apis/networking.k8s.io/v1/networkpolicies'],
      ['ServiceCR', `/apis/${GROUP}/${VERSION}/services`],
      ['Deployment', '/apis/apps/v1/deployments'],
      ['StatefulSet', '/apis/apps/v1/statefulsets'],
      ['Service', '/api/v1/services'],
      ['Ingress', '/apis/networking.k8s.io/v1/ingresses'],
      ['Secret', '/api/v1/secrets'],
    ];
    await Promise.all([
      this.watch('/api/v1/namespaces', (o) => this.child('Namespace', o, true)),
      ...children.map(([kind, p]) => this.watch(p, (o) => this.child(kind, o, false))),
      this.watch(`/apis/${GROUP}/${VERSION}/leases`, (o) => this.lease(o)),
    ]);
  }

  private async watch(p: string, onObject: (o: Meta) => void): Promise<void> {
    const w = new k8s.Watch(this.kc);
    let rv: string | undefined;
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      const ctrl = await w.watch(
        p,
        { allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: 20 },
        (type: string, obj: Meta & { code?: number }) => {
          if (type === 'ERROR') {
            if (obj.code === 410) rv = undefined;
            return;
          }
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (type === 'ADDED' || type === 'MODIFIED') onObject(obj);
        },
        (err: unknown) => {
          if (this.stopped) return;
          this.reconnects++;
          setTimeout(() => void run(), err ? 250 : 0);
        },
      );
      this.controllers.push(ctrl);
    };
    await run();
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
  }
}

/** kube-apiserver's /metrics (request counts and latencies by verb and resource), for diagnosis. */
async function apiserverMetrics(kc: k8s.KubeConfig): Promise<string> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    https
      .get(`${kc.getCurrentCluster()?.server ?? ''}/metrics`, opts, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Resident set size of a process in MB, from /proc/<pid>/status. */
function rssMb(pid: number, field = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

/** CPU seconds so far of every process on the machine's side of the bench: cluster, operator, this process. */
function cpuSnapshot(): Map<string, number> {
  const snap = new Map<string, number>();
  for (const p of cluster?.processes ?? []) if (p.pid > 0) snap.set(p.name, (snap.get(p.name) ?? 0) + cpuSeconds(p.pid));
  if (operator?.proc.pid) snap.set('operator', cpuSeconds(operator.proc.pid));
  const own = process.cpuUsage();
  snap.set('bench', (own.user + own.system) / 1e6);
  return snap;
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

let cluster: Cluster | undefined;
let operator: OperatorProcess | undefined;
let observer: Observer | undefined;
const operatorDirs: string[] = [];

async function cleanup(failed: boolean): Promise<void> {
  observer?.stop();
  const op = operator;
  operator = undefined;
  if (op) {
    if (failed) log(`operator log tail (${op.logPath}):\n${logTail(op.logPath, 3000)}`);
    await op.stop().catch(() => undefined);
  }
  const c = cluster;
  cluster = undefined;
  await c?.stop().catch(() => undefined);
  if (!process.env.E2E_KEEP) for (const d of operatorDirs) fs.rmSync(d, { recursive: true, force: true });
}

async function startOperator(kubeconfig: string, args: string[]): Promise<{ op: OperatorProcess; readyMs: number }> {
  const spawned = now();
  const op = await startOperatorProcess({ kubeconfig, namespace: OPERATOR_NS, args, env: { NODE_OPTIONS: NODE_OPTIONS_OF_CHART }, nodeFlags: NODE_FLAGS_OF_CHART, entry: compiledOperatorEntry() });
  operator = op;
  operatorDirs.push(path.dirname(op.logPath));
  // The reaper stops it with the cluster should this process die without cleaning up.
  if (cluster && op.proc.pid) fs.appendFileSync(path.join(cluster.workdir, 'pids'), `${op.proc.pid}\n`);
  // /readyz answers 200 for a standby too: ready here means /readyz 200 while leading (caches
  // synced). Measured at the first probe where both hold, a few ms after startOperatorProcess saw 200.
  await waitFor('the operator to lead with synced caches', 60_000, async () => {
    const text = await op.metrics();
    const leading = !text.includes('leader_election_master_status') || metricSum(text, 'leader_election_master_status') >= 1;
    return leading && (await httpGet(`${op.url}/readyz`)).status === 200 ? true : undefined;
  }, 20);
  const readyMs = now() - spawned;
  return { op, readyMs };
}

async function main(): Promise<void> {
  const started = now();
  log(`${LEASES} leases × ${SERVICES_PER_LEASE} services at ${RATE} leases/s on ${NODES} kwok nodes`);
  cluster = await startCluster({ nodes: NODES, componentQps: CLUSTER_QPS, log: (m) => log(`cluster: ${m}`) });
  context.kubernetes = cluster.version;
  const kubeconfig = cluster.kubeconfigPath;
  const kubectl = (args: string[]) => execFileP(binaryPath('kubectl'), args, { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 16 << 20 });
  await kubectl(['apply', '--server-side', '-f', path.join(repoRoot, 'crds')]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);
  await kubectl(['create', 'namespace', OPERATOR_NS]);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);

  const fixtures = Array.from({ length: LEASES }, (_, i) => leaseAndManifest(String(DSEQ_BASE + i), [{ name: 'db' }, { name: 'web', hosts: [`web-${DSEQ_BASE + i}.bench.invalid`] }]));
  observer = new Observer(kc, fixtures.map((f) => f.ns));
  await observer.start();

  let { op } = await startOperator(kubeconfig, OPERATOR_ARGS);
  await sleep(2000);
  const baselineRss = rssMb(op.proc.pid!);
  const before = await op.metrics();
  const requests0 = metricSum(before, 'rest_client_requests_total');
  const writes0 = metricSum(before, 'akash_operator_api_writes_total');
  log(`operator ready in ${op.readyAfterMs} ms, RSS ${baselineRss.toFixed(0)} MB with no leases; creating leases`);

  // Open loop: lease i is sent at t0 + i / RATE whatever the answers to earlier ones.
  const cpu0 = cpuSnapshot();
  const t0 = now();
  let createErrors = 0;
  let lateMs = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < LEASES; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    else lateMs = Math.max(lateMs, -wait);
    const f = fixtures[i]!;
    const track = observer.leases.get(f.ns)!;
    inflight.push(
      Promise.all([
        custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', body: f.manifest }),
        custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', body: f.lease }),
      ]).then(
        () => void (track.createdAt = now()),
        (err: unknown) => {
          createErrors++;
          log(`create of lease ${i} failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
        },
      ),
    );
    if (i > 0 && i % Math.max(1, Math.round(RATE * 10)) === 0) {
      const ready = [...observer.leases.values()].filter((l) => l.readyAt !== undefined).length;
      log(`sent ${i}/${LEASES}, ${ready} Ready`);
    }
  }
  await Promise.all(inflight);
  const sentS = (now() - t0) / 1000;
  log(`all ${LEASES} sent in ${sentS.toFixed(1)} s (max ${lateMs.toFixed(0)} ms behind schedule, ${createErrors} create errors); waiting for Ready`);

  const tracks = [...observer.leases.values()];
  const readyCount = () => tracks.filter((l) => l.readyAt !== undefined).length;
  const convergeDeadline = Date.now() + CONVERGE_S * 1000;
  let lastLog = Date.now();
  while (readyCount() < LEASES && Date.now() < convergeDeadline) {
    await sleep(500);
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`${readyCount()}/${LEASES} Ready, depth ${metricSum(await op.metrics(), 'workqueue_depth')}`);
    }
  }
  // Quiet: every queue empty on two probes a second apart.
  await waitFor('the operator queues to drain', 60_000, async () => {
    if (metricSum(await op.metrics(), 'workqueue_depth') !== 0) return undefined;
    await sleep(1000);
    return metricSum(await op.metrics(), 'workqueue_depth') === 0 ? true : undefined;
  });
  const ready = readyCount();
  context.ready = ready;
  // Restart and resync figures are only clean on a converged system: otherwise real changes (pods
  // turning Ready) still cause status writes.
  context.converged = ready === LEASES;
  context.create_errors = createErrors;
  context.behind_schedule_max_ms = round(lateMs);
  const after = await op.metrics();
  const cpu = cpuDelta(cpu0, cpuSnapshot());
  const loadS = (now() - t0) / 1000;
  if (process.env.BENCH_METRICS_OUT) fs.writeFileSync(process.env.BENCH_METRICS_OUT, after);
  if (process.env.BENCH_APISERVER_METRICS_OUT) fs.writeFileSync(process.env.BENCH_APISERVER_METRICS_OUT, await apiserverMetrics(kc));
  const requests = metricSum(after, 'rest_client_requests_total') - requests0;
  const writes = metricSum(after, 'akash_operator_api_writes_total') - writes0;
  const rss = rssMb(op.proc.pid!);
  const hwm = rssMb(op.proc.pid!, 'VmHWM');
  if (ready < LEASES) log(`only ${ready}/${LEASES} leases Ready after ${CONVERGE_S} s: the figures below cover what was reached`);

  const created = tracks.filter((l) => l.createdAt !== undefined);
  const childCounts = created.map((l) => l.children);
  const fullChildren = Math.max(0, ...childCounts);
  const complete = created.filter((l) => l.children === fullChildren);
  const applied = complete.map((l) => l.lastChildAt - l.createdAt!).sort((a, b) => a - b);
  const readyLat = created.filter((l) => l.readyAt !== undefined).map((l) => l.readyAt! - l.createdAt!).sort((a, b) => a - b);
  const lastReady = Math.max(...tracks.map((l) => l.readyAt ?? 0));
  const how = { measured: 'both create calls returned → last child first seen by a watch in the bench process', children_per_lease: fullChildren, complete: complete.length };
  print('children_applied_p50_ms', round(percentile(applied, 50)), 'ms', how);
  print('children_applied_p99_ms', round(percentile(applied, 99)), 'ms', how);
  print('lease_ready_p50_ms', round(percentile(readyLat, 50)), 'ms', { measured: 'both create calls returned → Lease status.phase Ready seen by the watch (includes kwok pods turning Ready)' });
  print('lease_ready_p99_ms', round(percentile(readyLat, 99)), 'ms', { measured: 'both create calls returned → Lease status.phase Ready seen by the watch (includes kwok pods turning Ready)' });
  print('leases_per_s', ready > 0 ? round(ready / ((lastReady - t0) / 1000), 2) : 0, 'leases/s', { measured: 'Ready leases / (last Ready − first create sent); bounded by the offered rate', offered_s: round(sentS, 1) });
  print('api_requests_per_lease', round(requests / LEASES, 2), 'requests', {
    source: 'operator rest_client_requests_total over the load phase / leases (reconcile client; excludes leader election)',
    requests,
    writes_per_lease: round(writes / LEASES, 2),
    writes_per_child: round(writes / (LEASES * fullChildren), 2),
  });
  print('rss_mb_per_1000_leases', round((rss * 1000) / LEASES, 1), 'MB', { source: `VmRSS of the operator process after convergence × 1000 / ${LEASES}`, rss_mb: round(rss, 1), rss_delta_mb_per_1000_leases: round(((rss - baselineRss) * 1000) / LEASES, 1), rss_peak_mb: round(hwm, 1), rss_no_leases_mb: round(baselineRss, 1), heap_used_mb: round(metricSum(after, 'nodejs_heap_size_used_bytes') / 2 ** 20, 1) });

  // Every component shares the machine's cores: CPU per lease bounds the sustainable rate.
  const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0);
  const perLeaseMs = (s: number) => round((s * 1000) / LEASES, 1);
  print('cpu_ms_per_lease', perLeaseMs(cpuTotal), 'ms', {
    source: 'CPU (user + system) of every process of the bench over the load phase (first create → queues drained) / leases',
    by_process: Object.fromEntries([...cpu].sort((a, b) => b[1] - a[1]).map(([name, s]) => [name, perLeaseMs(s)])),
    load_phase_s: round(loadS, 1),
    machine_busy: round(cpuTotal / (loadS * cpus.length), 2),
    // What the machine could sustain were all its cores busy with this mix; the offered rate above it saturates.
    ceiling_leases_per_s: round((cpus.length * 1000) / ((cpuTotal * 1000) / LEASES), 2),
  });

  // Restart with every lease in place; the new process resyncs every 10 s so a full pass comes soon.
  log('restarting the operator');
  await op.stop();
  operator = undefined;
  const restarted = await startOperator(kubeconfig, [...OPERATOR_ARGS, '--resync-seconds', '10']);
  op = restarted.op;
  const restartT = now();
  const counts = (t: string) => ({
    lease: metricSum(t, 'controller_runtime_reconcile_total', { controller: 'lease' }),
    service: metricSum(t, 'controller_runtime_reconcile_total', { controller: 'service' }),
    depth: metricSum(t, 'workqueue_depth'),
  });
  const services = created.length * SERVICES_PER_LEASE;
  const pass1 = await waitFor('every lease and service to be reconciled after the restart', 120_000, async () => {
    const t = await op.metrics();
    const c = counts(t);
    return c.lease >= created.length && c.service >= services && c.depth === 0 ? t : undefined;
  });
  const reconciledS = (now() - restartT + restarted.readyMs) / 1000;
  const restartWrites = metricSum(pass1, 'akash_operator_api_writes_total');
  print('restart_ready_s', round(restarted.readyMs / 1000, 2), 's', {
    measured: 'spawn → /readyz 200 as the leader (caches synced)',
    writes: restartWrites,
    all_reconciled_s: round(reconciledS, 2),
  });

  const c1 = counts(pass1);
  const pass2 = await waitFor('a full resync pass (--resync-seconds 10)', 120_000, async () => {
    const t = await op.metrics();
    const c = counts(t);
    return c.lease >= c1.lease + created.length && c.service >= c1.service + services && c.depth === 0 ? t : undefined;
  });
  const c2 = counts(pass2);
  print('resync_writes', metricSum(pass2, 'akash_operator_api_writes_total') - restartWrites, 'writes', {
    source: 'akash_operator_api_writes_total during one full reconcile pass of every key, nothing changed (--resync-seconds 10)',
    reconciles: c2.lease - c1.lease + (c2.service - c1.service),
  });
  log(`done in ${((now() - started) / 1000).toFixed(0)} s (${observer.reconnects} watch reconnects)`);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void cleanup(true).finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup(false);
} catch (err) {
  process.stderr.write(`bench/operator: ${describeFailure(err)}\n`);
  await cleanup(true);
  process.exitCode = 1;
}
