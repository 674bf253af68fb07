/**
 * `Lease` (short `alease`): one per Akash lease, cluster-scoped, named after the lease namespace.
 * The chain layer (or a cluster admin, in standalone mode) owns the spec; the lease controller owns
 * the status.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BECH32_ADDRESS, Conditions, HASH_HEX, IMMUTABLE, KindEnvelope, StringEnum, Uint32, UINT64_STRING } from './common.ts';

export const LEASE_KIND = 'Lease';
export const LEASE_PLURAL = 'leases';

export const LeaseId = Type.Object(
  {
    owner: Type.String({ pattern: BECH32_ADDRESS, maxLength: 90, description: 'tenant address (akash1…)' }),
    dseq: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'deployment sequence, a uint64 as decimal string' }),
    gseq: Uint32('group sequence', 1),
    oseq: Uint32('order sequence', 1),
    provider: Type.String({ pattern: BECH32_ADDRESS, maxLength: 90, description: 'provider address (akash1…)' }),
    bseq: Type.Optional(Uint32('bid sequence (not part of the namespace name)')),
  },
  { description: 'the lease id on chain (immutable)', ...IMMUTABLE },
);
export type LeaseId = Static<typeof LeaseId>;

/** The chain's words for a lease state. */
export const LEASE_STATES = ['active', 'insufficient_funds', 'closed', 'reclaiming'] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

export const LEASE_PHASES = ['WaitingForManifest', 'Deploying', 'Ready', 'Degraded', 'Closing', 'Closed'] as const;
export type LeasePhase = (typeof LEASE_PHASES)[number];

export const LeaseSpec = Type.Object({
  id: LeaseId,
  price: Type.Object(
    {
      denom: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$', description: 'coin denomination, e.g. uact' }),
      amount: Type.String({ pattern: '^[0-9]{1,60}(\\.[0-9]{1,18})?$', description: 'price per block as a decimal string' }),
    },
    { description: 'price per block (DecCoin)' },
  ),
  deploymentHash: Type.String({ pattern: HASH_HEX, description: 'the deployment version hash on chain, lowercase hex' }),
  state: StringEnum([...LEASE_STATES], { description: 'lease state on chain' }),
  source: StringEnum(['chain', 'manual'], { description: 'chain: synced from the chain; manual: applied by an admin' }),
});
export type LeaseSpec = Static<typeof LeaseSpec>;

export const LeaseServiceStatus = Type.Object({
  name: Type.String({ description: 'manifest service name' }),
  ready: Type.Integer({ minimum: 0, description: 'ready replicas' }),
  total: Type.Integer({ minimum: 0, description: 'desired replicas' }),
  uris: Type.Optional(Type.Array(Type.String(), { description: 'where the service is reachable' })),
});

export const LeaseStatus = Type.Object({
  phase: Type.Optional(StringEnum([...LEASE_PHASES], { description: 'summary of the lease state' })),
  namespace: Type.Optional(Type.String({ description: 'the lease namespace' })),
  manifestHash: Type.Optional(Type.String({ pattern: HASH_HEX, description: 'hash of the manifest last applied' })),
  services: Type.Optional(
    Type.Array(LeaseServiceStatus, {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      description: 'per-service readiness',
    }),
  ),
  servicesReady: Type.Optional(Type.String({ description: 'ready services / all services, e.g. 2/3 (for kubectl get)' })),
  conditions: Type.Optional(Conditions()),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'metadata.generation the status describes' })),
});
export type LeaseStatus = Static<typeof LeaseStatus>;

export const Lease = KindEnvelope(LEASE_KIND, LeaseSpec, LeaseStatus, 'An Akash lease served by this provider');
export type Lease = Static<typeof Lease>;
