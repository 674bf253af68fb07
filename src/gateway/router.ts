/**
 * The Go provider's REST paths (`provider:gateway/rest/router.go`, `chain-sdk:go/provider/client/path.go`)
 * and the scope each needs. A path that exists with another method is 405 with `Allow`; anything
 * else is 404. The streaming routes (websockets) and the migrations exist so that a tool gets a
 * clear 501, not a 404 that reads like a wrong provider. Pure.
 */
import type { Scope } from './auth/claims.ts';
import { HttpError, badRequest, notFound } from './errors.ts';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export type RouteName =
  | 'version'
  | 'address'
  | 'status'
  | 'validate'
  | 'submit-manifest'
  | 'lease-manifest'
  | 'lease-status'
  | 'service-status'
  | 'service-scale'
  | 'grants-list'
  | 'grant-put'
  | 'grant-delete'
  | 'lease-events'
  | 'lease-logs'
  | 'lease-shell'
  | 'lease-attestation'
  | 'hostname-migrate'
  | 'endpoint-migrate';

export interface Route {
  name: RouteName;
  method: Method;
  /** `{name}` segments are parameters. */
  pattern: string;
  /** undefined: no authentication (Go serves /version, /address, /status to anyone). */
  scope: Scope | undefined;
  /** Not served by this provider yet: answered 501 after authentication. */
  unimplemented?: string;
}

const WEBSOCKET = 'websocket streams (events, logs, shell) are not served by this provider yet';

export const ROUTES: readonly Route[] = [
  { name: 'version', method: 'GET', pattern: '/version', scope: undefined },
  { name: 'address', method: 'GET', pattern: '/address', scope: undefined },
  { name: 'status', method: 'GET', pattern: '/status', scope: undefined },
  { name: 'validate', method: 'GET', pattern: '/validate', scope: undefined, unimplemented: 'group spec validation (bid screening) is not served by this provider yet' },
  { name: 'submit-manifest', method: 'PUT', pattern: '/deployment/{dseq}/manifest', scope: 'send-manifest' },
  { name: 'lease-manifest', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/manifest', scope: 'get-manifest' },
  { name: 'lease-status', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/status', scope: 'status' },
  { name: 'service-status', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/service/{service}/status', scope: 'status' },
  // Ours (the Go provider has no scale): AEP-64 has no scale scope, so a scoped token needs `restart`,
  // the scope of the other action that changes running replicas. Grantees also need a TenantRole.
  { name: 'service-scale', method: 'POST', pattern: '/lease/{dseq}/{gseq}/{oseq}/service/{service}/scale', scope: 'restart' },
  // Ours too: the owner manages the tenant RBAC of a lease (docs/adr/0005). Granting rights is at
  // least as strong as sending a manifest, so a scoped token needs `send-manifest`; owner only.
  { name: 'grants-list', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/rbac', scope: 'send-manifest' },
  { name: 'grant-put', method: 'PUT', pattern: '/lease/{dseq}/{gseq}/{oseq}/rbac/{kind}/{name}', scope: 'send-manifest' },
  { name: 'grant-delete', method: 'DELETE', pattern: '/lease/{dseq}/{gseq}/{oseq}/rbac/{kind}/{name}', scope: 'send-manifest' },
  { name: 'lease-events', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/kubeevents', scope: 'events', unimplemented: WEBSOCKET },
  { name: 'lease-logs', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/logs', scope: 'logs', unimplemented: WEBSOCKET },
  { name: 'lease-shell', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/shell', scope: 'shell', unimplemented: WEBSOCKET },
  { name: 'lease-attestation', method: 'GET', pattern: '/lease/{dseq}/{gseq}/{oseq}/attestation/quote', scope: 'status', unimplemented: 'TEE attestation is not supported by this provider' },
  { name: 'hostname-migrate', method: 'POST', pattern: '/hostname/migrate', scope: 'hostname-migrate', unimplemented: 'hostname migration is not served by this provider yet' },
  { name: 'endpoint-migrate', method: 'POST', pattern: '/endpoint/migrate', scope: 'ip-migrate', unimplemented: 'leased IP endpoint migration is not served by this provider yet' },
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

const split = (path: string) => path.split('/').slice(1);
const COMPILED = ROUTES.map((route) => ({ route, segments: split(route.pattern) }));

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith('{')) {
      if (s === '') return undefined;
      params[p.slice(1, -1)] = s;
    } else if (p !== s) return undefined;
  }
  return params;
}

/** The route for `method path`; throws 404 (no such path) or 405 (path exists, method does not). */
export function matchRoute(method: string, path: string): RouteMatch {
  const segments = split(path);
  const allowed: Method[] = [];
  for (const { route, segments: pattern } of COMPILED) {
    const params = matchSegments(pattern, segments);
    if (!params) continue;
    if (route.method === method) {
      for (const [k, v] of Object.entries(params)) {
        try {
          params[k] = decodeURIComponent(v);
        } catch {
          throw badRequest('invalid_path', `path parameter ${k} is not valid percent-encoding`);
        }
      }
      return { route, params };
    }
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`, { allow: allowed.join(', ') });
  }
  throw notFound('not_found', `no route ${method} ${path}`);
}

const UINT = /^[0-9]{1,20}$/;
const UINT64_MAX = (1n << 64n) - 1n;

/** A path sequence as Go's strconv.ParseUint reads it; a 400 naming the parameter otherwise. */
function sequence(params: Record<string, string>, name: 'dseq' | 'gseq' | 'oseq', max: bigint): string {
  const v = params[name] ?? '';
  if (!UINT.test(v) || BigInt(v) > max || BigInt(v) === 0n) throw badRequest('invalid_path', `path parameter ${name} must be an integer 1..${max}, got ${JSON.stringify(v.slice(0, 40))}`);
  return BigInt(v).toString(10);
}

export const deploymentParams = (params: Record<string, string>) => ({ dseq: sequence(params, 'dseq', UINT64_MAX) });

export function leaseParams(params: Record<string, string>): { dseq: string; gseq: number; oseq: number } {
  return { dseq: sequence(params, 'dseq', UINT64_MAX), gseq: Number(sequence(params, 'gseq', 0xffffffffn)), oseq: Number(sequence(params, 'oseq', 0xffffffffn)) };
}
