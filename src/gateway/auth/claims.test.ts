import { describe, expect, it } from 'vitest';
import { isAkashAddress } from '../../akash/leaseId.ts';
import { tenantKey } from '../testing.ts';
import { parseClaims, type Claims } from './claims.ts';
import { allows, allowsProvider } from './scopes.ts';

const OWNER = tenantKey().address;
const PROVIDER = tenantKey().address;
const OTHER_PROVIDER = tenantKey().address;
const base = { iss: OWNER, iat: 1, nbf: 1, exp: 2, version: 'v1' };
const parse = (leases: unknown, over: Record<string, unknown> = {}) => parseClaims({ ...base, leases, ...over }, isAkashAddress);
const bad = (leases: unknown, message: RegExp) => expect(() => parse(leases)).toThrow(message);

describe('parseClaims (Go Claims.Validate rules)', () => {
  it('reads full, scoped and granular access', () => {
    expect(parse({ access: 'full' }).leases).toEqual({ access: 'full' });
    expect(parse({ access: 'scoped', scope: ['status', 'logs'] }).leases).toEqual({ access: 'scoped', scope: ['status', 'logs'] });
    const g = parse({
      access: 'granular',
      permissions: [{ provider: PROVIDER, access: 'granular', deployments: [{ dseq: 42, gseq: 1, scope: ['status'], services: ['web'] }] }],
    });
    expect(g.leases).toEqual({
      access: 'granular',
      permissions: [{ provider: PROVIDER, access: 'granular', deployments: [{ dseq: '42', gseq: 1, oseq: 0, scope: ['status'], services: ['web'] }] }],
    });
  });

  it('ignores unknown claims and keeps jti', () => {
    expect(parse({ access: 'full' }, { aud: 'x', jti: 'abc' })).toMatchObject({ jti: 'abc' });
  });

  it('names the claim that breaks a rule', () => {
    expect(() => parseClaims({ ...base, iss: 'cosmos1xyz', leases: { access: 'full' } }, isAkashAddress)).toThrow(/claim iss must be an akash1/);
    expect(() => parseClaims({ ...base, leases: undefined }, isAkashAddress)).toThrow(/claim leases is required/);
    bad({}, /leases.access: is required/);
    bad({ access: 'admin' }, /invalid access type "admin"/);
    bad({ access: 'full', scope: ['status'] }, /full access cannot have scope/);
    bad({ access: 'full', permissions: [{ provider: PROVIDER, access: 'full' }] }, /full access cannot have permissions/);
    bad({ access: 'scoped' }, /scoped access must list at least one scope/);
    bad({ access: 'scoped', scope: ['status'], permissions: [] }, /scoped access cannot have permissions/);
    bad({ access: 'scoped', scope: ['status', 'status'] }, /leases.scope\[1\]: duplicate scope status/);
    bad({ access: 'scoped', scope: ['scale'] }, /leases.scope\[0\]: invalid scope "scale"/);
    bad({ access: 'granular' }, /granular access must list at least one provider/);
    const perm = (p: Record<string, unknown>) => ({ access: 'granular', permissions: [{ provider: PROVIDER, ...p }] });
    bad(perm({ access: 'full', scope: ['status'] }), /permissions\[0\]: full access cannot have scope/);
    bad(perm({ access: 'scoped' }), /permissions\[0\].scope: scoped access must list/);
    bad(perm({ access: 'granular', scope: ['status'], deployments: [] }), /granular access cannot have scope/);
    bad(perm({ access: 'granular' }), /must list at least one deployment/);
    const dep = (d: Record<string, unknown>) => perm({ access: 'granular', deployments: [{ dseq: 1, scope: ['status'], services: ['web'], ...d }] });
    bad(dep({ dseq: 0 }), /deployments\[0\].dseq: must be set/);
    bad(dep({ oseq: 2 }), /gseq: must be set when oseq is set/);
    bad(dep({ services: [] }), /services: must list at least one service/);
    bad(dep({ services: ['a', 'a'] }), /duplicate service a/);
    bad(dep({ scope: [] }), /scope: must list at least one scope/);
    bad({ access: 'granular', permissions: [{ provider: PROVIDER, access: 'full' }, { provider: PROVIDER, access: 'full' }] }, /duplicate provider/);
    bad({ access: 'granular', permissions: [{ provider: 'akash1nothing', access: 'full' }] }, /provider: must be an akash1/);
  });
});

describe('allows (Go AuthorizeLeaseIDForPermissionScope)', () => {
  const claims = (leases: unknown): Claims => parse(leases);
  const lease = { provider: PROVIDER, dseq: '42', gseq: 1, oseq: 1 };

  it('full allows everything; scoped only its scopes', () => {
    expect(allows(claims({ access: 'full' }), lease, 'shell')).toBe(true);
    const scoped = claims({ access: 'scoped', scope: ['status'] });
    expect(allows(scoped, lease, 'status')).toBe(true);
    expect(allows(scoped, lease, 'send-manifest')).toBe(false);
  });

  it('granular names the provider, then the deployment, group, order and service', () => {
    const g = claims({
      access: 'granular',
      permissions: [
        { provider: PROVIDER, access: 'granular', deployments: [{ dseq: 42, gseq: 1, oseq: 0, scope: ['status', 'send-manifest'], services: ['web'] }] },
        { provider: OTHER_PROVIDER, access: 'full' },
      ],
    });
    expect(allows(g, lease, 'status')).toBe(true);
    expect(allows(g, { provider: PROVIDER, dseq: '42' }, 'send-manifest')).toBe(true);
    expect(allows(g, { ...lease, gseq: 2 }, 'status')).toBe(false);
    expect(allows(g, { ...lease, dseq: '43' }, 'status')).toBe(false);
    expect(allows(g, lease, 'logs')).toBe(false);
    expect(allows(g, { ...lease, service: 'web' }, 'status')).toBe(true);
    expect(allows(g, { ...lease, service: 'db' }, 'status')).toBe(false);
    expect(allows(g, { ...lease, provider: OTHER_PROVIDER }, 'shell')).toBe(true);
    expect(allowsProvider(g, PROVIDER)).toBe(true);
    expect(allowsProvider(g, tenantKey().address)).toBe(false);
    expect(allowsProvider(claims({ access: 'scoped', scope: ['status'] }), tenantKey().address)).toBe(true);
  });
});
