/**
 * The manifest version hash, byte for byte as Go computes it (`Manifest.Version()`):
 * json.Marshal of the v2beta3 structs (their json tags, omitempty as tagged), then cosmos-sdk
 * SortJSON (decode into interface{} and marshal again: keys sorted byte-wise at every level, compact,
 * HTML-safe escaping, integers printed plainly), then SHA-256.
 *
 * We write the sorted form directly: each struct's keys are listed here in byte order, and each
 * field is emitted or omitted the way its Go tag says.
 */
import { hash } from 'node:crypto';
import { goQuote } from './goJson.ts';
import type {
  Attribute,
  CPU,
  Endpoint,
  GPU,
  Group,
  HTTPOptions,
  ImageCredentials,
  Manifest,
  Memory,
  ResourceValue,
  Resources,
  Service,
  ServiceExpose,
  ServiceParams,
  Storage,
  StorageParams,
} from './manifest.ts';
import { decodeWireManifest } from './wireManifest.ts';

function strings(list: string[] | null): string {
  if (list === null) return 'null';
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + goQuote(list[i]!);
  return out + ']';
}

function list<T>(items: T[] | null, write: (item: T) => string): string {
  if (items === null) return 'null';
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + write(items[i]!);
  return out + ']';
}

const resourceValue = (v: ResourceValue): string => `{"val":"${v.val ?? '0'}"}`;

function attribute(a: Attribute): string {
  // both fields are omitempty
  if (a.key === '') return a.value === '' ? '{}' : `{"value":${goQuote(a.value)}}`;
  return a.value === '' ? `{"key":${goQuote(a.key)}}` : `{"key":${goQuote(a.key)},"value":${goQuote(a.value)}}`;
}

/** `"attributes":[...],` when non-empty (omitempty), else nothing. */
function attributesField(attrs: Attribute[] | null): string {
  return attrs === null || attrs.length === 0 ? '' : `"attributes":${list(attrs, attribute)},`;
}

const cpu = (c: CPU | GPU): string => `{${attributesField(c.attributes)}"units":${resourceValue(c.units)}}`;
const memory = (m: Memory): string => `{${attributesField(m.attributes)}"size":${resourceValue(m.size)}}`;
const storage = (s: Storage): string => `{${attributesField(s.attributes)}"name":${goQuote(s.name)},"size":${resourceValue(s.size)}}`;
const endpoint = (e: Endpoint): string => (e.kind === 0 ? `{"sequence_number":${e.sequence_number}}` : `{"kind":${e.kind},"sequence_number":${e.sequence_number}}`);

function resources(r: Resources): string {
  let out = '{';
  if (r.cpu !== null) out += `"cpu":${cpu(r.cpu)},`;
  out += `"endpoints":${list(r.endpoints, endpoint)},`;
  if (r.gpu !== null) out += `"gpu":${cpu(r.gpu)},`;
  out += `"id":${r.id}`;
  if (r.memory !== null) out += `,"memory":${memory(r.memory)}`;
  if (r.storage !== null && r.storage.length > 0) out += `,"storage":${list(r.storage, storage)}`;
  return out + '}';
}

function httpOptions(h: HTTPOptions): string {
  let out = `{"maxBodySize":${h.maxBodySize},`;
  if (h.nextCases !== null && h.nextCases.length > 0) out += `"nextCases":${strings(h.nextCases)},`;
  out += `"nextTimeout":${h.nextTimeout},"nextTries":${h.nextTries},`;
  if (h.proxyBufferSize !== 0) out += `"proxyBufferSize":${h.proxyBufferSize},`;
  return out + `"readTimeout":${h.readTimeout},"sendTimeout":${h.sendTimeout}}`;
}

const expose = (e: ServiceExpose): string =>
  `{"endpointSequenceNumber":${e.endpointSequenceNumber},"externalPort":${e.externalPort},"global":${e.global},` +
  `"hosts":${strings(e.hosts)},"httpOptions":${httpOptions(e.httpOptions)},"ip":${goQuote(e.ip)},` +
  `"port":${e.port},"proto":${goQuote(e.proto)},"service":${goQuote(e.service)}}`;

const credentials = (c: ImageCredentials | null): string =>
  c === null
    ? 'null'
    : `{"email":${goQuote(c.email)},"host":${goQuote(c.host)},"password":${goQuote(c.password)},"username":${goQuote(c.username)}}`;

const storageParams = (s: StorageParams): string => `{"mount":${goQuote(s.mount)},"name":${goQuote(s.name)},"readOnly":${s.readOnly}}`;

function params(p: ServiceParams): string {
  let out = '{';
  if (p.credentials !== null) out += `"credentials":${credentials(p.credentials)},`;
  if (p.permissions !== null) {
    const read = p.permissions.read;
    out += read === null || read.length === 0 ? '"permissions":{},' : `"permissions":{"read":${strings(read)}},`;
  }
  out += `"storage":${list(p.storage, storageParams)}`;
  if (p.tee !== null) out += `,"tee":{"attestation":${p.tee.attestation},"type":${goQuote(p.tee.type)}}`;
  return out + '}';
}

function service(s: Service): string {
  let out =
    `{"args":${strings(s.args)},"command":${strings(s.command)},"count":${s.count},"credentials":${credentials(s.credentials)},` +
    `"env":${strings(s.env)},"expose":${list(s.expose, expose)},"image":${goQuote(s.image)},"name":${goQuote(s.name)},`;
  if (s.params !== null) out += `"params":${params(s.params)},`;
  return out + `"resources":${resources(s.resources)}}`;
}

/** Go-canonical JSON of one Resources value (also used inside group specs). */
export const canonicalResourcesJson = resources;

const group = (g: Group): string => `{"name":${goQuote(g.name)},"services":${list(g.services, service)}}`;

/** The Go-canonical JSON text of a manifest: what `Manifest.Version()` hashes. */
export function canonicalManifestJson(m: Manifest): string {
  return list(m, group);
}

/** SHA-256 (lowercase hex) of the UTF-8 bytes of a canonical JSON text. */
export function sha256Hex(text: string | Uint8Array): string {
  return hash('sha256', text, 'hex'); // one-shot: no Hash object per manifest
}

/** A manifest's version hash (hex), as the chain records it in `Deployment.hash`. */
export function manifestVersion(m: Manifest): string {
  return sha256Hex(canonicalManifestJson(m));
}

export interface CanonicalManifest {
  manifest: Manifest;
  /** The Go-canonical JSON text; its UTF-8 bytes are what peers exchange and what hashes to `hash`. */
  canonical: string;
  /** Lowercase hex SHA-256 of `canonical`. */
  hash: string;
}

/**
 * A received wire manifest → Go's decoding → Go-canonical bytes → SHA-256. This is the path every
 * manifest a tenant sends takes; the raw body is never hashed.
 */
export function canonicalizeWireManifest(body: Uint8Array | string): CanonicalManifest {
  const manifest = decodeWireManifest(body);
  const canonical = canonicalManifestJson(manifest);
  return { manifest, canonical, hash: sha256Hex(canonical) };
}
