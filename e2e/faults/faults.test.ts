/**
 * Fault suite (DESIGN §8, issue 5 deliverable 5): the operator keeps every active lease while its
 * leader is killed, the API server restarts and etcd restarts, each in the middle of provisioning.
 * After each fault: every Lease converges to Ready; one Namespace per lease with exactly the
 * expected children; no lease-labelled object without its Lease; the children of leases that were
 * Ready before the fault keep their uids (a delete + recreate changes the uid); and the operator
 * deleted nothing (the API server's audit log, which outlives killed replicas, and the replicas'
 * own `akash_operator_api_writes_total{verb="delete"}`).
 *
 * It restarts the API server and etcd, so it runs on a cluster of its own, not the shared one.
 * Two operator replicas with leader election run as processes (as a Deployment's pods would); a
 * replica that exits, killed or by losing the lease, is replaced as the kubelet would.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPath, repoRoot } from '../harness/binaries.ts';
import { startCluster, type Cluster } from '../harness/cluster.ts';
import { kubeconfigYaml } from '../harness/kubeconfig.ts';
import { pollUntil } from '../harness/wait.ts';
import { LIMIT_RANGE_NAME, RESOURCE_QUOTA_NAME, RESTRICTIONS_POLICY_NAME } from '../../src/workloads/names.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { metricSum, startOperatorProcess, type OperatorProcess } from '../support/operator.ts';

const GROUP = 'provider.akash.network';
const V = 'v1alpha1';
const OPERATOR_NS = 'akash-operator-faults';
const OPERATOR_SA = 'operator';
const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NS}:${OPERATOR_SA}`;
/** Takeover after a crash ≈ lease duration + one retry; short so three kills fit the budget. */
const ELECTION_ARGS = ['--leader-elect-lease-duration', '10', '--leader-elect-renew-deadline', '8', '--leader-elect-retry-period', '2'];
const CONVERGE_MS = 240_000;
/**
 * kube-controller-manager's node monitor grace period. With the default 40 s, the API server
 * restarts in a row here (SIGTERM, then SIGKILL) once left 264 of 300 leases Deploying for good:
 * its lease informer, in reflector backoff, saw no node lease renewal for 40 s (kwok renewed every
 * 10 s), so the node lifecycle controller marked every pod not Ready, and kwok, unlike a kubelet,
 * never sets a pod Ready again. Nothing of the operator's is involved; the pods were Running.
 */
const NODE_MONITOR_GRACE_S = 300;
/**
 * kube-controller-manager's quota recount period (default 300 s). A pod create that the quota
 * admission charged but the killed API server or etcd never stored leaves usage counted
 * (kubernetes#70563); a lease's quota is exactly its size, so its pod is refused ("exceeded quota")
 * until the recount, and the ReplicaSet controller's retry backoff doubles meanwhile. 300 s of that
 * outlasts the convergence limit; a real cluster converges the same way, only later.
 */
const QUOTA_SYNC_S = 10;
/** One manifest service per lease; every lease namespace must hold exactly these, by kind. */
const SERVICE = 'app';
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [delete, deletecollection]
  - level: None
`;

type Obj = { metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; ownerReferences?: { uid: string; controller?: boolean; kind: string }[]; deletionTimestamp?: string }; status?: { phase?: string } };
type List = { items: Obj[] };

let cluster: Cluster | undefined;
let kc: k8s.KubeConfig;
let operatorKubeconfig: string;
const custom = () => kc.makeApiClient(k8s.CustomObjectsApi);
const log = (msg: string) => console.info(`[faults] ${msg}`);
const rand = (lo: number, hi: number) => Math.round(lo + Math.random() * (hi - lo));

/** Every lease created so far: Lease name (= namespace) → dseq. */
const leases = new Map<string, string>();
/** `<kind>/<namespace>/<name>` → uid of every child of a lease that was Ready before some fault. */
const recorded = new Map<string, string>();
const uidChanges: string[] = [];

// ---------------------------------------------------------------------------------------------
// Operator replicas

interface Replica {
  name: string;
  op: OperatorProcess;
  /** Killed on purpose by the test (not replaced by the supervisor: the test starts the replacement). */
  killed: boolean;
  /** Last `akash_operator_api_writes_total{verb="delete"}` scraped. */
  deletes: number;
  /** Last `akash_operator_api_writes_total{verb="apply"}` scraped: proves the scrape reads the counter. */
  applies: number;
}

const replicas: Replica[] = [];
let seq = 0;
let supervising = true;
const unexpectedExits: string[] = [];
const pendingStarts = new Set<Promise<unknown>>();

async function startReplica(): Promise<Replica> {
  const name = `faults-${seq++}`;
  for (;;) {
    try {
      const op = await startOperatorProcess({ kubeconfig: operatorKubeconfig, namespace: OPERATOR_NS, args: ELECTION_ARGS, env: { POD_NAME: name } });
      const r: Replica = { name, op, killed: false, deletes: 0, applies: 0 };
      cluster?.adopt(op.proc.pid ?? -1);
      replicas.push(r);
      void op.exited.then((code) => {
        if (r.killed || !supervising) return;
        // Losing the lease (e.g. no renewal through an etcd outage) ends a replica by design; a
        // Deployment would start it again, and so does this.
        unexpectedExits.push(`${name} exited with ${code}: ${lastLine(op.log(), /leadership lost|failed|error/i)}`);
        log(`replica ${name} exited (${code}); starting a replacement`);
        track(startReplica());
      });
      return r;
    } catch (err) {
      // Not ready within 60 s: the API server may be down right now. Try again, as a kubelet would.
      if (!supervising) throw err;
      log(`replica ${name} did not start: ${String(err).slice(0, 200)}; retrying`);
      await sleep(1000);
    }
  }
}

function track(p: Promise<unknown>): void {
  const q = p.catch(() => undefined).finally(() => pendingStarts.delete(q));
  pendingStarts.add(q);
}

const alive = () => replicas.filter((r) => r.op.proc.exitCode === null && r.op.proc.signalCode === null);

async function scrapeDeletes(): Promise<void> {
  await Promise.all(
    alive().map(async (r) => {
      const text = await r.op.metrics().catch(() => '');
      if (!text) return;
      r.deletes = Math.max(r.deletes, metricSum(text, 'akash_operator_api_writes_total', { verb: 'delete' }));
      r.applies = Math.max(r.applies, metricSum(text, 'akash_operator_api_writes_total', { verb: 'apply' }));
    }),
  );
}

async function leader(timeoutMs = 60_000): Promise<Replica> {
  const r = await pollUntil(async () => {
    for (const r of alive()) if (await r.op.isLeader()) return r;
    return undefined;
  }, timeoutMs, { intervalMs: 100 });
  if (!r) throw new Error(`no replica led within ${timeoutMs} ms; logs: ${replicas.map((x) => x.op.logPath).join(', ')}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Leases

async function createOnce(plural: 'leases' | 'manifests', body: object): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await custom().createClusterCustomObject({ group: GROUP, version: V, plural, body });
      return;
    } catch (err) {
      // 409: an earlier attempt got through although its answer was lost (API server restart).
      if (err instanceof k8s.ApiException && err.code === 409) return;
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

/** Creates `n` leases (Manifest, then Lease) at `perSecond`, each retried through outages. */
async function createLeases(firstDseq: number, n: number, perSecond: number): Promise<void> {
  const t0 = Date.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await sleep(wait);
    const dseq = String(firstDseq + i);
    const { lease, manifest, ns } = leaseAndManifest(dseq, [{ name: SERVICE }]);
    leases.set(ns, dseq);
    all.push(createOnce('manifests', manifest).then(() => createOnce('leases', lease)));
  }
  await Promise.all(all);
}

async function listLeases(): Promise<Obj[]> {
  return ((await custom().listClusterCustomObject({ group: GROUP, version: V, plural: 'leases' })) as List).items;
}

/** Waits until every lease created so far is Ready; returns when that happened (ms since epoch). */
async function converge(what: string): Promise<number> {
  let last = '';
  const done = await pollUntil(async () => {
    const items = await listLeases();
    const phase = (name: string) => items.find((l) => l.metadata.name === name)?.status?.phase ?? (items.some((l) => l.metadata.name === name) ? 'none' : 'missing');
    const notReady = [...leases.keys()].filter((name) => phase(name) !== 'Ready');
    last = `${leases.size - notReady.length}/${leases.size} Ready; not Ready: ${notReady.slice(0, 5).map((n) => `${n} (${phase(n)})`).join(', ')}`;
    return notReady.length === 0 ? Date.now() : undefined;
  }, CONVERGE_MS, { intervalMs: 500 });
  if (done === undefined) {
    const items = await listLeases();
    const stuck = [...leases.keys()].filter((name) => items.find((l) => l.metadata.name === name)?.status?.phase !== 'Ready').slice(0, 3);
    const details = await Promise.all(stuck.map((ns) => describeLease(ns).catch((e: unknown) => `${ns}: ${String(e).slice(0, 200)}`)));
    throw new Error(`${what}: the leases did not converge within ${CONVERGE_MS / 1000} s (${last}); operator logs: ${replicas.map((r) => r.op.logPath).join(', ')}\n${details.join('\n')}`);
  }
  return done;
}

/** Where a lease that is not Ready stands, from its status down to its pods: the first clue to a hang. */
async function describeLease(ns: string): Promise<string> {
  type Status = { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; [k: string]: unknown } };
  const conds = (o: Status | undefined) => (o?.status?.conditions ?? []).map((c) => `${c.type}=${c.status}(${c.reason ?? ''}${c.message ? `: ${c.message.slice(0, 120)}` : ''})`).join(' ');
  const lease = (await custom().getClusterCustomObject({ group: GROUP, version: V, plural: 'leases', name: ns })) as Status;
  const svc = (await custom().getNamespacedCustomObject({ group: GROUP, version: V, plural: 'services', namespace: ns, name: SERVICE }).catch(() => undefined)) as Status | undefined;
  const dep = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: ns, name: SERVICE }).catch(() => undefined);
  const pods = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: ns })).items;
  const events = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: ns })).items.filter((e) => e.type === 'Warning').slice(-5);
  const podText = pods.map((p) => `${p.metadata?.name} node=${p.spec?.nodeName ?? '-'} phase=${p.status?.phase} ${(p.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',')}`).join('; ');
  return [
    `${ns}: Lease ${lease.status?.phase} ${conds(lease)}`,
    `  Service CR: ${svc ? `${JSON.stringify({ ...svc.status, conditions: undefined })} ${conds(svc)}` : 'missing'}`,
    `  Deployment: ${dep ? `gen ${dep.metadata?.generation} ${JSON.stringify({ ...dep.status, conditions: undefined })} ${(dep.status?.conditions ?? []).map((c) => `${c.type}=${c.status}(${c.reason}${c.status === 'True' && c.type === 'ReplicaFailure' ? `: ${c.message}` : ''})`).join(' ')}` : 'missing'}`,
    `  Pods: ${podText || 'none'}`,
    `  Events: ${events.map((e) => `${e.lastTimestamp ?? e.eventTime ?? ''} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${(e.message ?? '').slice(0, 200)} (×${e.count ?? 1})`).join(' | ') || 'none'}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Inventory of what the operator made

const KINDS = [
  { kind: 'Namespace', list: () => kc.makeApiClient(k8s.CoreV1Api).listNamespace({ labelSelector: 'akash.network=true' }) },
  { kind: 'ResourceQuota', list: () => kc.makeApiClient(k8s.CoreV1Api).listResourceQuotaForAllNamespaces() },
  { kind: 'LimitRange', list: () => kc.makeApiClient(k8s.CoreV1Api).listLimitRangeForAllNamespaces() },
  { kind: 'NetworkPolicy', list: () => kc.makeApiClient(k8s.NetworkingV1Api).listNetworkPolicyForAllNamespaces() },
  { kind: 'Service.akash', list: () => custom().listCustomObjectForAllNamespaces({ group: GROUP, version: V, resourcePlural: 'services' }) },
  { kind: 'Deployment', list: () => kc.makeApiClient(k8s.AppsV1Api).listDeploymentForAllNamespaces() },
  { kind: 'StatefulSet', list: () => kc.makeApiClient(k8s.AppsV1Api).listStatefulSetForAllNamespaces() },
  { kind: 'Service', list: () => kc.makeApiClient(k8s.CoreV1Api).listServiceForAllNamespaces() },
  { kind: 'Ingress', list: () => kc.makeApiClient(k8s.NetworkingV1Api).listIngressForAllNamespaces() },
  { kind: 'Secret', list: () => kc.makeApiClient(k8s.CoreV1Api).listSecretForAllNamespaces({ labelSelector: 'akash.network=true' }) },
] as const;

interface Child {
  kind: string;
  key: string;
  obj: Obj;
}

/** Everything in lease namespaces (and lease-labelled anywhere), by kind. */
async function inventory(): Promise<Child[]> {
  const out: Child[] = [];
  const lists = await Promise.all(KINDS.map(async (k) => ({ kind: k.kind, items: ((await k.list()) as unknown as List).items })));
  for (const { kind, items } of lists) {
    for (const obj of items) {
      const ns = kind === 'Namespace' ? obj.metadata.name : (obj.metadata.namespace ?? '');
      const labelled = obj.metadata.labels?.['akash.network'] === 'true';
      // Lease namespaces are 45 base32hex characters; the default `kubernetes` Service etc. are not ours.
      if (!labelled && !/^[0-9a-v]{45}$/.test(ns)) continue;
      out.push({ kind, key: `${kind}/${ns}/${obj.metadata.name}`, obj });
    }
  }
  return out;
}

/** Records the uids of every child of the leases that are Ready now. */
async function recordReadyChildren(): Promise<number> {
  const ready = new Set((await listLeases()).filter((l) => l.status?.phase === 'Ready').map((l) => l.metadata.name));
  for (const c of await inventory()) {
    const ns = c.kind === 'Namespace' ? c.obj.metadata.name : c.obj.metadata.namespace;
    if (!ns || !ready.has(ns) || !c.obj.metadata.uid) continue;
    const before = recorded.get(c.key);
    if (before && before !== c.obj.metadata.uid) uidChanges.push(`${c.key}: ${before} → ${c.obj.metadata.uid}`);
    recorded.set(c.key, c.obj.metadata.uid);
  }
  return ready.size;
}

interface AuditEvent {
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; apiGroup?: string; namespace?: string; name?: string };
}

function auditDeletes(): AuditEvent[] {
  const file = cluster?.auditLogPath;
  if (!file || !fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.verb === 'delete' || e.verb === 'deletecollection');
}

/** The checks every scenario ends with. */
async function checkAfterFault(scenario: string, faultEndedAt: number): Promise<void> {
  const convergedAt = await converge(scenario);
  log(`${scenario}: all ${leases.size} leases Ready ${((convergedAt - faultEndedAt) / 1000).toFixed(1)} s after the fault ended`);

  const all = await inventory();
  const leaseObjs = await listLeases();
  const leaseUid = new Map(leaseObjs.map((l) => [l.metadata.name, l.metadata.uid ?? '']));
  const byKey = new Map(all.map((c) => [c.key, c]));

  // Exactly one Namespace per lease, and one of each expected child in it, nothing more.
  const namespaces = all.filter((c) => c.kind === 'Namespace').map((c) => c.obj.metadata.name).sort();
  expect(namespaces).toEqual([...leases.keys()].sort());
  const dseqs = all.filter((c) => c.kind === 'Namespace').map((c) => c.obj.metadata.labels?.['akash.network/lease.id.dseq']);
  expect(new Set(dseqs).size).toBe(leases.size);
  const perNamespace = new Map<string, string[]>();
  for (const c of all) {
    if (c.kind === 'Namespace') continue;
    const ns = c.obj.metadata.namespace ?? '';
    perNamespace.set(ns, [...(perNamespace.get(ns) ?? []), `${c.kind}/${c.obj.metadata.name}`]);
  }
  const expected = expectedChildren();
  const wrong: string[] = [];
  for (const ns of leases.keys()) {
    const have = (perNamespace.get(ns) ?? []).sort();
    if (JSON.stringify(have) !== JSON.stringify(expected)) wrong.push(`${ns}: ${have.join(', ')}`);
  }
  expect(wrong, `lease namespaces whose children differ from ${expected.join(', ')}`).toEqual([]);

  // No orphans: every lease-labelled object belongs to an existing Lease, and every controller
  // ownerReference names the live owner (a Lease for its direct children, the Service CR below).
  const orphans: string[] = [];
  for (const c of all) {
    const ns = c.kind === 'Namespace' ? c.obj.metadata.name : (c.obj.metadata.namespace ?? '');
    if (!leaseUid.has(ns)) {
      orphans.push(`${c.key} (no Lease ${ns})`);
      continue;
    }
    const owner = c.obj.metadata.ownerReferences?.find((r) => r.controller);
    const want = ['Deployment', 'StatefulSet', 'Service', 'Ingress', 'Secret'].includes(c.kind) ? byKey.get(`Service.akash/${ns}/${c.obj.metadata.labels?.['akash.network/manifest-service'] ?? ''}`)?.obj.metadata.uid : leaseUid.get(ns);
    if (!owner || owner.uid !== want) orphans.push(`${c.key} (controller ${owner?.kind ?? 'none'} ${owner?.uid ?? ''}, want ${want ?? 'none'})`);
  }
  expect(orphans).toEqual([]);

  // Nothing of a lease that was Ready before a fault was deleted (or deleted and created again).
  const lost: string[] = [...uidChanges];
  for (const [key, uid] of recorded) {
    const now = byKey.get(key)?.obj.metadata;
    if (!now) lost.push(`${key}: gone`);
    else if (now.uid !== uid) lost.push(`${key}: uid ${uid} → ${now.uid}`);
    else if (now.deletionTimestamp) lost.push(`${key}: being deleted`);
  }
  expect(lost).toEqual([]);

  // The operator deleted nothing, not even in a replica that was killed afterwards; and nobody
  // deleted anything the operator made (garbage collection of a wrongly owned child would show here).
  const deletes = auditDeletes();
  expect(deletes.filter((e) => e.user?.username === OPERATOR_USER)).toEqual([]);
  const owned = new Set(['namespaces', 'resourcequotas', 'limitranges', 'networkpolicies', 'services', 'deployments', 'statefulsets', 'ingresses', 'secrets']);
  expect(deletes.filter((e) => owned.has(e.objectRef?.resource ?? '') || e.objectRef?.apiGroup === GROUP)).toEqual([]);
  await scrapeDeletes();
  expect(replicas.map((r) => `${r.name}: ${r.deletes}`)).toEqual(replicas.map((r) => `${r.name}: 0`));
  expect(replicas.reduce((n, r) => n + r.applies, 0)).toBeGreaterThan(0);
}

/**
 * What the builders make for one `app` service on port 8080 (not global): its Service CR, a
 * Deployment and a ClusterIP Service; the quota, the limit range and the network policies.
 */
function expectedChildren(): string[] {
  return [
    `Deployment/${SERVICE}`,
    `LimitRange/${LIMIT_RANGE_NAME}`,
    `NetworkPolicy/${RESTRICTIONS_POLICY_NAME}`,
    `ResourceQuota/${RESOURCE_QUOTA_NAME}`,
    `Service.akash/${SERVICE}`,
    `Service/${SERVICE}`,
  ].sort();
}

// ---------------------------------------------------------------------------------------------

const execFileP = promisify(execFile);
const kubectl = (...args: string[]) => execFileP(binaryPath('kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster!.kubeconfigPath } });

function lastLine(text: string, re: RegExp): string {
  return text.split('\n').filter((l) => re.test(l)).at(-1)?.slice(0, 300) ?? '';
}

let stopping: Promise<void> | undefined;
async function teardown(): Promise<void> {
  stopping ??= (async () => {
    supervising = false;
    await Promise.all(pendingStarts);
    await Promise.all(replicas.map((r) => r.op.stop()));
    await cluster?.stop();
  })();
  return stopping;
}

beforeAll(async () => {
  process.once('SIGINT', () => void teardown());
  const t0 = Date.now();
  cluster = await startCluster({ nodes: 5, auditPolicy: AUDIT_POLICY, nodeMonitorGraceSeconds: NODE_MONITOR_GRACE_S, quotaSyncSeconds: QUOTA_SYNC_S, log: (m) => log(`cluster: ${m}`) });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  await kubectl('apply', '--server-side', '-f', path.join(repoRoot, 'crds'));
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds'));

  // The operator gets an identity of its own, so the audit log tells its requests apart. Its
  // rights are not the point here (e2e/chart/rbac.test.ts checks the chart's ClusterRole).
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: OPERATOR_NS } } });
  await core.createNamespacedServiceAccount({ namespace: OPERATOR_NS, body: { metadata: { name: OPERATOR_SA } } });
  await kc.makeApiClient(k8s.RbacAuthorizationV1Api).createClusterRoleBinding({
    body: { metadata: { name: 'faults-operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: OPERATOR_SA, namespace: OPERATOR_NS }] },
  });
  const token = await core.createNamespacedServiceAccountToken({ name: OPERATOR_SA, namespace: OPERATOR_NS, body: { spec: { expirationSeconds: 7200, audiences: [] } } });
  const ca = Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString('utf8');
  operatorKubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faults-')), 'kubeconfig');
  fs.writeFileSync(operatorKubeconfig, kubeconfigYaml('faults', { server: cluster.server, caPem: ca, user: OPERATOR_USER, token: token.status!.token }), { mode: 0o600 });

  // The audit log must show a delete when there is one, or its silence below would prove nothing.
  await core.createNamespacedConfigMap({ namespace: OPERATOR_NS, body: { metadata: { name: 'audit-probe' } } });
  await core.deleteNamespacedConfigMap({ namespace: OPERATOR_NS, name: 'audit-probe' });
  const probe = await pollUntil(async () => auditDeletes().find((e) => e.objectRef?.resource === 'configmaps' && e.objectRef.name === 'audit-probe' && e.user?.username === 'admin'), 10_000);
  expect(probe, 'the audit log records deletes').toBeDefined();

  await startReplica();
  await leader();
  await startReplica();
  log(`cluster and two operator replicas ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 240_000);

afterAll(teardown, 120_000);

/*
 * Where a lease hangs after a storage fault, it has been the simulated cluster so far, each handled
 * above or below: the node lifecycle controller (NODE_MONITOR_GRACE_S), leaked quota usage
 * (QUOTA_SYNC_S) and kwok's lost pod (the kwok restart after the etcd restart). `describeLease`
 * prints where a stuck lease stands, from its status down to its pods and Events.
 */

describe('faults during provisioning', () => {
  it('kill -9 of the leader, three times at random points while 200 leases are provisioned', async () => {
    const creating = createLeases(300_000, 200, 8);
    let faultEnded = 0;
    for (let kill = 1; kill <= 3; kill++) {
      const lead = await leader();
      // A random point: the first kill soon after creation started, the next ones soon after the
      // previous takeover, while the new leader works through the backlog.
      await sleep(kill === 1 ? rand(2000, 6000) : rand(0, 4000));
      const ready = await recordReadyChildren();
      await scrapeDeletes();
      lead.killed = true;
      const killedAt = Date.now();
      lead.op.kill('SIGKILL');
      await lead.op.exited;
      const replacement = startReplica();
      const next = await leader(30_000);
      faultEnded = Date.now();
      const takeover = faultEnded - killedAt;
      log(`kill ${kill}: ${lead.name} killed with ${ready}/${leases.size} leases Ready; ${next.name} leads after ${(takeover / 1000).toFixed(1)} s`);
      await replacement;
      expect(next.name).not.toBe(lead.name);
    }
    await creating;
    await checkAfterFault('leader kill -9 ×3', faultEnded);
  }, 480_000);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`kube-apiserver restart (${signal}) while 50 leases are provisioned`, async () => {
      const first = 310_000 + (signal === 'SIGTERM' ? 0 : 1000);
      const creating = createLeases(first, 50, 10);
      await sleep(rand(1000, 3000));
      const ready = await recordReadyChildren();
      await scrapeDeletes();
      // SIGTERM gets 10 s, as a short termination grace period: kube-apiserver drains for up to its
      // request timeout (60 s), longer than this suite's budget allows.
      const report = await cluster!.restart('kube-apiserver', { signal, downMs: 2000, graceMs: 10_000 });
      const faultEnded = Date.now();
      log(`kube-apiserver ${signal} with ${ready}/${leases.size} leases Ready: exited after ${(report.stopMs / 1000).toFixed(1)} s${report.forced ? ' (SIGKILL after the grace)' : ''}, back after ${(report.outageMs / 1000).toFixed(1)} s`);
      await creating;
      await checkAfterFault(`kube-apiserver restart (${signal})`, faultEnded);
    }, 360_000);
  }

  it('etcd restart (SIGKILL) while 50 leases are provisioned', async () => {
    const creating = createLeases(320_000, 50, 10);
    await sleep(rand(1000, 3000));
    const ready = await recordReadyChildren();
    await scrapeDeletes();
    const report = await cluster!.restart('etcd', { signal: 'SIGKILL', downMs: 3000 });
    // kwok gives up on a pod whose status patch failed with an error it does not retry: while etcd
    // was away the API server answered "rpc error: code = Unavailable" (kwok retries only refused
    // connections, timeouts, 429 and 503), and such a pod stayed Pending for good in one run. A
    // kubelet resyncs its pods every minute; kwok lists them only when it starts, so it starts again.
    await cluster!.restart('kwok');
    const faultEnded = Date.now();
    log(`etcd SIGKILL with ${ready}/${leases.size} leases Ready: etcd and the API server back after ${(report.outageMs / 1000).toFixed(1)} s`);
    await creating;
    await checkAfterFault('etcd restart (SIGKILL)', faultEnded);
    log(`replicas started: ${seq}; unexpected exits (replaced): ${unexpectedExits.length ? unexpectedExits.join(' | ') : 'none'}`);
  }, 360_000);
});
