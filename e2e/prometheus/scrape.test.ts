/**
 * Prometheus from Debian's package (scripts/ci-packages.sh installs it) scrapes the operator's
 * /metrics, and the reconcile counters read back through Prometheus's HTTP API (issue 5, DESIGN §7).
 *
 * The operator here runs against a control plane of its own (etcd + kube-apiserver, no nodes):
 * every operator reconciles every Lease and Manifest it can see, so on the suite's shared cluster it
 * would fight e2e/operator's operator over that file's Leases. Alone, it can be given a Lease and a
 * Manifest of its own, so its lease and manifest reconcile counters certainly move.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPath, repoRoot } from '../harness/binaries.ts';
import { startCluster, type Cluster } from '../harness/cluster.ts';
import { httpGet } from '../harness/http.ts';
import { freePort } from '../harness/ports.ts';
import { startProcess, type ManagedProcess } from '../harness/process.ts';
import { pollUntil } from '../harness/wait.ts';
import { leaseAndManifest } from '../operator/fixtures.ts';
import { metricSum, startOperatorProcess, type OperatorProcess } from '../support/operator.ts';

const GROUP = 'provider.akash.network';
const VERSION = 'v1alpha1';
const OPERATOR_NS = 'akash-operator-prometheus';
const JOB = 'akash-operator';

/** The prometheus binary on PATH (Debian installs /usr/bin/prometheus), or PROMETHEUS_BIN. */
function prometheusBinary(): string {
  const explicit = process.env.PROMETHEUS_BIN;
  const candidates = explicit ? [explicit] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'prometheus'));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error(`prometheus is not installed${explicit ? ` at PROMETHEUS_BIN=${explicit}` : ' on PATH'}: run scripts/ci-packages.sh (apt-get install prometheus), as .ci/run does.`);
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through Prometheus's HTTP API; the vector it returns. */
async function query(base: string, promql: string): Promise<Sample[]> {
  const res = await httpGet(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (res.status !== 200) throw new Error(`GET /api/v1/query ${promql}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const body = JSON.parse(res.body) as { status: string; data: { resultType: string; result: Sample[] } };
  if (body.status !== 'success' || body.data.resultType !== 'vector') throw new Error(`unexpected answer to ${promql}: ${res.body.slice(0, 300)}`);
  return body.data.result;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const v = await pollUntil(probe, ms, { intervalMs: 250 });
  if (v === undefined) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  return v;
}

let cluster: Cluster | undefined;
let op: OperatorProcess | undefined;
let prom: ManagedProcess | undefined;
let promUrl = '';
const tempDirs: string[] = [];

beforeAll(async () => {
  const bin = prometheusBinary();
  cluster = await startCluster({ nodes: 0 });
  const kubeconfig = cluster.kubeconfigPath;
  const kubectl = promisify(execFile);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await kubectl(binaryPath('kubectl'), ['apply', '--server-side', '-f', path.join(repoRoot, 'crds')], { env });
  await kubectl(binaryPath('kubectl'), ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')], { env });
  await kubectl(binaryPath('kubectl'), ['create', 'namespace', OPERATOR_NS], { env });

  op = await startOperatorProcess({ kubeconfig, namespace: OPERATOR_NS });
  tempDirs.push(path.dirname(op.logPath));
  // Should this worker die without afterAll, the cluster's reaper stops the operator too.
  fs.appendFileSync(path.join(cluster.workdir, 'pids'), `${op.proc.pid}\n`);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const { lease, manifest } = leaseAndManifest('4242', [{ name: 'web' }]);
  await custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'manifests', body: manifest });
  await custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'leases', body: lease });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
  tempDirs.push(dir);
  const target = new URL(op.url).host;
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - job_name: ${JOB}`,
      `    static_configs: [{ targets: ['${target}'] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = await startProcess(
    'prometheus',
    bin,
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, '--log.level=warn'],
    { logPath: path.join(dir, 'prometheus.log') },
  );
  fs.appendFileSync(path.join(cluster.workdir, 'pids'), `${prom.pid}\n`);
  const ready = await pollUntil(async () => ((await httpGet(`${promUrl}/-/ready`)).status === 200 ? true : undefined), 60_000, {
    abort: () => prom?.failure(),
  });
  if (!ready) throw new Error(`prometheus was not ready within 60 s; log: ${prom.logPath}`);
});

afterAll(async () => {
  await prom?.stop();
  await op?.stop();
  await cluster?.stop();
  if (!process.env.E2E_KEEP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('Prometheus (Debian package) scraping the operator', () => {
  it('finds the operator target up', async () => {
    const up = await eventually('up{job="akash-operator"} to be 1', async () => {
      const r = await query(promUrl, `up{job="${JOB}"}`);
      return r[0]?.value[1] === '1' ? r : undefined;
    });
    expect(up).toHaveLength(1);
    expect(up[0]?.metric.instance).toBe(new URL(op!.url).host);
  });

  it('reads the lease and manifest reconcile counters back through /api/v1/query', async () => {
    const byController = await eventually('lease and manifest reconciles to show up in Prometheus', async () => {
      const r = await query(promUrl, `sum by (controller) (controller_runtime_reconcile_total{job="${JOB}"})`);
      const m = Object.fromEntries(r.map((s) => [s.metric.controller ?? '', Number(s.value[1])]));
      return (m.lease ?? 0) > 0 && (m.manifest ?? 0) > 0 ? m : undefined;
    });
    // Every controller's series exists (zero-initialised), and a scrape never runs ahead of the source.
    expect(Object.keys(byController).sort()).toEqual(['lease', 'manifest', 'service', 'tenant-tls']);
    const direct = await op!.metrics();
    for (const controller of ['lease', 'manifest'] as const) {
      expect(byController[controller]).toBeGreaterThan(0);
      expect(byController[controller]).toBeLessThanOrEqual(metricSum(direct, 'controller_runtime_reconcile_total', { controller }));
    }
    const requests = await query(promUrl, `sum(rest_client_requests_total{job="${JOB}"})`);
    expect(Number(requests[0]?.value[1])).toBeGreaterThan(0);
  });
});
