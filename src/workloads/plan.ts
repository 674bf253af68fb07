/**
 * Everything the builders need to know about one Service, worked out and checked once. A spec that
 * passes the schema but cannot be built (a mount of an unknown volume, a GPU without a vendor, a
 * name too long for its StatefulSet) fails here with every problem named, before any object is
 * built: the controller then applies nothing of the service.
 */
import type { LeaseId } from '../api/lease.ts';
import type { Service, ServiceSpec } from '../api/service.ts';
import { ServiceSpec as ServiceSpecSchema } from '../api/service.ts';
import { schemaIssues } from '../api/validate.ts';
import type { HttpOptions } from '../api/wire.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { IssueList } from './errors.ts';
import { externalPort, isHttpExpose } from './expose.ts';
import { nodePortServiceName, volumeName } from './names.ts';
import type { ProviderPolicy } from './policy.ts';
import { replicaResources, type ReplicaResources, type VolumeInfo } from './resources.ts';

/** What every service-level builder takes. */
export interface ServiceInput {
  service: Pick<Service, 'metadata' | 'spec'>;
  leaseId: LeaseId;
  policy: ProviderPolicy;
  /**
   * Validated tenant key pairs: hostname → kubernetes.io/tls Secret in the lease namespace
   * (src/controllers/tenant-tls). Hosts without one are served without TLS at the ingress.
   */
  tlsSecrets?: Readonly<Record<string, string>>;
}

export interface ExposePlan {
  /** Index in spec.expose (part of Service port names, as in the Go provider). */
  index: number;
  port: number;
  /** The port as exposed: externalPort, or port when externalPort is 0. */
  externalPort: number;
  proto: 'TCP' | 'UDP';
  global: boolean;
  /** Served through the ingress controller: global TCP whose external port is 80 (Go `IsIngress`). */
  http: boolean;
  hosts: string[];
  httpOptions: HttpOptions;
}

export interface MountPlan {
  volume: VolumeInfo;
  path: string;
  readOnly: boolean;
}

export interface ServicePlan {
  name: string;
  namespace: string;
  spec: ServiceSpec;
  leaseId: LeaseId;
  policy: ProviderPolicy;
  resources: ReplicaResources;
  mounts: MountPlan[];
  exposes: ExposePlan[];
  /** Any persistent volume makes the workload a StatefulSet. */
  stateful: boolean;
  tlsSecrets: Readonly<Record<string, string>>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes since 1.30 accepts any printable ASCII but '=' in env names.
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
// A StatefulSet's pods carry `controller-revision-hash: <name>-<10-char hash>`, a 63-char label value.
const MAX_STATEFULSET_NAME = 52;

/** Checks `input` and works out the plan; throws WorkloadSpecError listing every problem. */
export function planService(input: ServiceInput): ServicePlan {
  const { service, leaseId, policy } = input;
  const name = service.metadata.name;
  const namespace = leaseNamespace(leaseId);
  const what = `Service ${namespace}/${name}`;
  const issues = new IssueList();
  // Builders may be called on objects that never went through the API server: check the shape first.
  for (const i of schemaIssues(ServiceSpecSchema, service.spec, 'spec')) issues.add(i.path, i.message);
  issues.throwIfAny(what);

  const spec = service.spec;
  if (!DNS_LABEL.test(name) || name.length > 63) issues.add('metadata.name', `must be a DNS label (a manifest service name), got ${JSON.stringify(name)}`);
  if (service.metadata.namespace !== undefined && service.metadata.namespace !== namespace) {
    issues.add('metadata.namespace', `must be the lease namespace ${namespace}, got ${JSON.stringify(service.metadata.namespace)}`);
  }
  if (spec.kind !== 'container') issues.add('spec.kind', `${spec.kind} services are not supported yet (only container)`);

  const resources = replicaResources(spec.resources, 'spec.resources', issues);
  const stateful = resources.volumes.some((v) => v.kind === 'persistent');
  if (stateful && name.length > MAX_STATEFULSET_NAME) {
    issues.add('metadata.name', `a service with persistent volumes runs as a StatefulSet, whose name may have at most ${MAX_STATEFULSET_NAME} characters, got ${name.length}`);
  }
  for (const v of resources.volumes) {
    const vn = volumeName(name, v.name);
    if (v.kind !== 'ephemeral' && (!DNS_LABEL.test(vn) || vn.length > 63)) {
      issues.add('spec.resources.storage', `volume name ${JSON.stringify(vn)} (<service>-<volume>) must be a DNS label of at most 63 characters`);
    }
  }

  const mounts: MountPlan[] = [];
  const paths = new Set<string>();
  (spec.params?.storage ?? []).forEach((m, i) => {
    const at = `spec.params.storage[${i}]`;
    const volume = resources.volumes.find((v) => v.name === m.name);
    if (!volume) {
      issues.add(`${at}.name`, `volume ${JSON.stringify(m.name)} is not in spec.resources.storage`);
      return;
    }
    if (volume.kind === 'ephemeral') {
      issues.add(`${at}.name`, `volume ${JSON.stringify(m.name)} is the ephemeral root volume and cannot be mounted (give it persistent: true or class: ram)`);
      return;
    }
    if (m.mount.split('/').some((seg) => seg === '..')) issues.add(`${at}.mount`, `must not contain '..', got ${JSON.stringify(m.mount)}`);
    const path = m.mount.length > 1 ? m.mount.replace(/\/+$/, '') : m.mount;
    if (paths.has(path)) issues.add(`${at}.mount`, `${JSON.stringify(m.mount)} is mounted twice`);
    paths.add(path);
    mounts.push({ volume, path: m.mount, readOnly: m.readOnly });
  });

  (spec.env ?? []).forEach((e, i) => {
    const envName = e.split('=', 1)[0] ?? '';
    if (!ENV_NAME.test(envName)) issues.add(`spec.env[${i}]`, `variable name must be printable ASCII, got ${JSON.stringify(envName)}`);
  });

  const exposes = spec.expose.map(
    (e, index): ExposePlan => ({
      index,
      port: e.port,
      externalPort: externalPort(e),
      proto: e.proto,
      global: e.global,
      http: isHttpExpose(e),
      hosts: e.hosts ?? [],
      httpOptions: e.httpOptions,
    }),
  );
  if (exposes.some((e) => e.global && !e.http) && nodePortServiceName(name).length > 63) {
    issues.add('metadata.name', `the NodePort Service ${nodePortServiceName(name)} would be longer than 63 characters`);
  }

  issues.throwIfAny(what);
  return { name, namespace, spec, leaseId, policy, resources, mounts, exposes, stateful, tlsSecrets: input.tlsSecrets ?? {} };
}
