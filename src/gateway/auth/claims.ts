/**
 * AEP-64 JWT claims, checked with the Go provider's rules (`chain-sdk:go/util/jwt/jwt.go`
 * `Claims.Validate`) so that a token one provider accepts the other accepts too: `iss` an akash1…
 * address, `iat`, `nbf`, `exp` present, `version` "v1", and `leases` full | scoped | granular with
 * valid, unique scopes. Unknown claims are ignored, as Go's decoder ignores them. Pure.
 */

export const SCOPES = ['send-manifest', 'get-manifest', 'logs', 'shell', 'events', 'status', 'restart', 'hostname-migrate', 'ip-migrate'] as const;
export type Scope = (typeof SCOPES)[number];

export interface DeploymentPermission {
  /** uint64 as a decimal string. */
  dseq: string;
  /** 0 = every group of the deployment. */
  gseq: number;
  /** 0 = every order of the group. */
  oseq: number;
  scope: Scope[];
  services: string[];
}

export type ProviderPermission =
  | { provider: string; access: 'full' }
  | { provider: string; access: 'scoped'; scope: Scope[] }
  | { provider: string; access: 'granular'; deployments: DeploymentPermission[] };

export type LeaseAccess = { access: 'full' } | { access: 'scoped'; scope: Scope[] } | { access: 'granular'; permissions: ProviderPermission[] };

export interface Claims {
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  jti?: string;
  version: 'v1';
  leases: LeaseAccess;
}

/** A claim that breaks a rule; the message names the claim. */
export class ClaimsError extends Error {
  override name = 'ClaimsError';
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Go decodes `null` into a nil slice or zero value: absent and null mean the same. */
const absent = (v: unknown): boolean => v === undefined || v === null;

function numericDate(payload: Obj, claim: 'iat' | 'nbf' | 'exp'): number {
  const v = payload[claim];
  if (v === undefined || v === null) throw new ClaimsError(`claim ${claim} is required`);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ClaimsError(`claim ${claim} must be a non-negative number of seconds since 1970 (NumericDate)`);
  return v;
}

function uint(v: unknown, path: string, max: number): number {
  if (absent(v)) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ClaimsError(`${path} must be an integer 0..${max}`);
  return v;
}

function scopes(v: unknown, path: string): Scope[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw new ClaimsError(`${path} must be an array of scopes`);
  const seen = new Set<string>();
  return v.map((s, i) => {
    if (typeof s !== 'string' || !(SCOPES as readonly string[]).includes(s)) throw new ClaimsError(`${path}[${i}]: invalid scope ${JSON.stringify(s)} (one of ${SCOPES.join(', ')})`);
    if (seen.has(s)) throw new ClaimsError(`${path}[${i}]: duplicate scope ${s}`);
    seen.add(s);
    return s as Scope;
  });
}

function list(v: unknown, path: string): unknown[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw new ClaimsError(`${path} must be an array`);
  return v;
}

function deployment(v: unknown, path: string): DeploymentPermission {
  if (!isObject(v)) throw new ClaimsError(`${path} must be an object`);
  const scope = scopes(v.scope, `${path}.scope`);
  if (scope.length === 0) throw new ClaimsError(`${path}.scope: must list at least one scope`);
  // dseq is a chain height: a JSON number well inside 2^53.
  const dseq = uint(v.dseq, `${path}.dseq`, Number.MAX_SAFE_INTEGER);
  if (dseq === 0) throw new ClaimsError(`${path}.dseq: must be set (a deployment sequence > 0)`);
  const gseq = uint(v.gseq, `${path}.gseq`, 0xffffffff);
  const oseq = uint(v.oseq, `${path}.oseq`, 0xffffffff);
  if (oseq > 0 && gseq === 0) throw new ClaimsError(`${path}.gseq: must be set when oseq is set`);
  const services = list(v.services, `${path}.services`);
  if (services.length === 0) throw new ClaimsError(`${path}.services: must list at least one service`);
  const seen = new Set<string>();
  for (const [i, s] of services.entries()) {
    if (typeof s !== 'string' || s === '') throw new ClaimsError(`${path}.services[${i}]: must be a non-empty service name`);
    if (seen.has(s)) throw new ClaimsError(`${path}.services[${i}]: duplicate service ${s}`);
    seen.add(s);
  }
  return { dseq: String(dseq), gseq, oseq, scope, services: [...seen] };
}

function permission(v: unknown, path: string, isAddress: (a: string) => boolean): ProviderPermission {
  if (!isObject(v)) throw new ClaimsError(`${path} must be an object`);
  const provider = v.provider;
  if (typeof provider !== 'string' || provider === '') throw new ClaimsError(`${path}.provider: is required`);
  if (!isAddress(provider)) throw new ClaimsError(`${path}.provider: must be an akash1… address`);
  switch (v.access) {
    case 'full':
      if (list(v.deployments, `${path}.deployments`).length > 0) throw new ClaimsError(`${path}: full access cannot have deployments set`);
      if (scopes(v.scope, `${path}.scope`).length > 0) throw new ClaimsError(`${path}: full access cannot have scope set`);
      return { provider, access: 'full' };
    case 'scoped': {
      if (!absent(v.deployments)) throw new ClaimsError(`${path}: scoped access cannot have deployments set`);
      const scope = scopes(v.scope, `${path}.scope`);
      if (scope.length === 0) throw new ClaimsError(`${path}.scope: scoped access must list at least one scope`);
      return { provider, access: 'scoped', scope };
    }
    case 'granular': {
      if (!absent(v.scope)) throw new ClaimsError(`${path}: granular access cannot have scope set`);
      const deployments = list(v.deployments, `${path}.deployments`).map((d, i) => deployment(d, `${path}.deployments[${i}]`));
      if (deployments.length === 0) throw new ClaimsError(`${path}.deployments: granular access must list at least one deployment`);
      return { provider, access: 'granular', deployments };
    }
    case undefined:
    case null:
    case '':
      throw new ClaimsError(`${path}.access: is required (full, scoped or granular)`);
    default:
      throw new ClaimsError(`${path}.access: invalid access type ${JSON.stringify(v.access)} (full, scoped or granular)`);
  }
}

function leases(v: unknown, isAddress: (a: string) => boolean): LeaseAccess {
  if (!isObject(v)) throw new ClaimsError('claim leases is required (an object with access)');
  switch (v.access) {
    case 'full':
      if (list(v.permissions, 'leases.permissions').length > 0) throw new ClaimsError('leases: full access cannot have permissions set');
      if (scopes(v.scope, 'leases.scope').length > 0) throw new ClaimsError('leases: full access cannot have scope set');
      return { access: 'full' };
    case 'scoped': {
      if (!absent(v.permissions)) throw new ClaimsError('leases: scoped access cannot have permissions set');
      const scope = scopes(v.scope, 'leases.scope');
      if (scope.length === 0) throw new ClaimsError('leases.scope: scoped access must list at least one scope');
      return { access: 'scoped', scope };
    }
    case 'granular': {
      const raw = list(v.permissions, 'leases.permissions');
      if (raw.length === 0) throw new ClaimsError('leases.permissions: granular access must list at least one provider');
      const seen = new Set<string>();
      const permissions = raw.map((p, i) => {
        const perm = permission(p, `leases.permissions[${i}]`, isAddress);
        if (seen.has(perm.provider)) throw new ClaimsError(`leases.permissions[${i}].provider: duplicate provider ${perm.provider}`);
        seen.add(perm.provider);
        return perm;
      });
      return { access: 'granular', permissions };
    }
    case undefined:
    case null:
    case '':
      throw new ClaimsError('leases.access: is required (full, scoped or granular)');
    default:
      throw new ClaimsError(`leases.access: invalid access type ${JSON.stringify(v.access)} (full, scoped or granular)`);
  }
}

/** The claims of a decoded JWT payload; throws ClaimsError naming the first claim that is wrong. */
export function parseClaims(payload: unknown, isAddress: (a: string) => boolean): Claims {
  if (!isObject(payload)) throw new ClaimsError('the JWT payload must be a JSON object');
  const iss = payload.iss;
  if (typeof iss !== 'string' || iss === '') throw new ClaimsError('claim iss is required (the owner, akash1…)');
  if (!isAddress(iss)) throw new ClaimsError('claim iss must be an akash1… account address');
  const iat = numericDate(payload, 'iat');
  const nbf = numericDate(payload, 'nbf');
  const exp = numericDate(payload, 'exp');
  if (payload.version !== 'v1') throw new ClaimsError(`claim version must be "v1", got ${JSON.stringify(payload.version ?? null)}`);
  const claims: Claims = { iss, iat, nbf, exp, version: 'v1', leases: leases(payload.leases, isAddress) };
  if (typeof payload.jti === 'string') claims.jti = payload.jti;
  return claims;
}
