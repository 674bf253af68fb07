/**
 * The Akash wire manifest (chain-sdk `manifest/v2beta3`, camelCase JSON as tenants send it and the
 * Go provider decodes it), as it is stored in our CRs. Differences from the wire bytes, on purpose:
 * - a wire `null` list is an absent field here (the CR is not what gets hashed: the Go-canonical
 *   bytes are kept in a Secret beside the Manifest);
 * - `credentials` is replaced by `credentialsSecretRef` (passwords never enter a CR);
 * - `params.tee` (AEP-83) is not modelled yet.
 * Bounds follow the Go types (uint32 fields) and the SDL schema (names, ports, enums).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DnsLabel, Hostname, SecretReference, StringEnum, Uint32, UINT64_STRING } from './common.ts';

/** cosmos `math.Int` as JSON: `{"val": "<decimal>"}`. */
export const ResourceValue = Type.Object(
  { val: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'unsigned decimal integer' }) },
  { description: 'an unsigned integer in the wire form {val: "<decimal>"}' },
);
export type ResourceValue = Static<typeof ResourceValue>;

export const Attribute = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 253, description: 'attribute key, e.g. persistent, class, vendor/nvidia/model/a100' }),
  value: Type.Optional(Type.String({ maxLength: 253, description: 'attribute value, e.g. true, beta3' })),
});
export type Attribute = Static<typeof Attribute>;

const Attributes = Type.Array(Attribute, { maxItems: 64, description: 'key/value attributes' });

export const CPU = Type.Object({
  units: Type.Object(
    { val: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'millicpu' }) },
    { description: 'millicpu as {val: "<decimal>"}' },
  ),
  attributes: Type.Optional(Attributes),
});

export const Memory = Type.Object({
  size: Type.Object(
    { val: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'bytes' }) },
    { description: 'bytes as {val: "<decimal>"}' },
  ),
  attributes: Type.Optional(Attributes),
});

export const GPU = Type.Object({
  units: Type.Object(
    { val: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'number of GPUs' }) },
    { description: 'GPU count as {val: "<decimal>"}' },
  ),
  attributes: Type.Optional(Attributes),
});

export const Storage = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9]([-_a-z0-9]*[a-z0-9])?$', minLength: 1, maxLength: 63, description: 'volume name (default, data, ...)' }),
  size: Type.Object(
    { val: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'bytes' }) },
    { description: 'bytes as {val: "<decimal>"}' },
  ),
  attributes: Type.Optional(Attributes),
});
export type Storage = Static<typeof Storage>;

export const Endpoint = Type.Object({
  // 0 SHARED_HTTP, 1 RANDOM_PORT, 2 LEASED_IP; the wire omits 0.
  kind: Type.Optional(Type.Integer({ minimum: 0, maximum: 2, description: '0 shared HTTP, 1 random port, 2 leased IP' })),
  // snake_case on the wire, unlike every other field (gogoproto JSON tag).
  sequence_number: Uint32('endpoint sequence number'),
});

export const Resources = Type.Object(
  {
    id: Uint32('resource unit id within the group'),
    cpu: CPU,
    memory: Memory,
    storage: Type.Array(Storage, { maxItems: 32, description: 'volumes; the one without attributes is the ephemeral root volume' }),
    gpu: Type.Optional(GPU),
    endpoints: Type.Optional(Type.Array(Endpoint, { maxItems: 256, description: 'endpoints of the resource unit' })),
  },
  { description: 'resources of one replica' },
);
export type Resources = Static<typeof Resources>;

/** nginx `proxy_next_upstream` cases the SDL schema allows. */
export const NEXT_CASES = ['error', 'timeout', '500', '502', '503', '504', '403', '404', '429', 'off'] as const;

export const HttpOptions = Type.Object(
  {
    maxBodySize: Uint32('maximum request body in bytes'),
    readTimeout: Uint32('read timeout in ms'),
    sendTimeout: Uint32('send timeout in ms'),
    nextTries: Uint32('retries on another upstream'),
    nextTimeout: Uint32('time limit for retries in ms (0 = none)'),
    nextCases: Type.Optional(Type.Array(StringEnum([...NEXT_CASES]), { maxItems: 10, description: 'when to retry' })),
    proxyBufferSize: Type.Optional(Uint32('proxy buffer size in bytes (0 = provider default)')),
  },
  { description: 'HTTP proxy options of an ingress expose' },
);
export type HttpOptions = Static<typeof HttpOptions>;

export const ServiceExpose = Type.Object({
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'container port' }),
  externalPort: Type.Integer({ minimum: 0, maximum: 65535, description: 'port as exposed (0 = same as port)' }),
  proto: StringEnum(['TCP', 'UDP'], { description: 'TCP or UDP' }),
  service: Type.String({ maxLength: 63, description: 'target service of an internal expose ("" for none)' }),
  global: Type.Boolean({ description: 'reachable from outside the cluster' }),
  hosts: Type.Optional(Type.Array(Hostname('accepted hostname'), { maxItems: 64, description: 'accepted hostnames (SDL accept)' })),
  httpOptions: HttpOptions,
  ip: Type.String({ maxLength: 63, description: 'SDL endpoint name of a leased IP ("" for none)' }),
  endpointSequenceNumber: Uint32('sequence number of the leased IP endpoint'),
});
export type ServiceExpose = Static<typeof ServiceExpose>;

export const StorageParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 63, description: 'volume name from resources.storage' }),
  mount: Type.String({ pattern: '^/', minLength: 2, maxLength: 1024, description: 'absolute mount path' }),
  readOnly: Type.Boolean({ description: 'mount read-only' }),
});
export type StorageParams = Static<typeof StorageParams>;

export const ServiceParams = Type.Object({
  storage: Type.Optional(Type.Array(StorageParams, { maxItems: 32, description: 'volume mounts' })),
  permissions: Type.Optional(
    Type.Object({
      read: Type.Optional(Type.Array(StringEnum(['deployment', 'logs', 'events']), { maxItems: 3, description: 'read access granted to the workload' })),
    }),
  ),
});
export type ServiceParams = Static<typeof ServiceParams>;

/**
 * Keys of a registry-credentials Secret: the manifest's `credentials` object, field by field. The
 * gateway writes one such Secret per service with credentials; CRs only name it.
 */
export const REGISTRY_CREDENTIALS_KEYS = ['host', 'username', 'password', 'email'] as const;

export function CredentialsSecretRef() {
  return Type.Object(SecretReference.properties, {
    description: `Secret with the registry credentials (keys ${REGISTRY_CREDENTIALS_KEYS.join(', ')}); the password never enters a CR`,
  });
}

export const ManifestService = Type.Object({
  name: DnsLabel('service name'),
  image: Type.String({ minLength: 1, maxLength: 4096, description: 'container image' }),
  command: Type.Optional(Type.Array(Type.String(), { maxItems: 256, description: 'entrypoint override' })),
  args: Type.Optional(Type.Array(Type.String(), { maxItems: 4096, description: 'arguments' })),
  env: Type.Optional(Type.Array(Type.String({ pattern: '^[^=]' }), { maxItems: 1024, description: 'NAME[=VALUE]' })),
  resources: Resources,
  count: Uint32('replicas'),
  expose: Type.Array(ServiceExpose, { maxItems: 256, description: 'exposed ports' }),
  params: Type.Optional(ServiceParams),
  credentialsSecretRef: Type.Optional(CredentialsSecretRef()),
});
export type ManifestService = Static<typeof ManifestService>;

export const ManifestGroup = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128, description: 'placement (group) name' }),
  services: Type.Array(ManifestService, { minItems: 1, maxItems: 64, description: 'services of the group, sorted by name' }),
});
export type ManifestGroup = Static<typeof ManifestGroup>;
