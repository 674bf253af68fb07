/**
 * `Manifest` (short `mani`): the tenant's manifest of one deployment, cluster-scoped, named
 * `<owner>-<dseq>`. The gateway (or p2p) writes the spec after checking its hash against the chain;
 * the Go-canonical bytes that hash to `spec.hash` are kept in a Secret beside it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BECH32_ADDRESS, Conditions, HASH_HEX, IMMUTABLE, KindEnvelope, UINT64_STRING } from './common.ts';
import { ManifestGroup } from './wire.ts';

export const MANIFEST_KIND = 'Manifest';
export const MANIFEST_PLURAL = 'manifests';

export const ManifestSpec = Type.Object({
  owner: Type.String({ pattern: BECH32_ADDRESS, maxLength: 90, description: 'tenant address (akash1…), immutable', ...IMMUTABLE }),
  dseq: Type.String({ pattern: UINT64_STRING, maxLength: 20, description: 'deployment sequence, a uint64 as decimal string, immutable', ...IMMUTABLE }),
  hash: Type.String({ pattern: HASH_HEX, description: 'manifest version hash, equal to the deployment hash on chain' }),
  groups: Type.Array(ManifestGroup, { minItems: 1, maxItems: 32, description: 'manifest groups in wire form (camelCase)' }),
});
export type ManifestSpec = Static<typeof ManifestSpec>;

export const ManifestStatus = Type.Object({
  conditions: Type.Optional(Conditions()),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'metadata.generation the status describes' })),
});
export type ManifestStatus = Static<typeof ManifestStatus>;

export const Manifest = KindEnvelope(MANIFEST_KIND, ManifestSpec, ManifestStatus, "A tenant's manifest of one deployment");
export type Manifest = Static<typeof Manifest>;

/** The one name a deployment's Manifest has. */
export function manifestName(owner: string, dseq: string): string {
  return `${owner}-${dseq}`;
}
