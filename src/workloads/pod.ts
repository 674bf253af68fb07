/**
 * The pod template of a service: one container, hardened. No field of the manifest reaches a
 * privileged, host* or capability field: those values come from constants and provider policy only.
 */
import type { V1Affinity, V1Container, V1EnvVar, V1NodeSelectorRequirement, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { LABEL_GPU_CAPABILITY, LABEL_MANAGED, LABEL_STORAGE_CAPABILITY, serviceSelector } from './labels.ts';
import { BUNDLE_FILE, SPIFFE_ENDPOINT_SOCKET_ENV, SVID_FILE, SVID_KEY_FILE, SVID_MOUNT_PATH, WORKLOAD_API_ADDRESS, WORKLOAD_API_DIR, WORKLOAD_API_SOCKET } from './spiffe.ts';
import { pullSecretName, svidSecretName, volumeName } from './names.ts';
import type { ServicePlan } from './plan.ts';
import { decimalQuantity } from './quantity.ts';
import { SIDECAR_EPHEMERAL_BYTES } from './quota.ts';
import { containerResources } from './resources.ts';

/** Variables the Go provider injects unless the manifest sets them (`builder.go` addIfNotPresent). */
export const AKASH_ENV = {
  groupSequence: 'AKASH_GROUP_SEQUENCE',
  deploymentSequence: 'AKASH_DEPLOYMENT_SEQUENCE',
  orderSequence: 'AKASH_ORDER_SEQUENCE',
  owner: 'AKASH_OWNER',
  provider: 'AKASH_PROVIDER',
  clusterPublicHostname: 'AKASH_CLUSTER_PUBLIC_HOSTNAME',
} as const;

/**
 * `Always` unless the image is pinned by digest. A tag is mutable: with `IfNotPresent` a node that
 * has the old image keeps running it after the tenant pushed and redeployed (node#1354, support#427).
 * `Always` costs one manifest request per pod start and the kubelet reuses cached layers. A digest
 * is immutable, so `IfNotPresent` is exact there and keeps pods starting when the registry is down.
 */
export function imagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return /@sha256:[0-9a-f]{64}$/.test(image) ? 'IfNotPresent' : 'Always';
}

/** The API server drops an empty `value`; emit its stored form so a no-op apply compares equal. */
function envVar(name: string, value: string | undefined): V1EnvVar {
  return value === undefined || value === '' ? { name } : { name, value };
}

export function containerEnv(plan: ServicePlan): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  const set = new Set<string>();
  for (const entry of plan.spec.env ?? []) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    env.push(envVar(name, eq < 0 ? undefined : entry.slice(eq + 1)));
    set.add(name);
  }
  const id = plan.leaseId;
  const injected: [string, string][] = [
    [AKASH_ENV.groupSequence, String(id.gseq)],
    [AKASH_ENV.deploymentSequence, id.dseq],
    [AKASH_ENV.orderSequence, String(id.oseq)],
    [AKASH_ENV.owner, id.owner],
    [AKASH_ENV.provider, id.provider],
    [AKASH_ENV.clusterPublicHostname, plan.policy.clusterPublicHostname],
  ];
  if (hasSpiffe(plan)) injected.push([SPIFFE_ENDPOINT_SOCKET_ENV, WORKLOAD_API_ADDRESS]);
  for (const [name, value] of injected) if (!set.has(name)) env.push(envVar(name, value));
  return env;
}

function container(plan: ServicePlan): V1Container {
  const { spec, policy } = plan;
  const ports = new Map<string, { containerPort: number; protocol: string }>();
  for (const e of plan.exposes) ports.set(`${e.port}/${e.proto}`, { containerPort: e.port, protocol: e.proto });
  const c: V1Container = {
    name: plan.name,
    image: spec.image,
    imagePullPolicy: imagePullPolicy(spec.image),
    env: containerEnv(plan),
    resources: containerResources(plan.resources, policy),
    securityContext: {
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: policy.allowedCapabilities.length > 0 ? { drop: ['ALL'], add: [...policy.allowedCapabilities] } : { drop: ['ALL'] },
      ...(policy.runAsNonRoot ? { runAsNonRoot: true } : {}),
    },
  };
  if (spec.command && spec.command.length > 0) c.command = [...spec.command];
  if (spec.args && spec.args.length > 0) c.args = [...spec.args];
  if (ports.size > 0) c.ports = [...ports.values()];
  const mounts = plan.mounts.map((m) => ({ name: volumeName(plan.name, m.volume.name), mountPath: m.path, ...(m.readOnly ? { readOnly: true } : {}) }));
  if (hasSpiffe(plan)) mounts.push(...spiffeMounts());
  if (mounts.length > 0) c.volumeMounts = mounts;
  return c;
}

/** Volume names of the identity; a manifest volume is always `<svc>-<name>`, so these cannot clash. */
const SVID_VOLUME = 'spiffe-svid';
const WORKLOAD_API_VOLUME = 'spiffe-workload-api';

function hasSpiffe(plan: ServicePlan): boolean {
  return plan.policy.spiffe.enabled && plan.spec.identity?.spiffe === true;
}

/** Read-only for the app: it may read its SVID and connect to the socket, not replace either. */
function spiffeMounts(): V1VolumeMount[] {
  return [
    { name: SVID_VOLUME, mountPath: SVID_MOUNT_PATH, readOnly: true },
    { name: WORKLOAD_API_VOLUME, mountPath: WORKLOAD_API_DIR, readOnly: true },
  ];
}

/**
 * The Workload API agent as a native sidecar (an init container that keeps running, Kubernetes
 * ≥ 1.29): it starts before the app, so the socket exists when the app asks for its identity.
 * It sees only this pod's Secret; no host path is involved (docs/adr/0004-spiffe-identity.md).
 */
function spiffeAgent(plan: ServicePlan): V1Container {
  const { spiffe } = plan.policy;
  const quantities = { cpu: `${spiffe.agentCpuMillis}m`, memory: `${spiffe.agentMemoryMi}Mi`, 'ephemeral-storage': decimalQuantity(SIDECAR_EPHEMERAL_BYTES) };
  return {
    name: 'spiffe-agent',
    image: spiffe.agentImage,
    imagePullPolicy: imagePullPolicy(spiffe.agentImage),
    restartPolicy: 'Always',
    args: ['spiffe-agent', '--dir', SVID_MOUNT_PATH, '--socket', WORKLOAD_API_SOCKET],
    // Measured: ~100 MB RSS (Node 24 with type stripping, gRPC loaded), of which ~15 MB is heap.
    env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=48' }],
    resources: { requests: quantities, limits: quantities },
    securityContext: {
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: SVID_VOLUME, mountPath: SVID_MOUNT_PATH, readOnly: true },
      { name: WORKLOAD_API_VOLUME, mountPath: WORKLOAD_API_DIR },
    ],
  };
}

function spiffeVolumes(plan: ServicePlan): V1Volume[] {
  return [
    {
      name: SVID_VOLUME,
      secret: {
        secretName: svidSecretName(plan.name),
        // Readable by whatever uid the tenant's image runs as; it is this pod's own identity.
        defaultMode: 0o444,
        items: [SVID_FILE, SVID_KEY_FILE, BUNDLE_FILE].map((k) => ({ key: k, path: k })),
      },
    },
    { name: WORKLOAD_API_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
  ];
}

/** Memory-backed emptyDirs for `class: ram` volumes (e.g. /dev/shm). Persistent ones are PVC templates. */
function ramVolumes(plan: ServicePlan): V1Volume[] {
  return plan.resources.volumes
    .filter((v) => v.kind === 'ram')
    .map((v) => ({ name: volumeName(plan.name, v.name), emptyDir: { medium: 'Memory', sizeLimit: decimalQuantity(v.bytes) } }));
}

/** Node affinity to nodes the Akash inventory operator labelled, when the provider asks for it. */
function affinity(plan: ServicePlan): V1Affinity | undefined {
  if (!plan.policy.requireAkashNodeLabels) return undefined;
  const base: V1NodeSelectorRequirement[] = [{ key: LABEL_MANAGED, operator: 'In', values: ['true'] }];
  for (const v of plan.resources.volumes) {
    if (v.kind === 'persistent' && v.storageClass) base.push({ key: `${LABEL_STORAGE_CAPABILITY}.class.${v.storageClass}`, operator: 'Gt', values: ['0'] });
  }
  // Each GPU attribute is one acceptable model: one node selector term (ORed) per model.
  const models = plan.resources.gpu.count > 0n ? plan.resources.gpu.models : [];
  const terms =
    models.length === 0
      ? [{ matchExpressions: base }]
      : models.map((m) => {
          const key = `${LABEL_GPU_CAPABILITY}.vendor.${m.vendor}.model.${m.model}`;
          const exprs: V1NodeSelectorRequirement[] = [...base, { key, operator: 'Gt', values: ['0'] }];
          if (m.ram) exprs.push({ key: `${key}.ram.${m.ram}`, operator: 'Gt', values: ['0'] });
          if (m.interface) exprs.push({ key: `${key}.interface.${m.interface}`, operator: 'Gt', values: ['0'] });
          return { matchExpressions: exprs };
        });
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

export function buildPodTemplate(plan: ServicePlan): V1PodTemplateSpec {
  const { policy } = plan;
  const volumes = [...ramVolumes(plan), ...(hasSpiffe(plan) ? spiffeVolumes(plan) : [])];
  const pullSecret = plan.spec.credentialsSecretRef ? pullSecretName(plan.name) : policy.imagePullSecretName;
  const aff = affinity(plan);
  const runtimeClassName = policy.runtimeClassName !== undefined && policy.runtimeClassName !== 'none' ? policy.runtimeClassName : undefined;
  return {
    metadata: { labels: serviceSelector(plan.leaseId, plan.name) },
    spec: {
      // Tenants get no Kubernetes API credentials (permissions.read is served by the gateway instead).
      automountServiceAccountToken: false,
      securityContext: {
        seccompProfile: { type: 'RuntimeDefault' },
        ...(policy.runAsNonRoot ? { runAsNonRoot: true } : {}),
      },
      ...(runtimeClassName ? { runtimeClassName } : {}),
      ...(aff ? { affinity: aff } : {}),
      ...(pullSecret ? { imagePullSecrets: [{ name: pullSecret }] } : {}),
      ...(hasSpiffe(plan) ? { initContainers: [spiffeAgent(plan)] } : {}),
      containers: [container(plan)],
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}
