/**
 * A tenant's wire manifest (the PUT /deployment/{dseq}/manifest body) decoded exactly as the Go
 * provider decodes it: `json.NewDecoder(body).Decode(&manifest)` into the v2beta3 structs.
 *
 * Go's rules that matter for the hash: unknown keys are dropped; keys match field names exactly or
 * case-insensitively; a missing field keeps its zero value; `null` leaves a value as it is (and sets
 * slices and pointers to nil); `[]` is an empty slice, distinct from nil; a repeated key is applied
 * again in document order, merging into the struct or slice elements already decoded; numbers must be
 * integer literals within the field's range; a type mismatch fails the whole decode; only the first
 * JSON value is read.
 *
 * Two parsers feed one decoder. The fast path is JSON.parse, taken only when it provably yields what
 * Go's decoder sees: valid UTF-8, no duplicate keys, only unsigned integer literals, nesting within
 * Go's limit, nothing after the value. Everything else takes `parseGoJson`, which implements Go's
 * byte-level behaviour. A test checks that both paths agree.
 */
import { ValidationError } from './errors.ts';
import { parseGoBigInt } from './goBigInt.ts';
import { GO_MAX_NESTING, GoJsonNumber, GoJsonObject, goFoldKey, parseGoJson } from './goJson.ts';
import {
  type Attribute,
  type CPU,
  type Endpoint,
  type GPU,
  type Group,
  type HTTPOptions,
  type ImageCredentials,
  type Manifest,
  type Memory,
  type ResourceValue,
  type Resources,
  type Service,
  type ServiceExpose,
  type ServiceParams,
  type ServicePermissions,
  type Storage,
  type StorageParams,
  type TEEParams,
  zeroAttribute,
  zeroCPU,
  zeroEndpoint,
  zeroGPU,
  zeroGroup,
  zeroImageCredentials,
  zeroMemory,
  zeroService,
  zeroServiceExpose,
  zeroServiceParams,
  zeroServicePermissions,
  zeroStorage,
  zeroStorageParams,
  zeroTEEParams,
} from './manifest.ts';

/** Internal: a decode failure collecting its path on the way up. */
class DecodeFailure {
  readonly segments: string[] = [];
  readonly rule: string;
  readonly message: string;
  constructor(rule: string, message: string) {
    this.rule = rule;
    this.message = message;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof GoJsonNumber || typeof v === 'number') return 'number';
  if (v instanceof GoJsonObject || typeof v === 'object') return 'object';
  return typeof v;
}

function typeError(expected: string, v: unknown): never {
  throw new DecodeFailure('json-type', `cannot decode a JSON ${describe(v)} into ${expected}`);
}

function isObject(v: unknown): boolean {
  return v instanceof GoJsonObject || (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoJsonNumber));
}

// --- scalars -------------------------------------------------------------------------------------

function decString(v: unknown, cur: string): string {
  if (typeof v === 'string') return v.isWellFormed() ? v : v.toWellFormed(); // Go: lone surrogate escapes → U+FFFD
  if (v === null) return cur;
  return typeError('a string', v);
}

const UNSIGNED_LITERAL = /^(?:0|[1-9][0-9]*)$/;
const SIGNED_LITERAL = /^-?(?:0|[1-9][0-9]*)$/;

function decUint32(v: unknown, cur: number): number {
  if (typeof v === 'number') {
    // fast path: a non-negative integer literal (the pre-scan saw no '-', '.' or exponent)
    if (v <= 0xffffffff) return v;
    throw new DecodeFailure('json-type', `number ${v} overflows uint32`);
  }
  if (v instanceof GoJsonNumber) {
    // strconv.ParseUint(text, 10, 64), then the uint32 overflow check
    if (!UNSIGNED_LITERAL.test(v.text)) throw new DecodeFailure('json-type', `cannot decode number ${v.text} into uint32`);
    const n = Number(v.text);
    if (n > 0xffffffff) throw new DecodeFailure('json-type', `number ${v.text} overflows uint32`);
    return n;
  }
  if (v === null) return cur;
  return typeError('uint32', v);
}

function decInt32(v: unknown, cur: number): number {
  const text = typeof v === 'number' ? String(v) : v instanceof GoJsonNumber ? v.text : undefined;
  if (text !== undefined) {
    if (!SIGNED_LITERAL.test(text) && typeof v !== 'number') throw new DecodeFailure('json-type', `cannot decode number ${text} into int32`);
    const n = Number(text);
    if (n < -0x80000000 || n > 0x7fffffff) throw new DecodeFailure('json-type', `number ${text} overflows int32`);
    return n === 0 ? 0 : n; // "-0" parses to 0 in Go
  }
  if (v === null) return cur;
  return typeError('int32', v);
}

function decBool(v: unknown, cur: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null) return cur;
  return typeError('a bool', v);
}

// --- composites ----------------------------------------------------------------------------------

/** Decoding context: counts object keys so the fast path can prove there were no duplicates. */
interface Ctx {
  keys: number;
}

type FieldDecoder<T> = (ctx: Ctx, target: T, v: unknown) => void;

interface StructDef<T> {
  exact: Map<string, FieldDecoder<T>>;
  folded: Map<string, FieldDecoder<T>>;
}

function struct<T>(fields: Record<string, FieldDecoder<T>>): StructDef<T> {
  const exact = new Map(Object.entries(fields));
  const folded = new Map<string, FieldDecoder<T>>();
  for (const [name, dec] of exact) folded.set(goFoldKey(name)!, dec);
  return { exact, folded };
}

function countKeysDeep(v: unknown): number {
  let count = 0;
  const todo: unknown[] = [v];
  while (todo.length > 0) {
    const x = todo.pop();
    if (Array.isArray(x)) for (const e of x) todo.push(e);
    else if (x instanceof GoJsonObject) {
      count += x.keys.length;
      for (const e of x.values) todo.push(e);
    } else if (typeof x === 'object' && x !== null && !(x instanceof GoJsonNumber)) {
      for (const k in x) {
        count++;
        todo.push((x as Record<string, unknown>)[k]);
      }
    }
  }
  return count;
}

function fieldOf<T>(def: StructDef<T>, key: string): FieldDecoder<T> | undefined {
  const dec = def.exact.get(key);
  if (dec !== undefined) return dec;
  const folded = goFoldKey(key);
  return folded === undefined ? undefined : def.folded.get(folded);
}

function decodeField<T>(ctx: Ctx, def: StructDef<T>, target: T, key: string, value: unknown): void {
  ctx.keys++;
  const dec = fieldOf(def, key);
  if (dec === undefined) {
    ctx.keys += countKeysDeep(value); // unknown field: dropped, as Go does
    return;
  }
  try {
    dec(ctx, target, value);
  } catch (e) {
    if (e instanceof DecodeFailure) e.segments.push(`.${key}`);
    throw e;
  }
}

function decodeInto<T>(ctx: Ctx, def: StructDef<T>, v: unknown, target: T): void {
  if (v instanceof GoJsonObject) {
    for (let i = 0; i < v.keys.length; i++) decodeField(ctx, def, target, v.keys[i]!, v.values[i]);
  } else {
    const o = v as Record<string, unknown>;
    for (const key in o) decodeField(ctx, def, target, key, o[key]);
  }
}

/** A struct-valued field (not a pointer): null leaves it unchanged. */
function decStruct<T>(ctx: Ctx, def: StructDef<T>, v: unknown, cur: T, expected: string): T {
  if (v === null) return cur;
  if (!isObject(v)) return typeError(expected, v);
  decodeInto(ctx, def, v, cur);
  return cur;
}

/** A pointer-to-struct field: null makes it nil, an object decodes into the existing value if any. */
function decPointer<T>(ctx: Ctx, def: StructDef<T>, v: unknown, cur: T | null, zero: () => T, expected: string): T | null {
  if (v === null) return null;
  if (!isObject(v)) return typeError(expected, v);
  const target = cur ?? zero();
  decodeInto(ctx, def, v, target);
  return target;
}

/**
 * Elements a slice's Go backing array still holds beyond its length. When a key repeats, Go decodes
 * the new array into the old backing array: it truncates with SetLen and later re-extends over the
 * elements it left behind (they are exposed again and merged into, not zeroed). Memory that
 * `reflect.Value.Grow` adds is zeroed, so only elements once written can come back.
 */
const staleElements = new WeakMap<unknown[], unknown[]>();

/**
 * A slice: null is nil, `[]` is a new empty slice; elements decode into the elements already in the
 * backing array (live or left behind), further ones start from zero.
 */
function decSlice<T>(v: unknown, cur: T[] | null, zero: () => T, elem: (v: unknown, cur: T) => T, expected: string): T[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) return typeError(expected, v);
  if (v.length === 0) return [];
  const backing: T[] = cur === null ? [] : cur.concat((staleElements.get(cur) ?? []) as T[]);
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const base = i < backing.length ? backing[i]! : zero();
    try {
      out[i] = elem(v[i], base);
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.push(`[${i}]`);
      throw e;
    }
  }
  if (backing.length > out.length) staleElements.set(out, backing.slice(out.length));
  return out;
}

const zeroString = (): string => '';
const decStringSlice = (v: unknown, cur: string[] | null): string[] | null => decSlice(v, cur, zeroString, decString, 'a list of strings');

function decResourceValue(v: unknown, cur: ResourceValue): ResourceValue {
  // math.Int.UnmarshalJSON runs even for null: json.Unmarshal(null, &text) leaves "" which is no number.
  if (typeof v !== 'string') {
    if (v === null) throw new DecodeFailure('json-type', 'val: null is not a valid integer (Go: math/big cannot unmarshal "")');
    return typeError('an integer string', v);
  }
  const text = decString(v, '');
  const n = parseGoBigInt(text);
  if (n === undefined) throw new DecodeFailure('json-type', `val: ${JSON.stringify(text)} is not an integer of at most 256 bits`);
  cur.val = n.toString();
  return cur;
}

// --- the struct definitions (field names are the Go json tags) ------------------------------------

const ResourceValueDef = struct<ResourceValue>({
  val: (_c, t, v) => void decResourceValue(v, t),
});

const AttributeDef = struct<Attribute>({
  key: (_c, t, v) => (t.key = decString(v, t.key)),
  value: (_c, t, v) => (t.value = decString(v, t.value)),
});

const decAttributes = (ctx: Ctx, v: unknown, cur: Attribute[] | null): Attribute[] | null =>
  decSlice(v, cur, zeroAttribute, (ev, base) => decStruct(ctx, AttributeDef, ev, base, 'an attribute'), 'a list of attributes');

const decRV = (ctx: Ctx, v: unknown, cur: ResourceValue): ResourceValue => decStruct(ctx, ResourceValueDef, v, cur, 'a resource value');

const CPUDef = struct<CPU>({
  units: (c, t, v) => (t.units = decRV(c, v, t.units)),
  attributes: (c, t, v) => (t.attributes = decAttributes(c, v, t.attributes)),
});
const GPUDef = struct<GPU>({
  units: (c, t, v) => (t.units = decRV(c, v, t.units)),
  attributes: (c, t, v) => (t.attributes = decAttributes(c, v, t.attributes)),
});
const MemoryDef = struct<Memory>({
  size: (c, t, v) => (t.size = decRV(c, v, t.size)),
  attributes: (c, t, v) => (t.attributes = decAttributes(c, v, t.attributes)),
});
const StorageDef = struct<Storage>({
  name: (_c, t, v) => (t.name = decString(v, t.name)),
  size: (c, t, v) => (t.size = decRV(c, v, t.size)),
  attributes: (c, t, v) => (t.attributes = decAttributes(c, v, t.attributes)),
});
const EndpointDef = struct<Endpoint>({
  kind: (_c, t, v) => (t.kind = decInt32(v, t.kind)),
  sequence_number: (_c, t, v) => (t.sequence_number = decUint32(v, t.sequence_number)),
});
const ResourcesDef = struct<Resources>({
  id: (_c, t, v) => (t.id = decUint32(v, t.id)),
  cpu: (c, t, v) => (t.cpu = decPointer(c, CPUDef, v, t.cpu, zeroCPU, 'cpu')),
  memory: (c, t, v) => (t.memory = decPointer(c, MemoryDef, v, t.memory, zeroMemory, 'memory')),
  storage: (c, t, v) =>
    (t.storage = decSlice(v, t.storage, zeroStorage, (ev, base) => decStruct(c, StorageDef, ev, base, 'a storage volume'), 'a list of storage volumes')),
  gpu: (c, t, v) => (t.gpu = decPointer(c, GPUDef, v, t.gpu, zeroGPU, 'gpu')),
  endpoints: (c, t, v) =>
    (t.endpoints = decSlice(v, t.endpoints, zeroEndpoint, (ev, base) => decStruct(c, EndpointDef, ev, base, 'an endpoint'), 'a list of endpoints')),
});
const HTTPOptionsDef = struct<HTTPOptions>({
  maxBodySize: (_c, t, v) => (t.maxBodySize = decUint32(v, t.maxBodySize)),
  readTimeout: (_c, t, v) => (t.readTimeout = decUint32(v, t.readTimeout)),
  sendTimeout: (_c, t, v) => (t.sendTimeout = decUint32(v, t.sendTimeout)),
  nextTries: (_c, t, v) => (t.nextTries = decUint32(v, t.nextTries)),
  nextTimeout: (_c, t, v) => (t.nextTimeout = decUint32(v, t.nextTimeout)),
  nextCases: (_c, t, v) => (t.nextCases = decStringSlice(v, t.nextCases)),
  proxyBufferSize: (_c, t, v) => (t.proxyBufferSize = decUint32(v, t.proxyBufferSize)),
});
const ServiceExposeDef = struct<ServiceExpose>({
  port: (_c, t, v) => (t.port = decUint32(v, t.port)),
  externalPort: (_c, t, v) => (t.externalPort = decUint32(v, t.externalPort)),
  proto: (_c, t, v) => (t.proto = decString(v, t.proto)),
  service: (_c, t, v) => (t.service = decString(v, t.service)),
  global: (_c, t, v) => (t.global = decBool(v, t.global)),
  hosts: (_c, t, v) => (t.hosts = decStringSlice(v, t.hosts)),
  httpOptions: (c, t, v) => (t.httpOptions = decStruct(c, HTTPOptionsDef, v, t.httpOptions, 'http options')),
  ip: (_c, t, v) => (t.ip = decString(v, t.ip)),
  endpointSequenceNumber: (_c, t, v) => (t.endpointSequenceNumber = decUint32(v, t.endpointSequenceNumber)),
});
const StorageParamsDef = struct<StorageParams>({
  name: (_c, t, v) => (t.name = decString(v, t.name)),
  mount: (_c, t, v) => (t.mount = decString(v, t.mount)),
  readOnly: (_c, t, v) => (t.readOnly = decBool(v, t.readOnly)),
});
const ServicePermissionsDef = struct<ServicePermissions>({
  read: (_c, t, v) => (t.read = decStringSlice(v, t.read)),
});
const TEEParamsDef = struct<TEEParams>({
  type: (_c, t, v) => (t.type = decString(v, t.type)),
  attestation: (_c, t, v) => (t.attestation = decBool(v, t.attestation)),
});
const ImageCredentialsDef = struct<ImageCredentials>({
  host: (_c, t, v) => (t.host = decString(v, t.host)),
  email: (_c, t, v) => (t.email = decString(v, t.email)),
  username: (_c, t, v) => (t.username = decString(v, t.username)),
  password: (_c, t, v) => (t.password = decString(v, t.password)),
});
const ServiceParamsDef = struct<ServiceParams>({
  storage: (c, t, v) =>
    (t.storage = decSlice(v, t.storage, zeroStorageParams, (ev, base) => decStruct(c, StorageParamsDef, ev, base, 'storage params'), 'a list of storage params')),
  credentials: (c, t, v) => (t.credentials = decPointer(c, ImageCredentialsDef, v, t.credentials, zeroImageCredentials, 'credentials')),
  permissions: (c, t, v) => (t.permissions = decPointer(c, ServicePermissionsDef, v, t.permissions, zeroServicePermissions, 'permissions')),
  tee: (c, t, v) => (t.tee = decPointer(c, TEEParamsDef, v, t.tee, zeroTEEParams, 'tee params')),
});
const ServiceDef = struct<Service>({
  name: (_c, t, v) => (t.name = decString(v, t.name)),
  image: (_c, t, v) => (t.image = decString(v, t.image)),
  command: (_c, t, v) => (t.command = decStringSlice(v, t.command)),
  args: (_c, t, v) => (t.args = decStringSlice(v, t.args)),
  env: (_c, t, v) => (t.env = decStringSlice(v, t.env)),
  resources: (c, t, v) => (t.resources = decStruct(c, ResourcesDef, v, t.resources, 'resources')),
  count: (_c, t, v) => (t.count = decUint32(v, t.count)),
  expose: (c, t, v) =>
    (t.expose = decSlice(v, t.expose, zeroServiceExpose, (ev, base) => decStruct(c, ServiceExposeDef, ev, base, 'an expose'), 'a list of exposes')),
  params: (c, t, v) => (t.params = decPointer(c, ServiceParamsDef, v, t.params, zeroServiceParams, 'params')),
  credentials: (c, t, v) => (t.credentials = decPointer(c, ImageCredentialsDef, v, t.credentials, zeroImageCredentials, 'credentials')),
});
const GroupDef = struct<Group>({
  name: (_c, t, v) => (t.name = decString(v, t.name)),
  services: (c, t, v) =>
    (t.services = decSlice(v, t.services, zeroService, (ev, base) => decStruct(c, ServiceDef, ev, base, 'a service'), 'a list of services')),
});

function decodeManifestValue(ctx: Ctx, v: unknown): Manifest {
  try {
    return decSlice(v, null, zeroGroup, (ev, base) => decStruct(ctx, GroupDef, ev, base, 'a group'), 'a manifest (a list of groups)');
  } catch (e) {
    if (e instanceof DecodeFailure) {
      throw new ValidationError([{ path: `groups${e.segments.reverse().join('')}`, rule: e.rule, message: e.message }]);
    }
    throw e;
  }
}

// --- entry points ----------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Scans JSON text for what JSON.parse would decode differently from Go: numbers that are not
 * unsigned integer literals, nesting beyond Go's limit. Returns the number of `:` outside strings
 * (one per object key), or -1 when the slow path must be taken.
 */
function preScan(s: string): number {
  let colons = 0;
  let depth = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      // jump to the closing quote: the next '"' not escaped by an odd run of backslashes
      let end = s.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return -1; // unterminated: let the Go parser report it
        let slashes = 0;
        while (s.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if ((slashes & 1) === 0) break;
        end = s.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === 0x3a) colons++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > GO_MAX_NESTING) return -1;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2d || c === 0x2e) return -1; // '-' or '.': only inside numbers outside strings
    else if ((c === 0x65 || c === 0x45) && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0x30 && p <= 0x39) return -1; // an exponent
    }
  }
  return colons;
}

/** Decodes a wire manifest body as Go's provider does. Throws ValidationError on anything Go refuses. */
export function decodeWireManifest(body: Uint8Array | string): Manifest {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined; // not UTF-8: Go replaces bad bytes one by one
  }
  if (text !== undefined) {
    const colons = preScan(text);
    if (colons >= 0) {
      let parsed: unknown;
      let ok = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        ok = false; // trailing data, bad syntax, empty input: let the Go parser decide and explain
      }
      if (ok) {
        const ctx: Ctx = { keys: 0 };
        const fast = decodeManifestValue(ctx, parsed);
        if (ctx.keys === colons) return fast; // every key seen once: no duplicates were collapsed
      }
    }
  }
  return decodeManifestValue({ keys: 0 }, parseGoJson(bytes).value);
}

/** The Go-semantics path only (for tests that compare both paths). */
export function decodeWireManifestSlow(body: Uint8Array): Manifest {
  return decodeManifestValue({ keys: 0 }, parseGoJson(body).value);
}
