/**
 * What one replica of a service uses, read from the wire `resources` (reference/akash.md §6):
 * CPU in millicores, memory in bytes plus its `class: ram` volumes, the ephemeral root volume,
 * persistent volumes, GPUs by vendor. Integers are BigInt end to end.
 */
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { Attribute, Resources } from '../api/wire.ts';
import type { IssueList } from './errors.ts';
import type { ProviderPolicy } from './policy.ts';
import { committedRequest, cpuQuantity, decimalQuantity, MAX_QUANTITY } from './quantity.ts';

export type VolumeKind = 'ephemeral' | 'ram' | 'persistent';

export interface VolumeInfo {
  name: string;
  kind: VolumeKind;
  bytes: bigint;
  /** StorageClass of a persistent volume; undefined = the cluster default (SDL class `default`). */
  storageClass: string | undefined;
}

export const GPU_RESOURCE_NAMES: Record<string, string> = { nvidia: 'nvidia.com/gpu', amd: 'amd.com/gpu' };

export interface GpuModel {
  vendor: string;
  model: string;
  ram: string | undefined;
  interface: string | undefined;
}

export interface ReplicaResources {
  cpuMillis: bigint;
  /** Memory limit: the memory size plus every `ram` volume (memory-backed emptyDirs count against it). */
  memoryBytes: bigint;
  ephemeralBytes: bigint;
  gpu: { count: bigint; resourceName: string | undefined; models: GpuModel[] };
  volumes: VolumeInfo[];
}

export function findAttribute(attributes: Attribute[] | undefined, key: string): string | undefined {
  return attributes?.find((a) => a.key === key)?.value;
}

/** Go's strconv.ParseBool, which the Go provider applies to attribute values. */
function parseGoBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function quantity(val: string, path: string, issues: IssueList): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(val)) {
    issues.add(path, `must be an unsigned decimal integer, got ${JSON.stringify(val)}`);
    return 0n;
  }
  const n = BigInt(val);
  if (n > MAX_QUANTITY) {
    issues.add(path, `must be at most ${MAX_QUANTITY}, got ${val}`);
    return 0n;
  }
  return n;
}

/** `vendor/nvidia/model/a100/ram/80Gi/interface/sxm` → the model it asks for. */
export function parseGpuAttribute(key: string): GpuModel | undefined {
  const parts = key.split('/');
  if (parts.length < 4 || parts[0] !== 'vendor' || parts[2] !== 'model' || parts.length % 2 !== 0) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 4; i < parts.length; i += 2) fields[parts[i]!] = parts[i + 1]!;
  return { vendor: parts[1]!, model: parts[3]!, ram: fields.ram, interface: fields.interface };
}

/** Reads one replica's resources; problems go to `issues` under `path` (e.g. `spec.resources`). */
export function replicaResources(resources: Resources, path: string, issues: IssueList): ReplicaResources {
  const cpuMillis = quantity(resources.cpu.units.val, `${path}.cpu.units.val`, issues);
  if (cpuMillis === 0n) issues.add(`${path}.cpu.units.val`, 'must be at least 1 millicpu');
  const memoryOnlyBytes = quantity(resources.memory.size.val, `${path}.memory.size.val`, issues);
  if (memoryOnlyBytes === 0n) issues.add(`${path}.memory.size.val`, 'must be at least 1 byte');

  const volumes: VolumeInfo[] = [];
  const seen = new Set<string>();
  resources.storage.forEach((s, i) => {
    const at = `${path}.storage[${i}]`;
    if (seen.has(s.name)) issues.add(`${at}.name`, `volume ${JSON.stringify(s.name)} is listed twice`);
    seen.add(s.name);
    const bytes = quantity(s.size.val, `${at}.size.val`, issues);
    const persistentText = findAttribute(s.attributes, 'persistent');
    const persistent = parseGoBool(persistentText);
    if (persistentText !== undefined && persistent === undefined) issues.add(`${at}.attributes`, `persistent must be true or false, got ${JSON.stringify(persistentText)}`);
    const cls = findAttribute(s.attributes, 'class');
    if (persistent === true) {
      if (cls === 'ram') issues.add(`${at}.attributes`, 'a ram volume cannot be persistent');
      volumes.push({ name: s.name, kind: 'persistent', bytes, storageClass: cls === undefined || cls === 'default' ? undefined : cls });
    } else if (cls === 'ram') {
      volumes.push({ name: s.name, kind: 'ram', bytes, storageClass: undefined });
    } else if (cls === undefined || cls === '') {
      volumes.push({ name: s.name, kind: 'ephemeral', bytes, storageClass: undefined });
    } else {
      issues.add(`${at}.attributes`, `class ${JSON.stringify(cls)} needs persistent: true (only ram volumes may be non-persistent with a class)`);
    }
  });

  const ramBytes = volumes.filter((v) => v.kind === 'ram').reduce((sum, v) => sum + v.bytes, 0n);
  const ephemeralBytes = volumes.filter((v) => v.kind === 'ephemeral').reduce((sum, v) => sum + v.bytes, 0n);

  let gpuCount = 0n;
  let resourceName: string | undefined;
  const models: GpuModel[] = [];
  if (resources.gpu) {
    gpuCount = quantity(resources.gpu.units.val, `${path}.gpu.units.val`, issues);
    for (const a of resources.gpu.attributes ?? []) {
      const m = parseGpuAttribute(a.key);
      if (m) models.push(m);
    }
    if (gpuCount > 0n) {
      const vendors = [...new Set(models.map((m) => m.vendor))];
      if (vendors.length !== 1 || GPU_RESOURCE_NAMES[vendors[0]!] === undefined) {
        issues.add(`${path}.gpu.attributes`, `GPUs need exactly one vendor of ${Object.keys(GPU_RESOURCE_NAMES).join(', ')}, got ${JSON.stringify(vendors)}`);
      } else {
        resourceName = GPU_RESOURCE_NAMES[vendors[0]!];
      }
    }
  }
  return {
    cpuMillis,
    memoryBytes: memoryOnlyBytes + ramBytes,
    ephemeralBytes,
    gpu: { count: gpuCount, resourceName, models },
    volumes,
  };
}

/**
 * Container requests and limits. Limits are what was leased; requests apply the provider's
 * overcommit per resource. GPUs are never overcommitted (the device plugin needs requests = limits).
 * Unlike the Go provider, the memory request includes the ram volumes: they are charged to the
 * pod's memory, and leaving them out of the request lets the scheduler overfill a node.
 */
export function containerResources(r: ReplicaResources, policy: ProviderPolicy): V1ResourceRequirements {
  const limits: Record<string, string> = {
    cpu: cpuQuantity(r.cpuMillis),
    memory: decimalQuantity(r.memoryBytes),
  };
  const requests: Record<string, string> = {
    cpu: cpuQuantity(committedRequest(r.cpuMillis, policy.overcommitPct.cpu)),
    memory: decimalQuantity(committedRequest(r.memoryBytes, policy.overcommitPct.memory)),
  };
  if (r.ephemeralBytes > 0n) {
    limits['ephemeral-storage'] = decimalQuantity(r.ephemeralBytes);
    requests['ephemeral-storage'] = decimalQuantity(committedRequest(r.ephemeralBytes, policy.overcommitPct.storage));
  }
  if (r.gpu.count > 0n && r.gpu.resourceName) {
    limits[r.gpu.resourceName] = decimalQuantity(r.gpu.count);
    requests[r.gpu.resourceName] = decimalQuantity(r.gpu.count);
  }
  return { limits, requests };
}
