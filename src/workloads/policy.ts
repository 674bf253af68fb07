/**
 * The provider's policy for tenant workloads: everything the builders take from the provider
 * rather than from the manifest. Defaults favour isolation that still runs common images.
 */
import { parseCidr } from './cidr.ts';
import type { SchemaIssue } from '../api/validate.ts';

export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/**
 * The most a provider may add back after dropping ALL: Pod Security Standards *baseline*'s list.
 * Anything else (NET_RAW, NET_ADMIN, SYS_ADMIN, SYS_PTRACE, …) can never reach a tenant pod.
 */
export const ADDABLE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
] as const;
export type AddableCapability = (typeof ADDABLE_CAPABILITIES)[number];

export interface ProviderPolicy {
  /** Pod Security Admission level enforced (and audited, warned) on lease namespaces. */
  podSecurityLevel: PodSecurityLevel;
  /** Require non-root containers. Off by default: many tenant images run as root. */
  runAsNonRoot: boolean;
  /** Capabilities added back after drop ALL; a subset of ADDABLE_CAPABILITIES. */
  allowedCapabilities: AddableCapability[];
  /** RuntimeClass of tenant pods (gVisor, Kata, …); undefined or "none" = the cluster default. */
  runtimeClassName: string | undefined;
  /**
   * Overcommit in percent per resource (the Go provider's `--overcommit-pct-*`): requests =
   * limits × 100 / (100 + pct), computed exactly. 0 = requests equal limits. GPUs are never
   * overcommitted.
   */
  overcommitPct: { cpu: number; memory: number; storage: number };
  ingress: {
    /** `ingress`: networking.k8s.io Ingress; `httproute`: Gateway API HTTPRoute. */
    mode: 'ingress' | 'httproute';
    /** IngressClass of tenant Ingresses. */
    className: string;
    /** Namespace of the ingress controller (or Gateway data plane) allowed to reach tenant pods. */
    controllerNamespace: string;
    /** The Gateway HTTPRoutes attach to (httproute mode). */
    gateway: { name: string; namespace: string };
    /** When set, every HTTP service also gets the Go provider's static host `<uuid>.<domain>`. */
    domain: string | undefined;
  };
  /** The cluster's pod and service ranges: tenant egress to them is denied. */
  clusterCidrs: { pods: string[]; services: string[] };
  /** Where cluster DNS runs: the only cluster destination tenant pods may reach. */
  dns: { namespace: string; podLabels: Record<string, string> };
  /** Value of AKASH_CLUSTER_PUBLIC_HOSTNAME in tenant pods. */
  clusterPublicHostname: string;
  /** Provider-wide pull Secret for services without credentials (`--docker-image-pull-secrets-name`). */
  imagePullSecretName: string | undefined;
  /**
   * Schedule only on nodes the Akash inventory operator labelled (`akash.network=true` plus GPU and
   * storage-class capability labels), as the Go provider does.
   */
  requireAkashNodeLabels: boolean;
  /**
   * SPIFFE workload identity (docs/adr/0004-spiffe-identity.md): pods of services with
   * `spec.identity.spiffe` mount their SVID Secret and run the Workload API agent as a native
   * sidecar. Filled from the `identity` section of the configuration.
   */
  spiffe: {
    enabled: boolean;
    /** Image of the agent sidecar: the operator's own image (`akash-operator spiffe-agent`). */
    agentImage: string;
    /** Per pod, on top of what was leased; the lease's quota grows by this times its pods. */
    agentCpuMillis: number;
    agentMemoryMi: number;
  };
}

/** A partial policy as configuration supplies it; nested objects may be partial too. */
export type ProviderPolicyInput = Partial<Omit<ProviderPolicy, 'ingress' | 'overcommitPct' | 'clusterCidrs' | 'dns' | 'spiffe'>> & {
  spiffe?: Partial<ProviderPolicy['spiffe']>;
  ingress?: Partial<Omit<ProviderPolicy['ingress'], 'gateway'>> & { gateway?: Partial<ProviderPolicy['ingress']['gateway']> };
  overcommitPct?: Partial<ProviderPolicy['overcommitPct']>;
  clusterCidrs?: Partial<ProviderPolicy['clusterCidrs']>;
  dns?: Partial<ProviderPolicy['dns']>;
};

export const DEFAULT_PROVIDER_POLICY: ProviderPolicy = {
  podSecurityLevel: 'baseline',
  runAsNonRoot: false,
  // What nginx, postgres, redis and most images that start as root and drop to a user need.
  // Left out of Docker's default set: NET_RAW (spoofing, ARP), MKNOD, SYS_CHROOT, AUDIT_WRITE, SETFCAP, SETPCAP.
  allowedCapabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
  runtimeClassName: undefined,
  overcommitPct: { cpu: 0, memory: 0, storage: 0 },
  ingress: {
    mode: 'ingress',
    className: 'akash-ingress-class',
    controllerNamespace: 'ingress-nginx',
    gateway: { name: 'akash-gateway', namespace: 'akash-gateway' },
    domain: undefined,
  },
  clusterCidrs: { pods: [], services: [] },
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
  clusterPublicHostname: '',
  imagePullSecretName: undefined,
  requireAkashNodeLabels: false,
  spiffe: { enabled: false, agentImage: 'ghcr.io/akash-operator/akash-operator:0.1.0', agentCpuMillis: 20, agentMemoryMi: 128 },
};

export class ProviderPolicyError extends Error {
  override name = 'ProviderPolicyError';
  readonly issues: SchemaIssue[];
  constructor(issues: SchemaIssue[]) {
    super(`provider policy is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Fills defaults and checks the result; throws ProviderPolicyError naming every bad field. */
export function resolveProviderPolicy(input: ProviderPolicyInput = {}): ProviderPolicy {
  const d = DEFAULT_PROVIDER_POLICY;
  const p: ProviderPolicy = {
    ...d,
    ...input,
    allowedCapabilities: [...(input.allowedCapabilities ?? d.allowedCapabilities)],
    overcommitPct: { ...d.overcommitPct, ...input.overcommitPct },
    ingress: { ...d.ingress, ...input.ingress, gateway: { ...d.ingress.gateway, ...input.ingress?.gateway } },
    clusterCidrs: { ...d.clusterCidrs, ...input.clusterCidrs },
    dns: { ...d.dns, ...input.dns },
    spiffe: { ...d.spiffe, ...input.spiffe },
  };
  const issues: SchemaIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path: `policy.${path}`, message });

  if (!POD_SECURITY_LEVELS.includes(p.podSecurityLevel)) bad('podSecurityLevel', `must be one of ${POD_SECURITY_LEVELS.join(', ')}, got ${JSON.stringify(p.podSecurityLevel)}`);
  p.allowedCapabilities.forEach((c, i) => {
    if (!(ADDABLE_CAPABILITIES as readonly string[]).includes(c)) bad(`allowedCapabilities[${i}]`, `${JSON.stringify(c)} may not be added to tenant containers (allowed: ${ADDABLE_CAPABILITIES.join(', ')})`);
  });
  if (p.podSecurityLevel === 'restricted') {
    // PSS restricted refuses pods that could run as root or add anything but NET_BIND_SERVICE.
    if (!p.runAsNonRoot) bad('runAsNonRoot', 'must be true when podSecurityLevel is restricted');
    p.allowedCapabilities.forEach((c, i) => {
      if (c !== 'NET_BIND_SERVICE') bad(`allowedCapabilities[${i}]`, `${c} is refused by podSecurityLevel restricted (only NET_BIND_SERVICE)`);
    });
  }
  if (p.runtimeClassName !== undefined && !DNS_SUBDOMAIN.test(p.runtimeClassName)) bad('runtimeClassName', `must be a DNS subdomain, got ${JSON.stringify(p.runtimeClassName)}`);
  for (const key of ['cpu', 'memory', 'storage'] as const) {
    const v = p.overcommitPct[key];
    if (!Number.isSafeInteger(v) || v < 0 || v > 10000) bad(`overcommitPct.${key}`, `must be an integer in 0..10000, got ${JSON.stringify(v)}`);
  }
  if (p.ingress.mode !== 'ingress' && p.ingress.mode !== 'httproute') bad('ingress.mode', `must be ingress or httproute, got ${JSON.stringify(p.ingress.mode)}`);
  if (!DNS_SUBDOMAIN.test(p.ingress.className)) bad('ingress.className', `must be a DNS subdomain, got ${JSON.stringify(p.ingress.className)}`);
  if (!DNS_LABEL.test(p.ingress.controllerNamespace)) bad('ingress.controllerNamespace', `must be a namespace name, got ${JSON.stringify(p.ingress.controllerNamespace)}`);
  if (!DNS_SUBDOMAIN.test(p.ingress.gateway.name)) bad('ingress.gateway.name', `must be a DNS subdomain, got ${JSON.stringify(p.ingress.gateway.name)}`);
  if (!DNS_LABEL.test(p.ingress.gateway.namespace)) bad('ingress.gateway.namespace', `must be a namespace name, got ${JSON.stringify(p.ingress.gateway.namespace)}`);
  // The static host is `<26 chars>.<domain>` and must stay a valid hostname (253).
  if (p.ingress.domain !== undefined && (!DNS_SUBDOMAIN.test(p.ingress.domain) || p.ingress.domain.length > 226)) {
    bad('ingress.domain', `must be a lowercase DNS name of at most 226 characters, got ${JSON.stringify(p.ingress.domain)}`);
  }
  for (const key of ['pods', 'services'] as const) {
    p.clusterCidrs[key].forEach((c, i) => {
      if (!parseCidr(c)) bad(`clusterCidrs.${key}[${i}]`, `must be an IPv4 or IPv6 CIDR, got ${JSON.stringify(c)}`);
    });
  }
  if (!DNS_LABEL.test(p.dns.namespace)) bad('dns.namespace', `must be a namespace name, got ${JSON.stringify(p.dns.namespace)}`);
  if (Object.keys(p.dns.podLabels).length === 0) bad('dns.podLabels', 'must select the DNS pods (an empty selector would open the whole namespace)');
  if (p.imagePullSecretName !== undefined && !DNS_SUBDOMAIN.test(p.imagePullSecretName)) bad('imagePullSecretName', `must be a Secret name, got ${JSON.stringify(p.imagePullSecretName)}`);
  if (p.spiffe.enabled && !/^[^\s]+$/.test(p.spiffe.agentImage)) bad('spiffe.agentImage', `must be an image reference, got ${JSON.stringify(p.spiffe.agentImage)}`);
  if (!Number.isSafeInteger(p.spiffe.agentCpuMillis) || p.spiffe.agentCpuMillis < 1 || p.spiffe.agentCpuMillis > 4000) bad('spiffe.agentCpuMillis', `must be an integer in 1..4000, got ${JSON.stringify(p.spiffe.agentCpuMillis)}`);
  // Below ~40 Mi the Node.js agent cannot start; above 1 Gi something is wrong.
  if (!Number.isSafeInteger(p.spiffe.agentMemoryMi) || p.spiffe.agentMemoryMi < 40 || p.spiffe.agentMemoryMi > 1024) bad('spiffe.agentMemoryMi', `must be an integer in 40..1024, got ${JSON.stringify(p.spiffe.agentMemoryMi)}`);
  if (issues.length > 0) throw new ProviderPolicyError(issues);
  return p;
}
