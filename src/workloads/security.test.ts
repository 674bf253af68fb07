/**
 * Proof that a manifest cannot reach privileged mode, host namespaces, host paths or added
 * dangerous capabilities: (1) our CRD has no field for them, (2) every object every builder emits,
 * for hundreds of generated Service specs (hostile strings included) under several provider
 * policies, is walked for those fields.
 */
import { describe, expect, it } from 'vitest';
import { buildCrds } from '../api/crds.ts';
import type { ServiceSpec } from '../api/service.ts';
import type { Attribute, ServiceExpose } from '../api/wire.ts';
import { buildServiceChildren } from './children.ts';
import { WorkloadSpecError } from './errors.ts';
import { buildLeaseNamespace } from './namespace.ts';
import { buildNetworkPolicies } from './network-policy.ts';
import { ADDABLE_CAPABILITIES, resolveProviderPolicy, type ProviderPolicy } from './policy.ts';
import { buildPullSecret } from './pull-secret.ts';
import { buildLimitRange, buildResourceQuota } from './quota.ts';
import { DEFAULT_HTTP, LEASE_ID, NS } from './test-fixtures.ts';

/** Fields that must never appear in anything we build, whatever their value. */
const FORBIDDEN_KEYS = ['hostPath', 'hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'hostPort', 'hostProcess', 'procMount', 'sysctls', 'nodeName', 'externalIPs', 'externalName', 'serviceAccountName'];

function violations(obj: unknown, policy: ProviderPolicy, path = ''): string[] {
  const out: string[] = [];
  if (Array.isArray(obj)) {
    obj.forEach((v, i) => out.push(...violations(v, policy, `${path}[${i}]`)));
    return out;
  }
  if (typeof obj !== 'object' || obj === null) return out;
  const o = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    const at = `${path}.${k}`;
    if (FORBIDDEN_KEYS.includes(k)) out.push(`${at} present`);
    if (k === 'privileged' && v !== false) out.push(`${at} = ${JSON.stringify(v)}`);
    if (k === 'allowPrivilegeEscalation' && v !== false) out.push(`${at} = ${JSON.stringify(v)}`);
    if (k === 'automountServiceAccountToken' && v !== false) out.push(`${at} = ${JSON.stringify(v)}`);
    // The provider's own agent sidecar runs as a fixed non-root user; nothing else may set one.
    const agentUser = (k === 'runAsUser' || k === 'runAsGroup') && v === 65532 && /\.initContainers\[0\]\.securityContext$/.test(path);
    if ((k === 'runAsUser' || k === 'runAsGroup') && !agentUser) out.push(`${at} present`);
    if (k === 'seLinuxOptions' || k === 'appArmorProfile') out.push(`${at} present`);
    if (k === 'seccompProfile' && (v as { type?: unknown }).type !== 'RuntimeDefault') out.push(`${at} = ${JSON.stringify(v)}`);
    if (k === 'capabilities') {
      const caps = v as { add?: string[]; drop?: string[] };
      if (JSON.stringify(caps.drop) !== '["ALL"]') out.push(`${at}.drop = ${JSON.stringify(caps.drop)}`);
      for (const c of caps.add ?? []) {
        if (!(ADDABLE_CAPABILITIES as readonly string[]).includes(c) || !(policy.allowedCapabilities as string[]).includes(c)) out.push(`${at}.add has ${c}`);
      }
    }
    if (k === 'type' && (v === 'LoadBalancer' || v === 'ExternalName')) out.push(`${at} = ${String(v)}`);
    if (k === 'volumes') {
      for (const vol of v as Record<string, unknown>[]) {
        const sources = Object.keys(vol).filter((x) => x !== 'name');
        const svid = sources[0] === 'secret' && vol.name === 'spiffe-svid' && /-svid$/.test((vol.secret as { secretName?: string }).secretName ?? '');
        if (sources.length !== 1 || (sources[0] !== 'emptyDir' && !svid)) out.push(`${at}: volume source ${sources.join(',')}`);
      }
    }
    if (k === 'containers' || k === 'initContainers' || k === 'ephemeralContainers') {
      const agentOnly = k === 'initContainers' && policy.spiffe.enabled && JSON.stringify((v as { name?: string; image?: string }[]).map((c) => [c.name, c.image])) === JSON.stringify([['spiffe-agent', policy.spiffe.agentImage]]);
      if (k !== 'containers' && !agentOnly) out.push(`${at} present`);
      for (const c of v as { securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: unknown } }[]) {
        if (c.securityContext?.allowPrivilegeEscalation !== false || !c.securityContext.capabilities) out.push(`${at}: a container without the hardened securityContext`);
      }
    }
    if (k === 'spec' && typeof v === 'object' && v !== null && 'containers' in v) {
      const pod = v as { automountServiceAccountToken?: boolean; securityContext?: { seccompProfile?: unknown } };
      if (pod.automountServiceAccountToken !== false) out.push(`${at}.automountServiceAccountToken not false`);
      if (!pod.securityContext?.seccompProfile) out.push(`${at}.securityContext.seccompProfile missing`);
    }
    out.push(...violations(v, policy, at));
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = ['privileged', 'true', 'hostPath', '/', '/proc', '/var/run/docker.sock', '/host', 'SYS_ADMIN', 'hostNetwork=true', '--privileged', 'nsenter -t 1 -m sh', '../../etc', 'NET_ADMIN', 'hostPID: true'];

function generateSpec(rand: () => number): ServiceSpec {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const some = <T>(n: number, f: () => T): T[] => Array.from({ length: Math.floor(rand() * (n + 1)) }, f);
  const attrs = (): Attribute[] =>
    some(3, () =>
      pick([
        { key: 'persistent', value: pick(['true', 'true', 'false', 'yes']) },
        { key: 'class', value: pick(['ram', 'ram', 'beta3', 'default', 'hostPath']) },
        { key: pick(HOSTILE), value: pick(HOSTILE) },
      ]),
    );
  const volumeNames = ['default', 'data', 'shm', 'host', 'privileged'];
  // Mostly distinct names, so that most specs get past the checks and reach the builders.
  const storage = some(3, () => ({ name: rand() < 0.9 ? `v${Math.floor(rand() * 1000)}` : pick(volumeNames), size: { val: rand() < 0.05 ? '99999999999999999999' : pick(['1', '1073741824']) }, ...(rand() < 0.5 ? { attributes: attrs() } : {}) }));
  const expose = some(4, (): ServiceExpose => ({
    port: pick([22, 53, 80, 443, 8080, 65535]),
    externalPort: pick([0, 80, 443, 2222, 30000]),
    proto: pick(['TCP', 'UDP'] as const),
    service: pick(['', 'db']),
    global: rand() < 0.6,
    ...(rand() < 0.5 ? { hosts: some(2, () => pick(['www.example.com', 'a.example.org', 'metadata.google.internal'])) } : {}),
    httpOptions: DEFAULT_HTTP,
    ip: pick(['', 'myip']),
    endpointSequenceNumber: 0,
  }));
  const spec: ServiceSpec = {
    kind: rand() < 0.95 ? 'container' : 'function',
    image: pick(['nginx:1.27', `alpine@sha256:${'a'.repeat(64)}`, 'privileged', 'ghcr.io/x/y:latest']),
    resources: {
      id: 1,
      cpu: { units: { val: rand() < 0.05 ? '0' : pick(['1', '500', '64000']) } },
      memory: { size: { val: pick(['1', '536870912']) } },
      storage,
      ...(rand() < 0.2 ? { gpu: { units: { val: pick(['0', '1', '8']) }, attributes: some(2, () => ({ key: pick(['vendor/nvidia/model/a100', 'vendor/amd/model/mi300', 'vendor/nvidia', 'hostPath']), value: 'true' })) } } : {}),
    },
    count: Math.floor(rand() * 4),
    expose,
  };
  if (rand() < 0.6) spec.command = some(3, () => pick(HOSTILE));
  if (rand() < 0.6) spec.args = some(3, () => pick(HOSTILE));
  if (rand() < 0.7) spec.env = some(4, () => `${pick(['A', 'AKASH_OWNER', 'privileged', 'SECURITY_CONTEXT'])}=${pick(HOSTILE)}`);
  const mountable = storage.map((v) => v.name);
  if (rand() < 0.6) spec.params = { storage: some(3, () => ({ name: rand() < 0.9 && mountable.length > 0 ? pick(mountable) : pick(volumeNames), mount: pick(['/data', '/dev/shm', '/var/run/docker.sock', '/proc/sys', '/host', '/data/../..']), readOnly: rand() < 0.5 })) };
  if (rand() < 0.3) spec.credentialsSecretRef = { namespace: 'akash-operator', name: 'creds' };
  if (rand() < 0.3) spec.identity = { spiffe: rand() < 0.5 };
  return spec;
}

const POLICIES: ProviderPolicy[] = [
  resolveProviderPolicy(),
  resolveProviderPolicy({ podSecurityLevel: 'restricted', runAsNonRoot: true, allowedCapabilities: ['NET_BIND_SERVICE'] }),
  resolveProviderPolicy({ allowedCapabilities: [...ADDABLE_CAPABILITIES], podSecurityLevel: 'privileged', runtimeClassName: 'gvisor', requireAkashNodeLabels: true }),
  resolveProviderPolicy({ ingress: { mode: 'httproute', domain: 'ingress.example.com' }, imagePullSecretName: 'provider-pull', overcommitPct: { cpu: 300, memory: 50, storage: 7 } }),
  resolveProviderPolicy({ podSecurityLevel: 'restricted', runAsNonRoot: true, allowedCapabilities: [], spiffe: { enabled: true, agentImage: 'registry.example/akash-operator:1' } }),
];

describe('no manifest field reaches privileged, host* or dangerous capabilities', () => {
  it('the Service and Manifest CRDs have no field for them', () => {
    const names = new Set<string>();
    const walk = (n: { properties?: Record<string, unknown>; items?: unknown }) => {
      for (const [k, v] of Object.entries(n.properties ?? {})) {
        names.add(k);
        walk(v as never);
      }
      if (n.items) walk(n.items as never);
    };
    for (const crd of buildCrds()) walk(crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec as never);
    for (const k of [...FORBIDDEN_KEYS, 'privileged', 'allowPrivilegeEscalation', 'capabilities', 'securityContext', 'volumes', 'serviceAccount', 'runtimeClassName']) {
      expect(names.has(k), `CR field ${k}`).toBe(false);
    }
  });

  it('every object built from 400 generated specs under 5 policies is clean', () => {
    const rand = prng(20260701);
    let built = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const spec = generateSpec(rand);
      for (const policy of POLICIES) {
        const objects: unknown[] = [buildLeaseNamespace(LEASE_ID, policy), ...buildNetworkPolicies(LEASE_ID, [{ name: 'web', expose: spec.expose }], policy)];
        try {
          const c = buildServiceChildren({ service: { metadata: { name: 'web', namespace: NS }, spec }, leaseId: LEASE_ID, policy });
          objects.push(c.workload, ...c.services, ...c.ingresses, ...c.httpRoutes);
          objects.push(buildResourceQuota(LEASE_ID, [{ name: 'web', ...spec }]), buildLimitRange(LEASE_ID, [{ name: 'web', ...spec }]));
          objects.push(buildPullSecret(LEASE_ID, 'web', { host: 'ghcr.io', username: 'u', password: 'p', email: '' }));
          built++;
        } catch (e) {
          // Refusing a spec is fine; crashing on one is not.
          if (!(e instanceof WorkloadSpecError)) throw e;
          refused++;
        }
        for (const o of objects) expect(violations(o, policy), `spec #${i}: ${JSON.stringify(spec)}`).toEqual([]);
      }
    }
    // The generator must exercise the builders, not only their refusals.
    expect(built).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(100);
  });

  it('the walker itself catches each forbidden field', () => {
    const policy = POLICIES[0]!;
    const bad = {
      spec: {
        hostNetwork: true,
        automountServiceAccountToken: true,
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
        containers: [{ securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { drop: [], add: ['SYS_ADMIN', 'CHOWN'] } }, ports: [{ hostPort: 80 }] }],
      },
    };
    expect(violations(bad, policy)).toEqual(
      expect.arrayContaining([
        '.spec.hostNetwork present',
        '.spec.automountServiceAccountToken = true',
        '.spec.securityContext.seccompProfile = {"type":"Unconfined"}',
        '.spec.volumes: volume source hostPath',
        '.spec.volumes[0].hostPath present',
        '.spec.containers[0].securityContext.privileged = true',
        '.spec.containers[0].securityContext.allowPrivilegeEscalation = true',
        '.spec.containers[0].securityContext.capabilities.drop = []',
        '.spec.containers[0].securityContext.capabilities.add has SYS_ADMIN',
        '.spec.containers[0].ports[0].hostPort present',
      ]),
    );
  });
});
