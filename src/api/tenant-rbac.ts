/**
 * Tenant RBAC (docs/adr/0005-tenant-rbac.md): a deployment owner lets other Akash accounts act on
 * one lease within limits, e.g. "scale `worker` between 1 and 3, but never update or close".
 * `TenantRole` lists what may be done; `TenantRoleBinding` grants a role to accounts until an expiry.
 * Both live in the lease namespace, so a grant can never reach another lease. Deny by default: only
 * the owner has every right; the gateway checks every grantee request against these objects.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BECH32_ADDRESS, Conditions, DnsLabel, KindEnvelope, StringEnum } from './common.ts';

export const TENANT_ROLE_KIND = 'TenantRole';
export const TENANT_ROLE_PLURAL = 'tenantroles';
export const TENANT_ROLE_BINDING_KIND = 'TenantRoleBinding';
export const TENANT_ROLE_BINDING_PLURAL = 'tenantrolebindings';

/**
 * What a grantee may do at the gateway. `update` = send a new manifest. Closing a lease or adding
 * funds are on-chain messages: their grants are the chain's authz (see the ADR), not ours.
 */
export const TENANT_ACTIONS = ['status', 'get-manifest', 'logs', 'events', 'restart', 'scale', 'update'] as const;
export type TenantAction = (typeof TENANT_ACTIONS)[number];

export const TenantRule = Type.Object(
  {
    actions: Type.Array(StringEnum([...TENANT_ACTIONS]), { minItems: 1, maxItems: TENANT_ACTIONS.length, description: 'allowed actions' }),
    services: Type.Optional(Type.Array(DnsLabel('manifest service name'), { maxItems: 64, description: 'services the rule covers; all when absent' })),
    replicas: Type.Optional(
      Type.Object(
        {
          min: Type.Integer({ minimum: 0, maximum: 1000, description: 'lowest replica count a scale may set' }),
          max: Type.Integer({ minimum: 0, maximum: 1000, description: 'highest replica count a scale may set (never above the leased count)' }),
        },
        { description: 'bounds of a scale', 'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }] },
      ),
    ),
  },
  { description: 'one permission; rules add up' },
);
export type TenantRule = Static<typeof TenantRule>;

export const TenantRoleSpec = Type.Object({
  rules: Type.Array(TenantRule, { minItems: 1, maxItems: 32, description: 'what the role allows' }),
});
export type TenantRoleSpec = Static<typeof TenantRoleSpec>;

export const TenantRoleBindingSpec = Type.Object({
  roleRef: Type.Object({ name: DnsLabel('TenantRole in this namespace') }, { description: 'the role granted' }),
  subjects: Type.Array(
    Type.Object({
      kind: Type.String({ pattern: '^AkashAccount$', description: 'who: an Akash account, authenticated by its JWT (AEP-64); the only kind so far' }),
      address: Type.String({ pattern: BECH32_ADDRESS, maxLength: 90, description: 'akash1… address' }),
    }),
    { minItems: 1, maxItems: 64, description: 'accounts the role is granted to' },
  ),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'the grant ends at this time (RFC 3339)' })),
});
export type TenantRoleBindingSpec = Static<typeof TenantRoleBindingSpec>;

export const TenantRbacStatus = Type.Object({
  conditions: Type.Optional(Conditions()),
});

export const TenantRole = KindEnvelope(TENANT_ROLE_KIND, TenantRoleSpec, TenantRbacStatus, 'What grantees may do on a lease');
export type TenantRole = Static<typeof TenantRole>;
export const TenantRoleBinding = KindEnvelope(TENANT_ROLE_BINDING_KIND, TenantRoleBindingSpec, TenantRbacStatus, 'A TenantRole granted to Akash accounts');
export type TenantRoleBinding = Static<typeof TenantRoleBinding>;
