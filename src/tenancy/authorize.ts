/**
 * The tenant RBAC decision (docs/adr/0005-tenant-rbac.md), a pure function: who asks, for what, on
 * which lease, with which roles and bindings in the lease namespace → allowed or denied, with the
 * reason and the rule that decided. Deny by default; rules add up as in Kubernetes RBAC; a binding
 * past its expiry grants nothing; a scale is allowed only inside a rule's replica bounds and never
 * above what was leased.
 */
import type { TenantAction, TenantRole, TenantRoleBinding } from '../api/tenant-rbac.ts';

export interface AccessRequest {
  /** The authenticated account (the JWT issuer). */
  subject: string;
  /** The deployment owner (from the Lease). */
  owner: string;
  action: TenantAction;
  /** The service acted on; undefined for lease-wide actions (status of all, update). */
  service?: string;
  /** For `scale`: the replica count asked for, and the count the lease was bid and paid for. */
  replicas?: number;
  leasedReplicas?: number;
}

export interface Decision {
  allowed: boolean;
  /** Why, for the log line, the event and the 403 body. */
  reason: string;
  /** `<binding>/<role>#<rule index>` when a grant decided. */
  grant?: string;
}

type RoleLike = Pick<TenantRole, 'metadata' | 'spec'>;
type BindingLike = Pick<TenantRoleBinding, 'metadata' | 'spec'>;

export function authorize(req: AccessRequest, roles: readonly RoleLike[], bindings: readonly BindingLike[], now: Date): Decision {
  if (req.action === 'scale') {
    const r = req.replicas;
    if (r === undefined || !Number.isSafeInteger(r) || r < 0) return deny(`scale: replicas must be a non-negative integer, got ${JSON.stringify(r)}`);
    // The lease pays for this many; more would need a new order on chain, whoever asks.
    if (req.leasedReplicas !== undefined && r > req.leasedReplicas) return deny(`scale: ${r} replicas is more than the ${req.leasedReplicas} leased for ${req.service ?? 'the service'}`);
  }
  if (req.subject === req.owner) return { allowed: true, reason: 'the deployment owner' };

  const what = `${req.action}${req.service ? ` on ${req.service}` : ''}`;
  let nearest: string | undefined;
  for (const b of bindings) {
    if (!b.spec.subjects.some((s) => s.kind === 'AkashAccount' && s.address === req.subject)) continue;
    const bindingName = b.metadata.name;
    if (b.spec.expiresAt !== undefined && !(now.getTime() < Date.parse(b.spec.expiresAt))) {
      nearest ??= `binding ${bindingName} expired at ${b.spec.expiresAt}`;
      continue;
    }
    const role = roles.find((r) => r.metadata.name === b.spec.roleRef.name);
    if (!role) {
      nearest ??= `binding ${bindingName} names TenantRole ${b.spec.roleRef.name}, which does not exist`;
      continue;
    }
    for (const [i, rule] of role.spec.rules.entries()) {
      if (!rule.actions.includes(req.action)) continue;
      if (rule.services !== undefined && (req.service === undefined || !rule.services.includes(req.service))) continue;
      const grant = `${bindingName}/${role.metadata.name}#${i}`;
      if (req.action === 'scale' && rule.replicas !== undefined) {
        const r = req.replicas!;
        if (r < rule.replicas.min || r > rule.replicas.max) {
          nearest = `${grant} allows scale to ${rule.replicas.min}..${rule.replicas.max}, not ${r}`;
          continue;
        }
      }
      return { allowed: true, reason: `granted by ${grant}`, grant };
    }
  }
  return deny(nearest ? `${what}: denied (${nearest})` : `${what}: no TenantRoleBinding grants it to ${req.subject}`);
}

function deny(reason: string): Decision {
  return { allowed: false, reason };
}
