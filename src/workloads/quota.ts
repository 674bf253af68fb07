/**
 * ResourceQuota and LimitRange of a lease namespace, equal to what was leased: the sum over the
 * group's services of count × per-replica resources. Together with limits on every container they
 * make the lease unable to use more than it pays for, even through the scale subresource.
 */
import type { V1LimitRange, V1LimitRangeItem, V1ResourceQuota } from '@kubernetes/client-node';
import type { LeaseId } from '../api/lease.ts';
import type { Resources } from '../api/wire.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { IssueList } from './errors.ts';
import { leaseLabels } from './labels.ts';
import { LIMIT_RANGE_NAME, RESOURCE_QUOTA_NAME } from './names.ts';
import { cpuQuantity, decimalQuantity } from './quantity.ts';
import { GPU_RESOURCE_NAMES, replicaResources, type ReplicaResources } from './resources.ts';

/** A service as leased: a manifest service or a Service spec both fit. */
export interface LeasedService {
  name: string;
  resources: Resources;
  count: number;
}

/**
 * What the provider adds to every pod of the lease beyond what was leased (the SPIFFE agent
 * sidecar). The quota grows by it so the tenant's own containers keep everything they paid for.
 */
export interface PodOverhead {
  cpuMillis: bigint;
  memoryBytes: bigint;
  ephemeralBytes: bigint;
}

/** The per-pod overhead the provider policy implies, or undefined. */
export function podOverhead(policy: { spiffe: { enabled: boolean; agentCpuMillis: number; agentMemoryMi: number } }): PodOverhead | undefined {
  if (!policy.spiffe.enabled) return undefined;
  return { cpuMillis: BigInt(policy.spiffe.agentCpuMillis), memoryBytes: BigInt(policy.spiffe.agentMemoryMi) * 1024n * 1024n, ephemeralBytes: SIDECAR_EPHEMERAL_BYTES };
}

/** The agent writes nothing but its logs. */
export const SIDECAR_EPHEMERAL_BYTES = 16n * 1024n * 1024n;

function readAll(leaseId: LeaseId, services: LeasedService[]): { service: LeasedService; r: ReplicaResources }[] {
  const issues = new IssueList();
  const out = services.map((service, i) => ({ service, r: replicaResources(service.resources, `services[${i}].resources`, issues) }));
  issues.throwIfAny(`lease ${leaseNamespace(leaseId)}`);
  return out;
}

export function buildResourceQuota(leaseId: LeaseId, services: LeasedService[], overhead?: PodOverhead): V1ResourceQuota {
  let cpu = 0n;
  let memory = 0n;
  let ephemeral = 0n;
  let storage = 0n;
  let claims = 0n;
  let pods = 0n;
  let everyServiceHasEphemeral = true;
  const gpus = new Map<string, bigint>(Object.values(GPU_RESOURCE_NAMES).map((n) => [n, 0n]));
  const byClass = new Map<string, bigint>();
  for (const { service, r } of readAll(leaseId, services)) {
    const n = BigInt(service.count);
    pods += n;
    cpu += n * (r.cpuMillis + (overhead?.cpuMillis ?? 0n));
    memory += n * (r.memoryBytes + (overhead?.memoryBytes ?? 0n));
    ephemeral += n * (r.ephemeralBytes + (r.ephemeralBytes > 0n ? (overhead?.ephemeralBytes ?? 0n) : 0n));
    if (r.ephemeralBytes === 0n) everyServiceHasEphemeral = false;
    if (r.gpu.resourceName) gpus.set(r.gpu.resourceName, (gpus.get(r.gpu.resourceName) ?? 0n) + n * r.gpu.count);
    for (const v of r.volumes) {
      if (v.kind !== 'persistent') continue;
      storage += n * v.bytes;
      claims += n;
      if (v.storageClass) byClass.set(v.storageClass, (byClass.get(v.storageClass) ?? 0n) + n * v.bytes);
    }
  }
  const hard: Record<string, string> = {
    pods: decimalQuantity(pods),
    'requests.cpu': cpuQuantity(cpu),
    'limits.cpu': cpuQuantity(cpu),
    'requests.memory': decimalQuantity(memory),
    'limits.memory': decimalQuantity(memory),
    'requests.storage': decimalQuantity(storage),
    persistentvolumeclaims: decimalQuantity(claims),
  };
  // A quota on ephemeral-storage refuses every container without that limit, and a service that
  // leased no root volume has none (a limit of 0 would evict it for writing its own logs).
  if (everyServiceHasEphemeral) {
    hard['requests.ephemeral-storage'] = decimalQuantity(ephemeral);
    hard['limits.ephemeral-storage'] = decimalQuantity(ephemeral);
  }
  // Extended resources are only quota'd as requests; a 0 keeps a lease without GPUs off them.
  for (const [name, count] of gpus) hard[`requests.${name}`] = decimalQuantity(count);
  for (const [cls, bytes] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
    hard[`${cls}.storageclass.storage.k8s.io/requests.storage`] = decimalQuantity(bytes);
  }
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: RESOURCE_QUOTA_NAME, namespace: leaseNamespace(leaseId), labels: leaseLabels(leaseId) },
    spec: { hard },
  };
}

/**
 * Per-container and per-claim maxima: the largest leased replica. A resource appears in `max` only
 * when every service sets its limit, because `max` makes a limit mandatory for every container.
 */
export function buildLimitRange(leaseId: LeaseId, services: LeasedService[], overhead?: PodOverhead): V1LimitRange {
  const all = readAll(leaseId, services).map((x) => x.r);
  // The sidecar is a container too: the maximum must admit it even in a lease of tiny services.
  const floor = (pick: (o: PodOverhead) => bigint) => (overhead ? pick(overhead) : 0n);
  const maxOf = (pick: (r: ReplicaResources) => bigint, min = 0n) => all.reduce((m, r) => (pick(r) > m ? pick(r) : m), min);
  const container: Record<string, string> = {};
  if (all.length > 0) {
    container.cpu = cpuQuantity(maxOf((r) => r.cpuMillis, floor((o) => o.cpuMillis)));
    container.memory = decimalQuantity(maxOf((r) => r.memoryBytes, floor((o) => o.memoryBytes)));
    if (all.every((r) => r.ephemeralBytes > 0n)) container['ephemeral-storage'] = decimalQuantity(maxOf((r) => r.ephemeralBytes, floor((o) => o.ephemeralBytes)));
  }
  const limits: V1LimitRangeItem[] = [{ type: 'Container', max: container }];
  const claim = all.flatMap((r) => r.volumes.filter((v) => v.kind === 'persistent').map((v) => v.bytes));
  if (claim.length > 0) limits.push({ type: 'PersistentVolumeClaim', max: { storage: decimalQuantity(claim.reduce((m, b) => (b > m ? b : m), 0n)) } });
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: LIMIT_RANGE_NAME, namespace: leaseNamespace(leaseId), labels: leaseLabels(leaseId) },
    spec: { limits },
  };
}
