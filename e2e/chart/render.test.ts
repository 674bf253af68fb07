/**
 * The chart as rendered by `helm template` (no operator runs here): least-privilege RBAC, a
 * restricted pod, leader election on, values checked by the schema, CRDs identical to crds/.
 * Whether the rules suffice is proved against the API server in rbac.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildCrds } from '../../src/api/crds.ts';
import { loadConfig } from '../../src/config/load.ts';
import { repoRoot } from '../harness/binaries.ts';
import { runTool } from '../support/cluster.ts';
import { CHART, nodeFlagsOf } from './support.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

async function render(...sets: string[]): Promise<Doc[]> {
  const { stdout } = await runTool('helm', ['template', 'rel', CHART, '-n', 'ops', ...sets.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}
const one = (docs: Doc[], kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
/** `group/resource` → sorted verbs (resourceNames appended as `name=`), one entry per rule resource. */
function table(rules: Rule[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) {
        const key = `${g || 'core'}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`;
        out[key] = [...(out[key]?.split(',') ?? []), ...r.verbs].sort().join(',');
      }
    }
  }
  return out;
}

describe('the chart', () => {
  it('is lint-clean with --strict', async () => {
    const { stdout } = await runTool('helm', ['lint', '--strict', CHART]);
    expect(stdout).toContain('0 chart(s) failed');
    expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('ships CRDs identical to crds/ in its crds/ folder (installed once, never deleted by Helm)', () => {
    const ours = fs.readdirSync(path.join(repoRoot, 'crds')).sort();
    expect(fs.readdirSync(path.join(CHART, 'crds')).sort()).toEqual(ours);
    for (const f of ours) {
      const hint = `charts/akash-operator/crds/${f} differs from crds/${f}: run \`cp crds/*.yaml charts/akash-operator/crds/\``;
      expect(fs.readFileSync(path.join(CHART, 'crds', f), 'utf8'), hint).toBe(fs.readFileSync(path.join(repoRoot, 'crds', f), 'utf8'));
    }
  });

  it('grants exactly the rules the operator uses: no wildcard, no cluster-admin, no escalation verbs', async () => {
    const docs = await render();
    const roles = docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    for (const role of roles) {
      for (const r of role.rules ?? []) {
        for (const field of [r.apiGroups, r.resources, r.verbs, r.resourceNames, r.nonResourceURLs]) expect(field ?? [], `${role.kind} ${role.metadata.name}`).not.toContain('*');
        expect(r.verbs.filter((v) => ['escalate', 'bind', 'impersonate', 'deletecollection'].includes(v))).toEqual([]);
        expect(r.nonResourceURLs).toBeUndefined();
        expect(r.apiGroups ?? []).not.toContain('rbac.authorization.k8s.io');
      }
    }
    for (const binding of docs.filter((d) => d.kind.endsWith('Binding'))) {
      expect(binding.roleRef?.name).not.toMatch(/^(cluster-admin|admin|edit)$/);
    }
    const crdNames = buildCrds().map((c) => c.metadata.name).sort();
    expect(table(one(docs, 'ClusterRole').rules!)).toEqual({
      [`apiextensions.k8s.io/customresourcedefinitions[${crdNames.join(',')}]`]: 'get',
      'provider.akash.network/leases': 'list,patch,watch',
      'provider.akash.network/manifests': 'delete,list,watch',
      'provider.akash.network/services': 'create,delete,list,patch,watch',
      'provider.akash.network/hostnameclaims': 'create,delete,get,list,watch',
      'provider.akash.network/leases/status': 'patch',
      'provider.akash.network/manifests/status': 'patch',
      'provider.akash.network/services/status': 'patch',
      'provider.akash.network/leases/finalizers': 'update',
      'provider.akash.network/services/finalizers': 'update',
      'core/namespaces': 'create,delete,get,list,patch,watch',
      'core/resourcequotas': 'create,list,patch,watch',
      'core/limitranges': 'create,list,patch,watch',
      'networking.k8s.io/networkpolicies': 'create,delete,list,patch,watch',
      'apps/deployments': 'create,delete,list,patch,watch',
      'apps/statefulsets': 'create,delete,list,patch,watch',
      'core/services': 'create,delete,list,patch,watch',
      'networking.k8s.io/ingresses': 'create,delete,list,patch,watch',
      'core/secrets': 'create,delete,list,patch,watch',
      'events.k8s.io/events': 'create,patch',
    });
    const role = one(docs, 'Role');
    expect(role.metadata.namespace).toBe('ops');
    expect(table(role.rules!)).toEqual({
      'coordination.k8s.io/leases': 'create',
      'coordination.k8s.io/leases[rel-akash-operator]': 'get,update',
      'core/secrets': 'list,watch',
      'core/configmaps': 'create,get,list,patch,watch',
    });
  });

  it('adds the tenant gateway (rights, port, Service, TLS Secret) only when enabled', async () => {
    const docs = await render('gateway.enabled=true', 'gateway.tlsSecretName=gw-tls', 'gateway.providerAddress=akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0');
    const rules = table(one(docs, 'ClusterRole').rules!);
    expect(rules['provider.akash.network/services/scale']).toBe('patch');
    expect(rules['provider.akash.network/tenantroles']).toBe('create,delete,list,patch');
    expect(rules['provider.akash.network/manifests']).toBe('create,delete,get,list,patch,watch');
    expect(table(one(docs, 'Role').rules!)['core/secrets']).toBe('get,list,watch');
    const svc = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'rel-akash-operator-gateway');
    expect(svc).toBeDefined();
    const cfg = parseAllDocuments(one(docs, 'ConfigMap').data!['config.yaml']!)[0]!.toJS() as { gateway?: { addr: string } };
    expect(cfg.gateway?.addr).toBe('0.0.0.0:8443');
    const without = table(one(await render(), 'ClusterRole').rules!);
    expect(without['provider.akash.network/services/scale']).toBeUndefined();
    await expect(render('gateway.enabled=true')).rejects.toThrow(/tlsSecretName|providerAddress/);
  });

  it('adds HTTPRoute rights only when the policy routes with the Gateway API', async () => {
    const rules = table(one(await render('config.policy.ingress.mode=httproute'), 'ClusterRole').rules!);
    expect(rules['gateway.networking.k8s.io/httproutes']).toBe('create,delete,list,patch,watch');
  });

  it('runs 2 leader-elected replicas in a restricted pod, with POD_NAME and POD_NAMESPACE from the downward API', async () => {
    const docs = await render();
    const d = one(docs, 'Deployment') as unknown as { spec: { replicas: number; template: { spec: PodSpec } } };
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe('rel-akash-operator');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0]!;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ]),
    );
    expect(c.args).toEqual(['run', '--config', '/etc/akash-operator/config.yaml']);
    // The image's entry point (Dockerfile) with the V8 flags NODE_OPTIONS refuses.
    expect(c.command).toEqual(['node', '--optimize-for-size', 'dist/main.js']);
    expect(nodeFlagsOf(c.command)).toEqual(['--optimize-for-size']);
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(one(docs, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(one(docs, 'Service').spec).toMatchObject({ ports: [{ name: 'metrics', port: 8080, targetPort: 'metrics' }] });
    expect(docs.filter((x) => x.kind === 'ServiceMonitor')).toEqual([]);
    expect(one(await render('metrics.serviceMonitor.enabled=true'), 'ServiceMonitor').spec).toMatchObject({ endpoints: [{ port: 'metrics', path: '/metrics' }] });
  });

  it('holds an operator configuration that the operator loads, with leader election on', async () => {
    const cm = one(await render('config.policy.podSecurityLevel=restricted', 'config.policy.runAsNonRoot=true', 'config.policy.allowedCapabilities={NET_BIND_SERVICE}'), 'ConfigMap');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chart-config-')), 'config.yaml');
    fs.writeFileSync(file, cm.data?.['config.yaml'] ?? '');
    const cfg = loadConfig(['--config', file], { POD_NAMESPACE: 'ops' });
    expect(cfg).toMatchObject({ namespace: 'ops', metricsAddr: '0.0.0.0:8080', logLevel: 'info', concurrency: 4, resyncSeconds: 600, fieldManager: 'akash-operator' });
    expect(cfg.leaderElection).toEqual({ enabled: true, leaseName: 'rel-akash-operator', namespace: 'ops', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
    expect(cfg.resolvedPolicy.podSecurityLevel).toBe('restricted');
  });

  it('refuses values that would weaken the pod, disable election with replicas, or break the election timings', async () => {
    const fails = async (...sets: string[]) => (await render(...sets).then(() => '', (e: unknown) => String((e as { stderr?: string }).stderr ?? e))) || 'rendered';
    expect(await fails('securityContext.readOnlyRootFilesystem=false')).toMatch(/readOnlyRootFilesystem/);
    expect(await fails('securityContext.allowPrivilegeEscalation=true')).toMatch(/allowPrivilegeEscalation/);
    expect(await fails('podSecurityContext.runAsNonRoot=false')).toMatch(/runAsNonRoot/);
    expect(await fails('leaderElection.enabled=false')).toMatch(/replicaCount > 1 needs leaderElection.enabled/);
    expect(await fails('leaderElection.renewDeadlineSeconds=15')).toMatch(/leaseDurationSeconds \(15\) must be greater than renewDeadlineSeconds \(15\)/);
    expect(await fails('config.logLevel=loud')).toMatch(/logLevel/);
    expect(await fails('unknownKey=1')).toMatch(/additional properties 'unknownKey' not allowed/);
    // Flags go on node's command line unquoted by a shell, but only flag-shaped words are accepted.
    expect(await fails('nodeFlags={--stack-size=2000 --x; rm}')).toMatch(/nodeFlags\/0.*does not match pattern/);
    expect(await fails('replicaCount=1', 'leaderElection.enabled=false')).toBe('rendered');
  });
});

interface Probe {
  httpGet?: { path: string };
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: { command: string[]; args: string[]; env: unknown[]; securityContext: unknown; readinessProbe?: Probe; livenessProbe?: Probe }[];
}
