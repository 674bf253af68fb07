/**
 * `HostnameClaim` (short `ahost`): which lease routes a hostname on this provider. Cluster-scoped
 * and named after the hostname, so creating one is an atomic claim: the API server answers 409 to
 * a second lease's create. Without it a tenant could list another lease's hostname in `accept`
 * and get an Ingress for it next to the holder's (ingress controllers merge or pick one). The
 * service controller claims a host before routing it and releases claims its lease no longer
 * routes; teardown releases the rest; an ownerReference to the Lease lets garbage collection
 * remove claims of a deleted Lease. The spec is immutable: a claim moves only by delete and create.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IMMUTABLE, KindEnvelope, NAMESPACE_NAME } from './common.ts';
import { LeaseId } from './lease.ts';

export const HOSTNAME_CLAIM_KIND = 'HostnameClaim';
export const HOSTNAME_CLAIM_PLURAL = 'hostnameclaims';

export const HostnameClaimSpec = Type.Object(
  {
    namespace: Type.String({ pattern: NAMESPACE_NAME, minLength: 1, maxLength: 63, description: 'the lease namespace whose routes may use the hostname' }),
    lease: LeaseId,
  },
  { description: 'the lease that holds the hostname (immutable)', ...IMMUTABLE },
);
export type HostnameClaimSpec = Static<typeof HostnameClaimSpec>;

/** Nothing to report: the claim's existence is the whole state. */
export const HostnameClaimStatus = Type.Object({}, { description: 'unused' });

export const HostnameClaim = KindEnvelope(HOSTNAME_CLAIM_KIND, HostnameClaimSpec, HostnameClaimStatus, 'A hostname routed for one lease on this provider');
export type HostnameClaim = Static<typeof HostnameClaim>;
