/**
 * Whether claims allow an action on a deployment or lease of this provider, with the Go provider's
 * rules (`Claims.AuthorizeDeploymentIDForPermissionScope` / `AuthorizeLeaseIDForPermissionScope`):
 * full allows everything, scoped allows its scopes on every lease of the owner, granular names the
 * provider and then full | scoped | per-deployment scopes (gseq/oseq 0 = all). For a per-service
 * route we also hold a granular deployment entry to its `services` list, which Go records but never
 * checks. Ownership (`iss` = the lease owner) is checked by the caller against the lease. Pure.
 */
import type { Claims, Scope } from './claims.ts';

export interface AccessTarget {
  /** This provider's address. */
  provider: string;
  dseq: string;
  /** Undefined for deployment-level actions (PUT manifest). */
  gseq?: number;
  oseq?: number;
  /** Set for per-service actions. */
  service?: string;
}

/** Whether the claims grant `scope` on `target` (ownership aside). */
export function allows(claims: Claims, target: AccessTarget, scope: Scope): boolean {
  const leases = claims.leases;
  switch (leases.access) {
    case 'full':
      return true;
    case 'scoped':
      return leases.scope.includes(scope);
    case 'granular': {
      const perm = leases.permissions.find((p) => p.provider === target.provider);
      if (!perm) return false;
      switch (perm.access) {
        case 'full':
          return true;
        case 'scoped':
          return perm.scope.includes(scope);
        case 'granular':
          return perm.deployments.some(
            (d) =>
              d.dseq === target.dseq &&
              (target.gseq === undefined || d.gseq === 0 || d.gseq === target.gseq) &&
              (target.oseq === undefined || d.oseq === 0 || d.oseq === target.oseq) &&
              (target.service === undefined || d.services.includes(target.service)) &&
              d.scope.includes(scope),
          );
      }
    }
  }
}

/** Go's `AuthorizeForProvider`: a granular token without an entry for this provider is good for nothing here. */
export function allowsProvider(claims: Claims, provider: string): boolean {
  return claims.leases.access !== 'granular' || claims.leases.permissions.some((p) => p.provider === provider);
}
