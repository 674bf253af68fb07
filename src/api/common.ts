/**
 * Schema pieces shared by our kinds: API group and version, name patterns, conditions, Secret
 * references. Everything here is plain TypeBox so that one schema serves the TS type, runtime
 * validation (`validate.ts`) and the CRD (`crds.ts`).
 */
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

export const GROUP = 'provider.akash.network';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** `kubectl get akash -A` lists every kind of ours. */
export const CATEGORY = 'akash';

// Patterns are RE2-compatible: the API server evaluates them with Go's regexp.
export const DNS_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 label, the rule for namespace names (lease namespaces often start with a digit). */
export const NAMESPACE_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A uint64 carried as a decimal string (JSON numbers lose precision above 2^53). */
export const UINT64_STRING = '^(0|[1-9][0-9]{0,19})$';
/** SHA-256 as lowercase hex. */
export const HASH_HEX = '^[0-9a-f]{64}$';
/**
 * A bech32 account address (`akash1…`, 20- or 32-byte payload). The prefix is open so that
 * testnets with another human-readable part still validate.
 */
export const BECH32_ADDRESS = '^[a-z]{1,20}1[02-9ac-hj-np-z]{38,58}$';

/**
 * A CEL rule that refuses changes to a field once set (the API server reports
 * `spec.id: Invalid value: …: is immutable`). Lease identity must not move to another namespace.
 */
export const IMMUTABLE = { 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'is immutable' }] };

export const UINT32_MAX = 4294967295;
export const INT32_MAX = 2147483647;

/** A string enum. Emitted to the CRD as `{type: string, enum: [...]}` (see `structural.ts`). */
export function StringEnum<const T extends string[]>(
  values: [...T],
  options: { description?: string } = {},
): TUnion<{ [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<{ [K in keyof T]: TLiteral<T[K]> }>;
}

export function Uint32(description: string, minimum = 0) {
  return Type.Integer({ minimum, maximum: UINT32_MAX, description });
}

export function DnsLabel(description: string, maxLength = 63) {
  return Type.String({ pattern: DNS_LABEL, minLength: 1, maxLength, description });
}

export function Hostname(description: string) {
  return Type.String({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253, description });
}

/** A Secret named by namespace and name (cluster-scoped kinds must say the namespace). */
export const SecretReference = Type.Object(
  {
    namespace: Type.String({ pattern: NAMESPACE_NAME, minLength: 1, maxLength: 63, description: 'namespace of the Secret' }),
    name: Type.String({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253, description: 'name of the Secret' }),
  },
  { description: 'a Secret by namespace and name' },
);
export type SecretReference = Static<typeof SecretReference>;

/** A Secret in the same namespace as the object that refers to it. */
export const LocalSecretReference = Type.Object(
  { name: Type.String({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253, description: 'name of the Secret' }) },
  { description: 'a Secret in the same namespace' },
);
export type LocalSecretReference = Static<typeof LocalSecretReference>;

/** metav1.Condition, with the same bounds the built-in types use. */
export const Condition = Type.Object({
  type: Type.String({
    pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    maxLength: 316,
    description: 'condition type in CamelCase, e.g. Ready',
  }),
  status: StringEnum(['True', 'False', 'Unknown'], { description: 'True, False or Unknown' }),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'metadata.generation the condition was computed from' })),
  lastTransitionTime: Type.String({ format: 'date-time', description: 'when status last changed' }),
  reason: Type.String({
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    minLength: 1,
    maxLength: 1024,
    description: 'machine-readable CamelCase reason',
  }),
  message: Type.String({ maxLength: 32768, description: 'human-readable explanation' }),
});
export type Condition = Static<typeof Condition>;

/** A list of conditions keyed by type (server-side apply merges them per type). */
export function Conditions() {
  return Type.Array(Condition, {
    maxItems: 32,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'latest observations of the object state',
  });
}

/** The envelope every kind shares: apiVersion, kind, metadata, spec, optional status. */
export function KindEnvelope<S extends TSchema, T extends TSchema>(kind: string, spec: S, status: T, description: string) {
  return Type.Object(
    {
      apiVersion: Type.String({ description: `always ${API_VERSION}` }),
      kind: Type.String({ description: `always ${kind}` }),
      metadata: ObjectMeta,
      spec,
      status: Type.Optional(status),
    },
    { description },
  );
}

/**
 * Only what our code reads from metadata. The CRD emits `metadata: {type: object}`: the API server
 * validates metadata itself and refuses a schema that constrains more than name/generateName.
 */
export const ObjectMeta = Type.Object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.Optional(Type.String()),
  generation: Type.Optional(Type.Integer()),
  resourceVersion: Type.Optional(Type.String()),
  uid: Type.Optional(Type.String()),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  creationTimestamp: Type.Optional(Type.String()),
  deletionTimestamp: Type.Optional(Type.String()),
  finalizers: Type.Optional(Type.Array(Type.String())),
});
export type ObjectMeta = Static<typeof ObjectMeta>;
