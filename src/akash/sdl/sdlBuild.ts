/**
 * SDL structs → deployment group specs and manifest groups, and the checks `sdl.Read` runs:
 * a port of Akash's Go SDL package (`buildGroups` of v2 and v2.1, `validate`,
 * `ValidateDeploymentGroups`, then `Manifest.Validate`). Orders, ties and omissions follow Go.
 */
import { type Problem, ValidationError, problem } from '../errors.ts';
import type { GroupSpec, ResourceUnit } from '../groupSpec.ts';
import { goCompare } from '../goStrings.ts';
import {
  type Attribute,
  type Endpoint,
  EndpointKind,
  type Group,
  type HTTPOptions,
  type Resources,
  type Service,
  type ServiceExpose,
  type ServiceParams,
} from '../manifest.ts';
import { exposeLess, isIngress, validateManifest } from '../manifestValidate.ts';
import { type LegacyDec, formatLegacyDec, isValidDenom } from './decimal.ts';
import { goSort } from './goSort.ts';
import { parseGoBool } from './goStrconv.ts';
import { type V2ComputeResources, type V2Expose, type V2HTTPOptions, type V2Sdl, type V2Service, attributesProblem } from './sdlDecode.ts';

/** A failure found while building or validating, with its YAML path. */
class SdlFailure extends Error {
  readonly path: string;
  readonly rule: string;
  constructor(path: string, rule: string, message: string) {
    super(message);
    this.path = path;
    this.rule = rule;
  }
}
const fail = (path: string, rule: string, message: string): never => {
  throw new SdlFailure(path, rule, message);
};

const sortedKeys = <T>(m: Map<string, T> | null): string[] => [...(m?.keys() ?? [])].sort(goCompare);
const zeroService = (): V2Service => ({ image: '', command: null, args: null, env: null, expose: null, params: null, credentials: null });

// --- exposes (expose.go, v2.go) -----------------------------------------------------------------------

const NEXT_CASES = new Set(['error', 'timeout', '500', '502', '503', '504', '403', '404', '429', 'off']);

function httpOptionsOf(h: V2HTTPOptions, path: string): HTTPOptions {
  const maxBodySize = h.maxBodySize === 0 ? 1048576 : h.maxBodySize;
  if (h.maxBodySize > 104857600) fail(`${path}.max_body_size`, 'sdl-http-options', 'body size cannot be greater than 104857600 bytes');
  // proxy_buffer_size is not defaulted in the manifest: 0 is omitted, keeping older manifests' bytes
  if (h.proxyBufferSize > 1048576) fail(`${path}.proxy_buffer_size`, 'sdl-http-options', 'proxy buffer size cannot be greater than 1048576 bytes');
  const readTimeout = h.readTimeout === 0 ? 60000 : h.readTimeout;
  if (h.readTimeout > 60000) fail(`${path}.read_timeout`, 'sdl-http-options', 'read timeout cannot be greater than 60000 ms');
  const sendTimeout = h.sendTimeout === 0 ? 60000 : h.sendTimeout;
  if (h.sendTimeout > 60000) fail(`${path}.send_timeout`, 'sdl-http-options', 'send timeout cannot be greater than 60000 ms');
  let nextCases = h.nextCases;
  if (nextCases === null || nextCases.length === 0) nextCases = ['error', 'timeout'];
  else {
    for (const c of nextCases) {
      if (c === 'off' && nextCases.length !== 1) fail(`${path}.next_cases`, 'sdl-http-options', "if 'off' is specified, no other cases may be specified");
      if (!NEXT_CASES.has(c)) fail(`${path}.next_cases`, 'sdl-http-options', `next case is unknown: ${JSON.stringify(c)}`);
    }
  }
  return {
    maxBodySize,
    readTimeout,
    sendTimeout,
    nextTries: h.nextTries === 0 ? 3 : h.nextTries,
    nextTimeout: h.nextTimeout,
    nextCases,
    proxyBufferSize: h.proxyBufferSize,
  };
}

function parseProto(proto: string, path: string): string {
  const p = proto.toUpperCase();
  if (p === 'TCP' || p === '') return 'TCP';
  if (p === 'UDP') return 'UDP';
  return fail(path, 'sdl-proto', `unsupported service protocol ${JSON.stringify(proto)}`);
}

function toManifestExpose(exposes: V2Expose[] | null, seqNumbers: Map<string, number>, path: string): ServiceExpose[] {
  const res: ServiceExpose[] = [];
  (exposes ?? []).forEach((e, i) => {
    const ep = `${path}[${i}]`;
    const proto = parseProto(e.proto, `${ep}.proto`);
    const http = httpOptionsOf(e.httpOptions, `${ep}.http_options`);
    const base = { port: e.port, externalPort: e.as, proto, hosts: e.accept, httpOptions: http };
    if (e.to !== null && e.to.length > 0) {
      for (const to of e.to) {
        const seq = to.global && to.ip !== '' ? (seqNumbers.get(to.ip) ?? 0) : 0;
        res.push({ ...base, service: to.service, global: to.global, ip: to.ip, endpointSequenceNumber: seq, httpOptions: { ...http } });
      }
    } else {
      res.push({ ...base, service: '', global: false, ip: '', endpointSequenceNumber: 0 });
    }
  });
  return goSort(res, exposeLess);
}

/** ServiceExpose.GetEndpoints: nothing for local exposes; the kind, plus a leased IP endpoint. */
function exposeEndpoints(e: ServiceExpose): Endpoint[] {
  if (!e.global) return [];
  const list: Endpoint[] = [];
  if (e.ip !== '') list.push({ kind: EndpointKind.LEASED_IP, sequence_number: e.endpointSequenceNumber });
  list.push({ kind: isIngress(e) ? EndpointKind.SHARED_HTTP : EndpointKind.RANDOM_PORT, sequence_number: 0 });
  return goSort(list, (a, b) => a.sequence_number < b.sequence_number);
}

const exposesEndpoints = (list: ServiceExpose[]): Endpoint[] => list.flatMap(exposeEndpoints);

function computeEndpointSequenceNumbers(sdl: V2Sdl): Map<string, number> {
  const names: string[] = [];
  for (const svcName of sortedKeys(sdl.deployments)) {
    for (const e of sdl.services?.get(svcName)?.expose ?? []) {
      for (const to of e.to ?? []) {
        if (to.global && to.ip === '') continue;
        names.push(to.ip);
      }
    }
  }
  names.sort(goCompare);
  const res = new Map<string, number>();
  names.forEach((name, i) => res.set(name, i + 1));
  return res;
}

// --- resources (resources.go) ------------------------------------------------------------------------

const rv = (v: bigint | number): { val: string } => ({ val: BigInt(v).toString() });

function toResources(r: V2ComputeResources | null): Resources {
  if (r === null) return { id: 0, cpu: null, memory: null, storage: null, gpu: null, endpoints: null };
  return {
    id: 0,
    cpu: r.cpu === null ? null : { units: rv(r.cpu.units), attributes: r.cpu.attributes },
    gpu: r.gpu === null ? { units: rv(0), attributes: null } : { units: rv(r.gpu.units), attributes: r.gpu.attributes },
    memory: r.memory === null ? null : { size: rv(r.memory.quantity), attributes: null },
    storage: r.storage === null || r.storage.length === 0 ? null : r.storage.map((s) => ({ name: s.name, size: rv(s.quantity), attributes: s.attributes })),
    endpoints: [],
  };
}

// --- groups (groupBuilder_v2.go, groupBuilder_v2_1.go) ----------------------------------------------

interface PendingUnit {
  unit: ResourceUnit;
  price: { denom: string; amount: LegacyDec | null };
}

interface Builder {
  spec: GroupSpec;
  units: PendingUnit[];
  group: Group;
  bound: Map<string, number>;
  teeType: string;
}

export interface BuiltSdl {
  groups: Group[];
  specs: GroupSpec[];
  /** prices as LegacyDec (the specs carry their text) */
  prices: { denom: string; amount: LegacyDec | null }[][];
}

function buildGroups(sdl: V2Sdl): BuiltSdl {
  const seqNumbers = computeEndpointSequenceNumbers(sdl);
  const builders = new Map<string, Builder>();
  for (const svcName of sortedKeys(sdl.deployments)) {
    const depl = sdl.deployments!.get(svcName) ?? null;
    for (const placementName of sortedKeys(depl)) {
      const svcdepl = depl!.get(placementName)!;
      const compute = sdl.compute?.get(svcdepl.profile) ?? { resources: null };
      const svc = sdl.services?.get(svcName) ?? zeroService();
      const infra = sdl.placement?.get(placementName) ?? { attributes: null, signedBy: { allOf: null, anyOf: null }, pricing: null };
      const price = infra.pricing?.get(svcdepl.profile) ?? { denom: '', amount: null };
      const svcPath = `services.${svcName}`;
      let b = builders.get(placementName);
      if (b === undefined) {
        b = {
          spec: {
            name: placementName,
            requirements: {
              signed_by: { all_of: infra.signedBy.allOf, any_of: infra.signedBy.anyOf },
              attributes: infra.attributes === null ? null : goSort([...infra.attributes], (x, y) => goCompare(x.key, y.key) < 0),
            },
            resources: [],
          },
          units: [],
          group: { name: placementName, services: [] },
          bound: new Map(),
          teeType: '',
        };
        builders.set(placementName, b);
      }
      const tee = svc.params?.tee ?? '';
      if (svc.params !== null && tee !== '') {
        if (tee !== 'cpu' && tee !== 'cpu-gpu') fail(`${svcPath}.params.tee`, 'sdl-tee', `unsupported tee type ${JSON.stringify(tee)} (allowed: cpu, cpu-gpu)`);
        const resources = compute.resources;
        if (resources === null) fail(`profiles.compute.${svcdepl.profile}`, 'sdl-tee', 'a tee service needs compute resources');
        const hasGPU = resources!.gpu !== null && resources!.gpu.units > 0n;
        if (tee === 'cpu-gpu' && !hasGPU) fail(`${svcPath}.params.tee`, 'sdl-tee', `tee type requires gpu resources: "cpu-gpu" specified but no gpu resources defined`);
        if (b.teeType !== '' && b.teeType !== tee) fail(`${svcPath}.params.tee`, 'sdl-tee', `conflicting tee types in the same placement group: group ${JSON.stringify(placementName)} has ${JSON.stringify(b.teeType)} and ${JSON.stringify(tee)}`);
        if (b.teeType === '') {
          b.teeType = tee;
          const attrs = [...(b.spec.requirements.attributes ?? []), { key: 'tee/type', value: tee }];
          b.spec.requirements.attributes = goSort(attrs, (x, y) => goCompare(x.key, y.key) < 0);
        }
      }
      const expose = toManifestExpose(svc.expose, seqNumbers, `${svcPath}.expose`);
      const resources = toResources(compute.resources);
      resources.endpoints = exposesEndpoints(expose);
      const location = b.bound.get(svcdepl.profile);
      if (sdl.version === '2.0' || location === undefined) {
        const res = toResources(compute.resources);
        res.endpoints = exposesEndpoints(expose);
        res.id = b.units.length + 1;
        resources.id = res.id;
        b.units.push({ unit: { resource: res, count: svcdepl.count, price: { denom: price.denom, amount: price.amount === null ? formatLegacyDec(0n) : formatLegacyDec(price.amount) } }, price });
        b.bound.set(svcdepl.profile, b.units.length - 1);
      } else {
        const unit = b.units[location]!.unit;
        resources.id = unit.resource.id;
        unit.count += svcdepl.count;
        unit.resource.endpoints = goSort([...(unit.resource.endpoints ?? []), ...exposesEndpoints(expose)], (x, y) => x.sequence_number < y.sequence_number);
      }
      const msvc: Service = {
        name: svcName,
        image: svc.image,
        command: svc.command,
        args: svc.args,
        env: svc.env,
        resources,
        count: svcdepl.count,
        expose,
        params: null,
        credentials: null,
      };
      if (svc.params !== null) {
        const params: ServiceParams = { storage: null, credentials: null, permissions: null, tee: null };
        const storage = svc.params.storage;
        if (storage !== null && storage.size > 0) {
          params.storage = sortedKeys(storage).map((name) => ({ name, mount: storage.get(name)!.mount, readOnly: storage.get(name)!.readOnly }));
        }
        if (svc.params.permissions !== null) params.permissions = { read: svc.params.permissions.read };
        if (tee !== '') params.tee = { type: tee, attestation: true };
        msvc.params = params;
      }
      if (svc.credentials !== null) {
        const c = svc.credentials;
        msvc.credentials =
          sdl.version === '2.0'
            ? { host: c.host, email: '', username: c.username, password: c.password }
            : { host: goTrim(c.host), email: goTrim(c.email), username: goTrim(c.username), password: goTrim(c.password) };
      }
      b.group.services!.push(msvc);
    }
  }
  const names = [...builders.keys()].sort(goCompare);
  const groups: Group[] = [];
  const specs: GroupSpec[] = [];
  const prices: BuiltSdl['prices'] = [];
  for (const name of names) {
    const b = builders.get(name)!;
    goSort(b.group.services!, (x, y) => goCompare(x.name, y.name) < 0);
    b.spec.resources = b.units.map((u) => u.unit);
    specs.push(b.spec);
    groups.push(b.group);
    prices.push(b.units.map((u) => u.price));
  }
  return { groups, specs, prices };
}

/** strings.TrimSpace: Go's unicode.IsSpace differs from JS \s (U+0085 yes, U+FEFF no). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const goTrim = (s: string): string => s.replace(GO_TRIM, '');

// --- validate (v2.go / v2_1.go) ------------------------------------------------------------------------

const ENDPOINT_NAME = /^[a-z]+[a-z\-_\d]+$/;

function isAbs(path: string): boolean {
  return path.startsWith('/');
}

function validate(sdl: V2Sdl): void {
  if (sdl.reclamation !== null) {
    const d = parseGoDuration(sdl.reclamation.minWindow);
    if (d === undefined) fail('reclamation.min_window', 'sdl-reclamation', `invalid reclamation min_window ${JSON.stringify(sdl.reclamation.minWindow)}`);
    if (d! <= 0) fail('reclamation.min_window', 'sdl-reclamation', 'reclamation min_window must be > 0');
  }
  for (const [name, endpoint] of sdl.endpoints ?? []) {
    const path = `endpoints.${name}`;
    if (!ENDPOINT_NAME.test(name)) fail(path, 'sdl-endpoint', `endpoint named ${JSON.stringify(name)} is not a valid name`);
    if (endpoint.kind === '') fail(`${path}.kind`, 'sdl-endpoint', `endpoint named ${JSON.stringify(name)} has no kind`);
    if (endpoint.kind !== 'ip') fail(`${path}.kind`, 'sdl-endpoint', `endpoint named ${JSON.stringify(name)}, unknown kind ${JSON.stringify(endpoint.kind)}`);
  }
  const endpointsUsed = new Set<string>();
  const portsUsed = new Map<string, string>();
  for (const svcName of sortedKeys(sdl.deployments)) {
    const depl = sdl.deployments!.get(svcName) ?? null;
    for (const placementName of sortedKeys(depl)) {
      const svcdepl = depl!.get(placementName)!;
      const where = `deployment.${svcName}.${placementName}`;
      const compute = sdl.compute?.get(svcdepl.profile);
      if (compute === undefined) fail(`${where}.profile`, 'sdl-unknown-profile', `no compute profile named ${JSON.stringify(svcdepl.profile)}`);
      const infra = sdl.placement?.get(placementName);
      if (infra === undefined) fail(where, 'sdl-unknown-placement', `no placement profile named ${JSON.stringify(placementName)}`);
      if (!(infra!.pricing?.has(svcdepl.profile) ?? false)) fail(`profiles.placement.${placementName}.pricing`, 'sdl-pricing', `no pricing for profile ${JSON.stringify(svcdepl.profile)}`);
      const svc = sdl.services?.get(svcName);
      if (svc === undefined) fail(`deployment.${svcName}`, 'sdl-unknown-service', `no service named ${JSON.stringify(svcName)}`);
      const svcPath = `services.${svcName}`;
      if (svc!.credentials !== null) {
        const c = svc!.credentials;
        if (goTrim(c.host) === '') fail(`${svcPath}.credentials.host`, 'sdl-credentials', 'service credentials missing host');
        if (goTrim(c.username) === '') fail(`${svcPath}.credentials.username`, 'sdl-credentials', 'service credentials missing username');
        if (goTrim(c.password) === '') fail(`${svcPath}.credentials.password`, 'sdl-credentials', 'service credentials missing password');
      }
      (svc!.expose ?? []).forEach((e, ei) => {
        (e.to ?? []).forEach((to, ti) => {
          if (to.ip === '') return;
          const toPath = `${svcPath}.expose[${ei}].to[${ti}]`;
          if (!to.global) fail(`${toPath}.global`, 'sdl-ip-global', 'an IP endpoint must be declared global');
          const endpoint = sdl.endpoints?.get(to.ip);
          if (endpoint === undefined) fail(`${toPath}.ip`, 'sdl-unknown-endpoint', `no endpoint named ${JSON.stringify(to.ip)} exists`);
          if (endpoint!.kind !== 'ip') fail(`${toPath}.ip`, 'sdl-endpoint', `endpoint ${JSON.stringify(to.ip)} has type ${JSON.stringify(endpoint!.kind)}, should be "ip"`);
          endpointsUsed.add(to.ip);
          const portKey = `${to.ip}-${e.as}-${e.proto}`;
          const other = portsUsed.get(portKey);
          if (other !== undefined) fail(`${toPath}.ip`, 'sdl-ip-port', `IP endpoint ${JSON.stringify(to.ip)} port ${e.port} protocol ${e.proto} is already used by service ${JSON.stringify(other)}`);
          portsUsed.set(portKey, svcName);
        });
      });
      const resources = compute!.resources;
      if (resources === null) fail(`profiles.compute.${svcdepl.profile}.resources`, 'sdl-resources', 'compute profile has no resources (Go: nil pointer)');
      validateStorage(sdl, resources!, svc!, svcName, svcdepl.profile);
    }
  }
  for (const name of sdl.endpoints?.keys() ?? []) {
    if (!endpointsUsed.has(name)) fail(`endpoints.${name}`, 'sdl-endpoint-unused', `endpoint ${JSON.stringify(name)} declared but never used`);
  }
}

function validateStorage(sdl: V2Sdl, resources: V2ComputeResources, svc: V2Service, svcName: string, profile: string): void {
  const volumes = new Map((resources.storage ?? []).map((v) => [v.name, v]));
  const params = svc.params?.storage ?? null;
  const mounts = new Map<string, string>();
  for (const [name, p] of params ?? []) {
    const path = `services.${svcName}.params.storage.${name}`;
    const volume = volumes.get(name);
    if (volume === undefined) fail(path, 'sdl-storage', `service ${JSON.stringify(svcName)} refers to no compute volume named ${JSON.stringify(name)} (profile ${JSON.stringify(profile)})`);
    if (!isAbs(p.mount)) fail(`${path}.mount`, 'sdl-storage', 'expected an absolute path');
    const other = mounts.get(p.mount);
    if (other !== undefined) fail(`${path}.mount`, 'sdl-storage', `mount ${JSON.stringify(p.mount)} already in use by volume ${JSON.stringify(other)}`);
    mounts.set(p.mount, name);
    if (sdl.version === '2.1') {
      const cls = (volume!.attributes ?? []).find((a) => a.key === 'class')?.value ?? '';
      if (cls === 'ram' && p.readOnly) fail(`${path}.readOnly`, 'sdl-storage', 'readOnly=true is not allowed for storage class "ram"');
    }
  }
  if (sdl.version === '2.0' && (params === null || params.size === 0)) {
    // v2.0 merges every volume's attributes into one map shared with the mount parameters; with no
    // mounts at all, any persistent volume is refused.
    for (const v of resources.storage ?? []) {
      const persistent = (v.attributes ?? []).find((a) => a.key === 'persistent')?.value ?? '';
      if (parseGoBool(persistent) === true) {
        fail(`profiles.compute.${profile}.resources.storage`, 'sdl-storage', `compute.storage.${v.name} has persistent=true which requires services.${svcName}.params.storage.${v.name} to have a mount`);
      }
    }
  }
}

/** time.ParseDuration (nanoseconds as a number; precision beyond 2^53 ns is irrelevant here). */
export function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(\.[0-9]*)?([^0-9.]+)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === '.'))) return undefined;
    const unit = units[m[3]!];
    if (unit === undefined) return undefined;
    total += Number(`${m[1] === '' ? '0' : m[1]}${m[2] ?? ''}`) * unit;
    rest = rest.slice(m[0].length);
  }
  if (total > 2 ** 63) return undefined; // int64 nanoseconds overflow
  return sign * total;
}

// --- ValidateDeploymentGroups (deployment v1beta4) ---------------------------------------------------

const MAX_CPU = 384000n;
const MAX_GPU = 24n;
const MAX_MEMORY = 2n * 1024n ** 4n;
const MAX_STORAGE = 32n * 1024n ** 4n;
const MAX_UNIT_COUNT = 50n;
const MAX_PRICE = 10000000n * 10n ** 18n;

function validateDeploymentGroups(built: BuiltSdl): Problem[] {
  const out: Problem[] = [];
  if (built.specs.length === 0) return [problem('deployment', 'sdl-no-groups', 'the SDL deploys no groups')];
  let denom = '';
  const names = new Set<string>();
  built.specs.forEach((spec, gi) => {
    const where = `profiles.placement.${spec.name}`;
    const prices = built.prices[gi]!;
    // GroupSpec.Price(): DecCoin.Add panics on mixed denominations; we refuse them
    const groupDenoms = new Set(prices.map((p) => p.denom));
    if (groupDenoms.size > 1) {
      out.push(problem(`${where}.pricing`, 'sdl-pricing', `multi-denomination group: ${[...groupDenoms].join(', ')}`));
      return;
    }
    const groupDenom = prices[0]?.denom ?? '';
    if (gi === 0) denom = groupDenom;
    else if (groupDenom !== denom) out.push(problem(`${where}.pricing`, 'sdl-pricing', `inconsistent group denomination: ${denom} != ${groupDenom}`));
    if (spec.name === '') out.push(problem(where, 'sdl-group', 'empty group spec name'));
    const ids = new Set<number>();
    let cpu = 0n;
    let gpu = 0n;
    let memory = 0n;
    (spec.resources ?? []).forEach((u, ui) => {
      const r = u.resource;
      const up = `${where}.resources[id=${r.id}]`;
      if (r.id === 0) out.push(problem(up, 'sdl-resources', 'invalid resources ID (> 0 fails)'));
      const num = (v: { val: string | null } | undefined): bigint => BigInt(v?.val ?? '0');
      if (r.cpu === null) out.push(problem(`${up}.cpu`, 'sdl-resources', 'CPU cannot be missing'));
      else {
        const v = num(r.cpu.units);
        if (v > MAX_CPU || v < 10n) out.push(problem(`${up}.cpu`, 'sdl-cpu-range', `CPU units must be 10..${MAX_CPU} millicpu, got ${v}`));
        const bad = attributesProblem(r.cpu.attributes);
        if (bad !== undefined) out.push(problem(`${up}.cpu.attributes`, 'sdl-attribute', bad));
      }
      if (r.gpu === null) out.push(problem(`${up}.gpu`, 'sdl-resources', 'GPU cannot be missing'));
      else {
        const v = num(r.gpu.units);
        if (v > MAX_GPU) out.push(problem(`${up}.gpu`, 'sdl-gpu-range', `GPU units must be 0..${MAX_GPU}, got ${v}`));
        if (v === 0n && (r.gpu.attributes ?? []).length > 0) out.push(problem(`${up}.gpu`, 'sdl-gpu', 'attributes cannot be present if units == 0'));
        const bad = attributesProblem(r.gpu.attributes);
        if (bad !== undefined) out.push(problem(`${up}.gpu.attributes`, 'sdl-attribute', bad));
      }
      if (r.memory === null) out.push(problem(`${up}.memory`, 'sdl-resources', 'memory cannot be missing'));
      else {
        const v = num(r.memory.size);
        if (v > MAX_MEMORY || v < 1024n ** 2n) out.push(problem(`${up}.memory`, 'sdl-memory-range', `memory must be 1Mi..2Ti, got ${v} bytes`));
      }
      if (r.storage === null) out.push(problem(`${up}.storage`, 'sdl-resources', 'storage cannot be missing'));
      for (const s of r.storage ?? []) {
        const v = num(s.size);
        if (v > MAX_STORAGE || v < 5n * 1024n ** 2n) out.push(problem(`${up}.storage.${s.name}`, 'sdl-storage-range', `storage must be 5Mi..32Ti, got ${v} bytes`));
        const bad = attributesProblem(s.attributes);
        if (bad !== undefined) out.push(problem(`${up}.storage.${s.name}.attributes`, 'sdl-attribute', bad));
      }
      if (ids.has(r.id)) out.push(problem(up, 'sdl-resources', `duplicate resources ID (${r.id}) within group`));
      ids.add(r.id);
      const count = BigInt(u.count);
      cpu += num(r.cpu?.units) * count;
      gpu += num(r.gpu?.units) * count;
      memory += num(r.memory?.size) * count;
      const price = prices[ui]!;
      if (price.amount === null || !isValidDenom(price.denom) || price.amount < 0n) out.push(problem(`${where}.pricing`, 'sdl-pricing', 'invalid price'));
      else if (price.amount > MAX_PRICE) out.push(problem(`${where}.pricing`, 'sdl-pricing', `unit price must be at most 10000000, got ${formatLegacyDec(price.amount)}`));
    });
    if (cpu > MAX_CPU * MAX_UNIT_COUNT || cpu <= 0n) out.push(problem(where, 'sdl-cpu-total', `invalid total CPU ${cpu}`));
    if (gpu !== 0n && (gpu > MAX_GPU * MAX_UNIT_COUNT || gpu < 0n)) out.push(problem(where, 'sdl-gpu-total', `invalid total GPU ${gpu}`));
    if (memory > MAX_MEMORY * MAX_UNIT_COUNT || memory <= 0n) out.push(problem(where, 'sdl-memory-total', `invalid total memory ${memory}`));
    if (names.has(spec.name)) out.push(problem(where, 'sdl-group', `duplicate deployment group name ${spec.name}`));
    names.add(spec.name);
  });
  if (out.length === 0 && denom === '') out.push(problem('profiles.placement', 'sdl-pricing', 'unsupported denomination ""'));
  return out;
}

/** Builds and checks as `sdl.Read` does; throws a ValidationError with YAML paths and lines. */
export function buildSdl(sdl: V2Sdl): BuiltSdl {
  const lineOf = (path: string): number | undefined => {
    for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[[^\]]*\])$/, '')) {
      const line = sdl.lines.get(p);
      if (line !== undefined) return line;
      if (!/[.[]/.test(p)) break;
    }
    return undefined;
  };
  const withLines = (problems: Problem[]): Problem[] => problems.map((p) => (p.line === undefined && lineOf(p.path) !== undefined ? { ...p, line: lineOf(p.path)! } : p));
  let built: BuiltSdl;
  try {
    built = buildGroups(sdl);
    validate(sdl);
  } catch (e) {
    if (e instanceof SdlFailure) throw new ValidationError(withLines([problem(e.path, e.rule, e.message)]));
    throw e;
  }
  const groupProblems = validateDeploymentGroups(built);
  if (groupProblems.length > 0) throw new ValidationError(withLines(groupProblems));
  const manifestProblems = validateManifest(built.groups).map((p) => ({ ...p, path: `manifest.${p.path}` }));
  if (manifestProblems.length > 0) throw new ValidationError(manifestProblems);
  return built;
}

export type { Attribute };
