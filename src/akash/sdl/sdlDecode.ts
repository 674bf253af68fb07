/**
 * SDL YAML → the Go structs of Akash's SDL package (`pkg.akt.dev/go/sdl`, v2 and v2.1), decoded
 * with yaml.v3's rules and the package's own UnmarshalYAML methods (quantities with unit suffixes,
 * storage given as one volume or a list, storage/GPU/CPU attributes, prices as decimals).
 */
import { ValidationError, problem } from '../errors.ts';
import { goCompare } from '../goStrings.ts';
import type { Attribute } from '../manifest.ts';
import { goSortStable, goSortInterface } from './goSort.ts';
import { type LegacyDec, isValidDenom, parseLegacyDec } from './decimal.ts';
import { goFloatToUint32, goFloatToUint64, parseGoFloat, parseGoUint } from './goStrconv.ts';
import {
  Decoder,
  GoYamlFatal,
  type YNode,
  decodeFresh,
  field,
  goBool,
  goCustom,
  goMap,
  goPointer,
  goSlice,
  goString,
  goStringList,
  goStringMap,
  goStruct,
  goUint32,
  parseYamlForGo,
  recordingLines,
} from './goYaml.ts';

export interface V2HTTPOptions {
  maxBodySize: number;
  proxyBufferSize: number;
  readTimeout: number;
  sendTimeout: number;
  nextTries: number;
  nextTimeout: number;
  nextCases: string[] | null;
}
export interface V2ExposeTo {
  service: string;
  global: boolean;
  httpOptions: V2HTTPOptions;
  ip: string;
}
export interface V2Expose {
  port: number;
  as: number;
  proto: string;
  to: V2ExposeTo[] | null;
  /** v2Accept.Items */
  accept: string[] | null;
  httpOptions: V2HTTPOptions;
}
export interface V2StorageParams {
  mount: string;
  readOnly: boolean;
}
export interface V2ServiceParams {
  storage: Map<string, V2StorageParams> | null;
  permissions: { read: string[] | null } | null;
  tee: string;
}
export interface V2Credentials {
  host: string;
  email: string;
  username: string;
  password: string;
}
export interface V2Service {
  image: string;
  command: string[] | null;
  args: string[] | null;
  env: string[] | null;
  expose: V2Expose[] | null;
  params: V2ServiceParams | null;
  credentials: V2Credentials | null;
}
export interface V2ResourceCPU {
  units: number;
  attributes: Attribute[] | null;
}
export interface V2ResourceGPU {
  units: bigint;
  attributes: Attribute[] | null;
}
export interface V2ResourceStorage {
  name: string;
  quantity: bigint;
  attributes: Attribute[] | null;
}
export interface V2ComputeResources {
  cpu: V2ResourceCPU | null;
  gpu: V2ResourceGPU | null;
  memory: { quantity: bigint } | null;
  storage: V2ResourceStorage[] | null;
}
export interface V2Coin {
  denom: string;
  /** null: never set (a `null` price in the YAML) */
  amount: LegacyDec | null;
}
export interface V2ProfilePlacement {
  attributes: Attribute[] | null;
  signedBy: { allOf: string[] | null; anyOf: string[] | null };
  pricing: Map<string, V2Coin> | null;
}
export interface V2ServiceDeployment {
  profile: string;
  count: number;
}
export interface V2Sdl {
  version: '2.0' | '2.1';
  /** line of each decoded YAML path, for error messages */
  lines: Map<string, number>;
  services: Map<string, V2Service> | null;
  compute: Map<string, { resources: V2ComputeResources | null }> | null;
  placement: Map<string, V2ProfilePlacement> | null;
  deployments: Map<string, Map<string, V2ServiceDeployment> | null> | null;
  endpoints: Map<string, { kind: string }> | null;
  reclamation: { minWindow: string } | null;
}

const fatal = (message: string, rule: string): never => {
  throw new GoYamlFatal(message, rule);
};

// --- quantities (units.go) -------------------------------------------------------------------------

const K = 1000n;
const KI = 1024n;
const UNIT_SUFFIXES: Record<string, bigint> = {
  k: K, Ki: KI, M: K ** 2n, Mi: KI ** 2n, G: K ** 3n, Gi: KI ** 3n, T: K ** 4n, Ti: KI ** 4n, P: K ** 5n, Pi: KI ** 5n, E: K ** 6n, Ei: KI ** 6n,
};
const MEMORY_SUFFIXES: Record<string, bigint> = { Ki: KI, Mi: KI ** 2n, Gi: KI ** 3n, Ti: KI ** 4n, Pi: KI ** 5n, Ei: KI ** 6n };

function badQuantity(value: string, units: Record<string, bigint>): never {
  return fatal(`invalid quantity ${JSON.stringify(value)}: expected a number with an optional unit (${Object.keys(units).join(', ')})`, 'sdl-quantity');
}

function parseWithSuffix(value: string, units: Record<string, bigint>): bigint {
  for (const [suffix, unit] of Object.entries(units)) {
    if (!value.endsWith(suffix)) continue;
    const f = parseGoFloat(value.slice(0, -suffix.length));
    if (f === undefined) return badQuantity(value, units);
    const v = f * Number(unit);
    if (v < 0) return fatal('invalid: negative value not allowed', 'sdl-quantity');
    return goFloatToUint64(v);
  }
  const f = parseGoFloat(value);
  if (f === undefined) return badQuantity(value, units);
  if (f < 0) return fatal('invalid: negative value not allowed', 'sdl-quantity');
  return goFloatToUint64(f);
}

/** A custom unmarshaler reads node.Value, which is "" for a list or a map: say so. */
function scalarText(n: YNode): string {
  if (n.kind === 'sequence' || n.kind === 'mapping') fatal(`expected a number, got a YAML ${n.kind === 'sequence' ? 'list' : 'map'}`, 'sdl-quantity');
  return n.value;
}

/** cpuQuantity: "500m" millicpu, or a number of CPUs ×1000. */
const cpuQuantity = goCustom<number>((n) => {
  const text = scalarText(n);
  if (text.endsWith('m')) {
    const v = parseGoUint(text.slice(0, -1), 10);
    if (v === undefined || v > 0xffffffffn) return fatal(`invalid cpu units ${JSON.stringify(text)}: expected a number of CPUs or "<millicpu>m"`, 'sdl-quantity');
    return Number(v);
  }
  const f = parseGoFloat(text);
  if (f === undefined) return fatal(`invalid cpu units ${JSON.stringify(text)}: expected a number of CPUs or "<millicpu>m"`, 'sdl-quantity');
  const v = f * 1000;
  if (v < 0) return fatal('invalid: negative value not allowed', 'sdl-quantity');
  return goFloatToUint32(v);
}, false);

const gpuQuantity = goCustom<bigint>((n) => {
  const v = parseGoUint(scalarText(n), 10);
  return v ?? fatal(`invalid gpu units ${JSON.stringify(n.value)}: expected a whole number`, 'sdl-quantity');
}, false);

const byteQuantity = goCustom<bigint>((n) => parseWithSuffix(scalarText(n), UNIT_SUFFIXES), false);
const memoryQuantity = goCustom<bigint>((n) => parseWithSuffix(scalarText(n), MEMORY_SUFFIXES), false);

// --- attributes ------------------------------------------------------------------------------------

const attributeLess = (list: Attribute[]) => (i: number, j: number): boolean => goCompare(list[i]!.key, list[j]!.key) < 0;
const sortAttributes = (list: Attribute[]): Attribute[] => {
  goSortInterface(list, attributeLess(list));
  return list;
};

const ATTRIBUTE_KEY = /^([a-zA-Z][\w/.-]{1,126}[\w*]?)$/;

/** attributes.Validate(): keys match the wildcard regexp and are unique. */
export function attributesProblem(list: Attribute[] | null): string | undefined {
  const seen = new Set<string>();
  for (const a of list ?? []) {
    if (!ATTRIBUTE_KEY.test(a.key)) return `attribute key does not match regexp: ${JSON.stringify(a.key)}`;
    if (seen.has(a.key)) return `attributes cannot have duplicate keys: ${JSON.stringify(a.key)}`;
    seen.add(a.key);
  }
  return undefined;
}

/** Iterates a node's content as key/value pairs the way the custom unmarshalers do (any node kind). */
function pairs(n: YNode, visit: (key: string, value: YNode, keyNode: YNode) => void): void {
  const c = n.content;
  for (let i = 0; i < c.length; i += 2) {
    const value = c[i + 1];
    if (value === undefined) fatal('index out of range in YAML content (Go: panic)', 'sdl-yaml');
    visit(c[i]!.value, value!, c[i]!);
  }
}

const cpuAttributes = goCustom<Attribute[] | null>((n, _cur, path) => {
  const attrs: Attribute[] = [];
  pairs(n, (key, value) => {
    if (key !== 'arch') fatal(`unsupported cpu attribute "${key}"`, 'sdl-attribute');
    attrs.push({ key, value: decodeFresh(value, goString, '', `${path}.${key}`) });
  });
  return attrs.length === 0 ? null : sortAttributes(attrs);
}, true);

const placementAttributes = goCustom<Attribute[] | null>((n, _cur, path) => {
  const res = decodeFresh(n, goStringMap, null, path) ?? new Map<string, string>();
  const attrs = [...res].map(([key, value]) => ({ key, value }));
  return attrs.length === 0 ? null : attrs.sort((a, b) => goCompare(a.key, b.key));
}, true);

const STORAGE_CLASSES = new Set(['default', 'beta1', 'beta2', 'beta3', 'ram']);
const unifyBool = (v: string): string | undefined =>
  ['true', 'on', 'yes'].includes(v) ? 'true' : ['false', 'off', 'no'].includes(v) ? 'false' : undefined;

const storageAttributes = goCustom<Attribute[] | null>((n, _cur, path) => {
  const res = decodeFresh(n, goStringMap, null, path) ?? new Map<string, string>();
  if (!res.has('persistent')) res.set('persistent', 'false');
  const persistent = res.get('persistent')!;
  const cls = res.get('class') ?? '';
  if (cls === '') {
    if (persistent === 'true') res.set('class', 'default');
  } else if (cls === 'ram') {
    if (persistent !== 'false') fatal('sdl: ram storage class cannot be persistent', 'sdl-storage');
  } else if (persistent === 'false') fatal('sdl: ephemeral storage should not set attribute class', 'sdl-storage');
  const attrs: Attribute[] = [];
  for (const [key, value] of res) {
    if (key === 'persistent') {
      const v = unifyBool(value);
      if (v === undefined) fatal(`sdl: invalid value for attribute "${key}". expected bool`, 'sdl-storage');
      attrs.push({ key, value: v! });
    } else if (key === 'class') {
      if (!STORAGE_CLASSES.has(value)) fatal('sdl: invalid value for attribute class', 'sdl-storage');
      attrs.push({ key, value });
    } else fatal(`sdl: unsupported storage attribute: ${key}`, 'sdl-storage');
  }
  return attrs.sort((a, b) => goCompare(a.key, b.key));
}, true);

// --- storage (storage.go) ---------------------------------------------------------------------------

const zeroStorage = (): V2ResourceStorage => ({ name: '', quantity: 0n, attributes: null });
const storageStruct = goStruct<V2ResourceStorage>(
  [field('name', 'name', goString), field('size', 'quantity', byteQuantity), field('attributes', 'attributes', storageAttributes)],
  'a storage volume',
);

function findAttr(attrs: Attribute[] | null, key: string): string {
  return (attrs ?? []).find((a) => a.key === key)?.value ?? '';
}

/** v2ResourceStorageArray.sort(): sort.SliceStable with Go's (inconsistent) comparator, kept as is. */
function sortStorage(list: V2ResourceStorage[]): void {
  goSortStable(list, (i, j) => {
    const a = list[i]!;
    const b = list[j]!;
    if (a.quantity < b.quantity) return true;
    if (a.quantity > b.quantity) return false;
    const iClass = findAttr(a.attributes, 'persistent');
    const jClass = findAttr(b.attributes, 'persistent');
    const iExists = iClass !== '';
    const jExists = jClass !== '';
    if ((!iExists && jExists) || (jExists && iExists && goCompare(iClass, jClass) < 0)) return true;
    if (iExists && !jExists) return false;
    const asBool = (v: string): boolean => v !== '' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
    if (!asBool(iClass)) return true;
    if (!asBool(jClass)) return false;
    return goCompare(a.name, b.name) < 0;
  });
}

const storageArray = goCustom<V2ResourceStorage[] | null>((n, _cur, path) => {
  let nodes: V2ResourceStorage[] | null = null;
  if (n.kind === 'sequence') {
    nodes = [];
    n.content.forEach((item, i) => {
      const nd = decodeFresh(item, storageStruct, zeroStorage(), `${path}[${i}]`);
      if (nd.name === '') nd.name = 'default';
      nodes!.push(nd);
    });
  } else if (n.kind === 'mapping') {
    const nd = decodeFresh(n, storageStruct, zeroStorage(), path);
    nd.name = 'default';
    nodes = [nd];
  }
  const names = new Set<string>();
  for (const nd of nodes ?? []) {
    if (names.has(nd.name)) fatal('sdl: duplicated volume name', 'sdl-storage');
    names.add(nd.name);
  }
  if (nodes !== null) sortStorage(nodes);
  return nodes;
}, true);

// --- GPU (gpu.go) ------------------------------------------------------------------------------------

interface V2GPUNvidia {
  model: string;
  ram: bigint | null;
  iface: string | null;
}
const gpuInterface = goCustom<string>((n) => (n.value === 'pcie' || n.value === 'sxm' ? n.value : fatal(`sdl: invalid GPU interface ${n.value}. expected "pcie|sxm"`, 'sdl-gpu')), false);
const nvidiaStruct = goStruct<V2GPUNvidia>(
  [field('model', 'model', goString), field('ram', 'ram', goPointer(memoryQuantity, () => 0n)), field('interface', 'iface', goPointer(gpuInterface, () => ''))],
  'a GPU model',
);
const gpuVendor = goPointer(
  goStruct<{ nvidia: V2GPUNvidia[] | null }>([field('nvidia', 'nvidia', goSlice(nvidiaStruct, () => ({ model: '', ram: null, iface: null }), 'a list of GPU models'))], 'a GPU vendor'),
  () => ({ nvidia: null }),
);

const gpuAttributes = goCustom<Attribute[] | null>((n, _cur, path) => {
  let vendor: { nvidia: V2GPUNvidia[] | null } | null = null;
  pairs(n, (key, value) => {
    if (key !== 'vendor') fatal(`sdl: unsupported attribute (${key}) for GPU resource`, 'sdl-gpu');
    vendor = decodeFresh(value, gpuVendor, vendor, `${path}.vendor`);
  });
  const v = vendor as { nvidia: V2GPUNvidia[] | null } | null;
  if (v === null) return fatal('sdl: invalid GPU attributes. at least one vendor must be set', 'sdl-gpu');
  const res: Attribute[] = (v.nvidia ?? []).map((m) => {
    let key = m.model;
    if (m.ram !== null) key = `${key}/ram/${m.ram / KI ** 3n}Gi`;
    if (m.iface !== null) key = `${key}/interface/${m.iface}`;
    return { key: `vendor/nvidia/model/${key}`, value: 'true' };
  });
  if (res.length === 0) res.push({ key: 'vendor/nvidia/model/*', value: 'true' });
  sortAttributes(res);
  const bad = attributesProblem(res);
  if (bad !== undefined) fatal(`sdl: invalid GPU attributes: ${bad}`, 'sdl-gpu');
  return res;
}, true);

const resourceGPU = goCustom<V2ResourceGPU>((n, _cur, path) => {
  const res: V2ResourceGPU = { units: 0n, attributes: null };
  pairs(n, (key, value) => {
    if (key === 'units') res.units = decodeFresh(value, gpuQuantity, res.units, `${path}.units`);
    else if (key === 'attributes') res.attributes = decodeFresh(value, gpuAttributes, res.attributes, `${path}.attributes`);
    else fatal(`sdl: unsupported field (${key}) for GPU resource`, 'sdl-gpu');
  });
  if (res.units > 0n && (res.attributes ?? []).length === 0) fatal('sdl: GPU attributes must be present if units > 0', 'sdl-gpu');
  return res;
}, false);

// --- prices (coin.go) -------------------------------------------------------------------------------

const coin = goCustom<V2Coin>((n, _cur, path) => {
  const parsed = decodeFresh(
    n,
    goStruct<{ amount: string; denom: string }>([field('amount', 'amount', goString), field('denom', 'denom', goString)], 'a price'),
    { amount: '', denom: '' },
    path,
  );
  const amount = parseLegacyDec(parsed.amount);
  if (amount === undefined) return fatal(`invalid price amount ${JSON.stringify(parsed.amount)}`, 'sdl-price');
  if (amount === 0n) return fatal('invalid coin amount: amount is zero', 'sdl-price');
  if (amount < 0n) return fatal('invalid: negative value not allowed', 'sdl-price');
  // sdk.NewDecCoinFromDec panics on a bad denom; we refuse it
  if (!isValidDenom(parsed.denom)) return fatal(`invalid denom: ${JSON.stringify(parsed.denom)}`, 'sdl-price');
  return { denom: parsed.denom, amount };
}, false);

// --- the rest of the structs --------------------------------------------------------------------------

const zeroHTTPOptions = (): V2HTTPOptions => ({ maxBodySize: 0, proxyBufferSize: 0, readTimeout: 0, sendTimeout: 0, nextTries: 0, nextTimeout: 0, nextCases: null });
const httpOptions = goStruct<V2HTTPOptions>(
  [
    field('max_body_size', 'maxBodySize', goUint32),
    field('proxy_buffer_size', 'proxyBufferSize', goUint32),
    field('read_timeout', 'readTimeout', goUint32),
    field('send_timeout', 'sendTimeout', goUint32),
    field('next_tries', 'nextTries', goUint32),
    field('next_timeout', 'nextTimeout', goUint32),
    field('next_cases', 'nextCases', goStringList),
  ],
  'http options',
);
const exposeTo = goStruct<V2ExposeTo>(
  [field('service', 'service', goString), field('global', 'global', goBool), field('http_options', 'httpOptions', httpOptions), field('ip', 'ip', goString)],
  'an expose target',
);
/**
 * v2Accept: a list of hostnames, each checked with url.ParseRequestURI("http://"+host). Any host
 * that check refuses also fails the manifest's DNS-1123 hostname rule later, so we leave it to that.
 */
const accept = goCustom<string[] | null>((n, _cur, path) => decodeFresh(n, goStringList, null, path), false);
const expose = goStruct<V2Expose>(
  [
    field('port', 'port', goUint32),
    field('as', 'as', goUint32),
    field('proto', 'proto', goString),
    field('to', 'to', goSlice(exposeTo, () => ({ service: '', global: false, httpOptions: zeroHTTPOptions(), ip: '' }), 'a list of expose targets')),
    field('accept', 'accept', accept),
    field('http_options', 'httpOptions', httpOptions),
  ],
  'an expose',
);
const zeroExpose = (): V2Expose => ({ port: 0, as: 0, proto: '', to: null, accept: null, httpOptions: zeroHTTPOptions() });
const serviceParams = goStruct<V2ServiceParams>(
  [
    field(
      'storage',
      'storage',
      goMap(goStruct<V2StorageParams>([field('mount', 'mount', goString), field('readOnly', 'readOnly', goBool)], 'storage params'), () => ({ mount: '', readOnly: false }), 'a map of storage params'),
    ),
    field('permissions', 'permissions', goPointer(goStruct<{ read: string[] | null }>([field('read', 'read', goStringList)], 'permissions'), () => ({ read: null }))),
    field('tee', 'tee', goString),
  ],
  'params',
);
const credentials = goStruct<V2Credentials>(
  [field('host', 'host', goString), field('email', 'email', goString), field('username', 'username', goString), field('password', 'password', goString)],
  'credentials',
);
const zeroService = (): V2Service => ({ image: '', command: null, args: null, env: null, expose: null, params: null, credentials: null });
const service = goStruct<V2Service>(
  [
    field('image', 'image', goString),
    field('command', 'command', goStringList),
    field('args', 'args', goStringList),
    field('env', 'env', goStringList),
    field('expose', 'expose', goSlice(expose, zeroExpose, 'a list of exposes')),
    { key: 'dependencies', decode: (d, n, _s, path) => void d.unmarshal(n, goSlice(goStruct<{ service: string }>([field('service', 'service', goString)], 'a dependency'), () => ({ service: '' }), 'a list of dependencies'), null, path) },
    field('params', 'params', goPointer(serviceParams, () => ({ storage: null, permissions: null, tee: '' }))),
    field('credentials', 'credentials', goPointer(credentials, () => ({ host: '', email: '', username: '', password: '' }))),
  ],
  'a service',
);
const computeResources = goStruct<V2ComputeResources>(
  [
    field('cpu', 'cpu', goPointer(goStruct<V2ResourceCPU>([field('units', 'units', cpuQuantity), field('attributes', 'attributes', cpuAttributes)], 'cpu'), () => ({ units: 0, attributes: null }))),
    field('gpu', 'gpu', goPointer(resourceGPU, () => ({ units: 0n, attributes: null }))),
    field('memory', 'memory', goPointer(goStruct<{ quantity: bigint }>([field('size', 'quantity', byteQuantity)], 'memory'), () => ({ quantity: 0n }))),
    field('storage', 'storage', storageArray),
  ],
  'resources',
);
const placement = goStruct<V2ProfilePlacement>(
  [
    field('attributes', 'attributes', placementAttributes),
    field('signedBy', 'signedBy', goStruct<V2ProfilePlacement['signedBy']>([field('allOf', 'allOf', goStringList), field('anyOf', 'anyOf', goStringList)], 'signedBy')),
    field('pricing', 'pricing', goMap(coin, () => ({ denom: '', amount: null }), 'a map of prices')),
  ],
  'a placement profile',
);

const sections: Record<string, (d: Decoder, n: YNode, sdl: V2Sdl, path: string) => void> = {
  include: (d, n, _s, path) => void d.unmarshal(n, goStringList, null, path),
  services: (d, n, s, path) => (s.services = d.unmarshal(n, goMap(service, zeroService, 'a map of services'), s.services, path).value),
  profiles: (d, n, s, path) => {
    const profiles = goStruct<{ compute: V2Sdl['compute']; placement: V2Sdl['placement'] }>(
      [
        field('compute', 'compute', goMap(goStruct<{ resources: V2ComputeResources | null }>([field('resources', 'resources', goPointer(computeResources, () => ({ cpu: null, gpu: null, memory: null, storage: null })))], 'a compute profile'), () => ({ resources: null }), 'a map of compute profiles')),
        field('placement', 'placement', goMap(placement, () => ({ attributes: null, signedBy: { allOf: null, anyOf: null }, pricing: null }), 'a map of placement profiles')),
      ],
      'profiles',
    );
    const r = d.unmarshal(n, profiles, { compute: s.compute, placement: s.placement }, path).value;
    s.compute = r.compute;
    s.placement = r.placement;
  },
  deployment: (d, n, s, path) => {
    const deployment = goMap(goStruct<V2ServiceDeployment>([field('profile', 'profile', goString), field('count', 'count', goUint32)], 'a deployment'), () => ({ profile: '', count: 0 }), 'a map of placements');
    s.deployments = d.unmarshal(n, goMap(deployment, () => null, 'a map of deployments'), s.deployments, path).value;
  },
  endpoints: (d, n, s, path) => (s.endpoints = d.unmarshal(n, goMap(goStruct<{ kind: string }>([field('kind', 'kind', goString)], 'an endpoint'), () => ({ kind: '' }), 'a map of endpoints'), s.endpoints, path).value),
  reclamation: (d, n, s, path) => {
    // Go allocates a new v2Reclamation for each occurrence of the key
    s.reclamation = d.unmarshal(n, goStruct<{ minWindow: string }>([field('min_window', 'minWindow', goString)], 'reclamation'), { minWindow: '' }, path).value;
  },
};

// --- version (blang/semver ParseTolerant) ---------------------------------------------------------

interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: boolean;
}

function parseTolerant(input: string): SemVer | undefined {
  let s = input.trim();
  if (s.startsWith('v')) s = s.slice(1);
  const parts = splitN(s, '.', 3).map((p) => {
    if (p.length <= 1) return p;
    const t = p.replace(/^0+/, '');
    return t === '' || !/^[0-9]/.test(t) ? `0${t}` : t;
  });
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1]!)) return undefined;
    while (parts.length < 3) parts.push('0');
  }
  const [major, minor, rest] = parts as [string, string, string];
  const numeric = (x: string): bigint | undefined => (/^[0-9]+$/.test(x) && !(x.length > 1 && x[0] === '0') ? parseGoUint(x, 10) : undefined);
  const build = rest.indexOf('+');
  const pre = rest.indexOf('-');
  const cut = Math.min(...[build, pre].filter((i) => i >= 0), rest.length);
  const patchText = rest.slice(0, cut);
  const [ma, mi, pa] = [numeric(major), numeric(minor), numeric(patchText)];
  if (ma === undefined || mi === undefined || pa === undefined) return undefined;
  let preText = '';
  let buildText: string | undefined;
  if (pre >= 0 && (build < 0 || pre < build)) preText = rest.slice(pre + 1, build >= 0 ? build : undefined);
  if (build >= 0) buildText = rest.slice(build + 1);
  if (pre >= 0 && (build < 0 || pre < build)) {
    for (const id of preText.split('.')) {
      if (id === '' || !/^[0-9A-Za-z-]+$/.test(id) || (/^[0-9]+$/.test(id) && id.length > 1 && id[0] === '0')) return undefined;
    }
  }
  if (buildText !== undefined) for (const id of buildText.split('.')) if (id === '' || !/^[0-9A-Za-z-]+$/.test(id)) return undefined;
  return { major: ma, minor: mi, patch: pa, pre: pre >= 0 && (build < 0 || pre < build) };
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

function sdlVersionOf(v: SemVer): '2.0' | '2.1' | undefined {
  const cmp = (a: bigint[], b: bigint[]): number => {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  };
  const t = [v.major, v.minor, v.patch];
  if (cmp(t, [2n, 0n, 0n]) === 0 && !v.pre) return '2.0';
  const c = cmp(t, [2n, 1n, 0n]);
  if (c > 0 || (c === 0 && !v.pre)) return '2.1';
  return undefined;
}

// --- entry point ------------------------------------------------------------------------------------

function asValidationError(e: unknown): never {
  if (e instanceof GoYamlFatal) throw new ValidationError([problem(e.path ?? '', e.rule, e.message, e.line)]);
  throw e;
}

/**
 * Parses and decodes an SDL as `sdl.Read` does up to the structs (before building groups).
 * Throws a ValidationError naming the YAML path and line of every problem found.
 */
export function decodeSdl(text: string): V2Sdl {
  const lines = new Map<string, number>();
  return recordingLines(lines, () => decodeSdlRecording(text, lines));
}

function decodeSdlRecording(text: string, lines: Map<string, number>): V2Sdl {
  const { root } = parseYamlForGo(text);
  const uninitialized = (): never => {
    throw new ValidationError([problem('', 'sdl-empty', 'sdl: uninitialized (the document is empty)')]);
  };
  if (root === undefined) return uninitialized();
  const top = root.kind === 'alias' ? root.alias : root;
  if (top === undefined || (top.kind === 'scalar' && !top.quoted && top.tag === '!!null')) return uninitialized();
  try {
    // sdl.UnmarshalYAML: the first content node whose text is "version" is followed by its value
    const c = top.content;
    const at = c.findIndex((x) => x.value === 'version');
    if (at < 0) return fatal('SDL invalid: no version found', 'sdl-version');
    const versionNode = c[at + 1];
    if (versionNode === undefined) return fatal('SDL invalid: no version value', 'sdl-version');
    const semver = parseTolerant(versionNode.value);
    if (semver === undefined) {
      const e = new GoYamlFatal(`invalid version ${JSON.stringify(versionNode.value)}`, 'sdl-version', versionNode.line);
      e.path = 'version';
      throw e;
    }
    const version = sdlVersionOf(semver);
    if (version === undefined) {
      const e = new GoYamlFatal(`SDL invalid: config: unsupported version ${JSON.stringify(versionNode.value)}`, 'sdl-version', versionNode.line);
      e.path = 'version';
      throw e;
    }
    const sdl: V2Sdl = { version, lines, services: null, compute: null, placement: null, deployments: null, endpoints: null, reclamation: null };
    const problems: ReturnType<typeof problem>[] = [];
    for (let i = 0; i < c.length; i += 2) {
      const key = c[i]!.value;
      if (key === 'version') continue;
      const section = sections[key];
      if (section === undefined) {
        const e = new GoYamlFatal(`sdl: unexpected field ${key}`, 'sdl-unknown-field', c[i]!.line);
        e.path = key;
        throw e;
      }
      const value = c[i + 1];
      if (value === undefined) return fatal('index out of range in YAML content (Go: panic)', 'sdl-yaml');
      // each section is its own node.Decode call in Go: a fresh decoder (alias budget included)
      section(new Decoder(problems), value!, sdl, key);
    }
    if (problems.length > 0) throw new ValidationError(problems);
    return sdl;
  } catch (e) {
    return asValidationError(e);
  }
}
