/**
 * The Akash manifest as Go's provider holds it in memory (`pkg.akt.dev/go/manifest/v2beta3`).
 *
 * Property names are the JSON names of the Go structs (the wire form, camelCase except the
 * `sequence_number` and `size` tags Go uses). `null` stands for Go's nil: a nil slice is written
 * as `null` and an empty one as `[]`, a nil pointer is omitted or written `null` per the field's
 * omitempty tag. Every number is an unsigned 32-bit integer except `Endpoint.kind` (int32);
 * `ResourceValue.val` is a cosmos `math.Int` kept as its decimal text (`null`: never set, written "0").
 */

export interface Attribute {
  key: string;
  value: string;
}

export interface ResourceValue {
  val: string | null;
}

export interface CPU {
  units: ResourceValue;
  attributes: Attribute[] | null;
}

export interface GPU {
  units: ResourceValue;
  attributes: Attribute[] | null;
}

export interface Memory {
  size: ResourceValue;
  attributes: Attribute[] | null;
}

export interface Storage {
  name: string;
  size: ResourceValue;
  attributes: Attribute[] | null;
}

/** Endpoint kinds (akash.base.resources.v1beta4.Endpoint.Kind). */
export const EndpointKind = { SHARED_HTTP: 0, RANDOM_PORT: 1, LEASED_IP: 2 } as const;

export interface Endpoint {
  kind: number;
  sequence_number: number;
}

export interface Resources {
  id: number;
  cpu: CPU | null;
  memory: Memory | null;
  storage: Storage[] | null;
  gpu: GPU | null;
  endpoints: Endpoint[] | null;
}

export interface HTTPOptions {
  maxBodySize: number;
  readTimeout: number;
  sendTimeout: number;
  nextTries: number;
  nextTimeout: number;
  nextCases: string[] | null;
  proxyBufferSize: number;
}

export interface ServiceExpose {
  port: number;
  externalPort: number;
  proto: string;
  service: string;
  global: boolean;
  hosts: string[] | null;
  httpOptions: HTTPOptions;
  ip: string;
  endpointSequenceNumber: number;
}

export interface StorageParams {
  name: string;
  mount: string;
  readOnly: boolean;
}

export interface ServicePermissions {
  read: string[] | null;
}

export interface TEEParams {
  type: string;
  attestation: boolean;
}

export interface ImageCredentials {
  host: string;
  email: string;
  username: string;
  password: string;
}

export interface ServiceParams {
  storage: StorageParams[] | null;
  credentials: ImageCredentials | null;
  permissions: ServicePermissions | null;
  tee: TEEParams | null;
}

export interface Service {
  name: string;
  image: string;
  command: string[] | null;
  args: string[] | null;
  env: string[] | null;
  resources: Resources;
  count: number;
  expose: ServiceExpose[] | null;
  params: ServiceParams | null;
  credentials: ImageCredentials | null;
}

export interface Group {
  name: string;
  services: Service[] | null;
}

/** A manifest is a list of groups; `null` is what Go holds after decoding a `null` body. */
export type Manifest = Group[] | null;

// Zero values, as Go allocates them.

export const zeroResourceValue = (): ResourceValue => ({ val: null });
export const zeroCPU = (): CPU => ({ units: zeroResourceValue(), attributes: null });
export const zeroGPU = (): GPU => ({ units: zeroResourceValue(), attributes: null });
export const zeroMemory = (): Memory => ({ size: zeroResourceValue(), attributes: null });
export const zeroStorage = (): Storage => ({ name: '', size: zeroResourceValue(), attributes: null });
export const zeroAttribute = (): Attribute => ({ key: '', value: '' });
export const zeroEndpoint = (): Endpoint => ({ kind: 0, sequence_number: 0 });
export const zeroResources = (): Resources => ({ id: 0, cpu: null, memory: null, storage: null, gpu: null, endpoints: null });
export const zeroHTTPOptions = (): HTTPOptions => ({
  maxBodySize: 0,
  readTimeout: 0,
  sendTimeout: 0,
  nextTries: 0,
  nextTimeout: 0,
  nextCases: null,
  proxyBufferSize: 0,
});
export const zeroServiceExpose = (): ServiceExpose => ({
  port: 0,
  externalPort: 0,
  proto: '',
  service: '',
  global: false,
  hosts: null,
  httpOptions: zeroHTTPOptions(),
  ip: '',
  endpointSequenceNumber: 0,
});
export const zeroStorageParams = (): StorageParams => ({ name: '', mount: '', readOnly: false });
export const zeroServicePermissions = (): ServicePermissions => ({ read: null });
export const zeroTEEParams = (): TEEParams => ({ type: '', attestation: false });
export const zeroImageCredentials = (): ImageCredentials => ({ host: '', email: '', username: '', password: '' });
export const zeroServiceParams = (): ServiceParams => ({ storage: null, credentials: null, permissions: null, tee: null });
export const zeroService = (): Service => ({
  name: '',
  image: '',
  command: null,
  args: null,
  env: null,
  resources: zeroResources(),
  count: 0,
  expose: null,
  params: null,
  credentials: null,
});
export const zeroGroup = (): Group => ({ name: '', services: null });

/** `math.Int` decimal text of a ResourceValue (a nil value reads as 0, as Go marshals it). */
export function resourceValueText(v: ResourceValue): string {
  return v.val ?? '0';
}

/** A ResourceValue as a bigint (nil reads as 0). */
export function resourceValueBig(v: ResourceValue): bigint {
  return BigInt(v.val ?? '0');
}
