/**
 * One function per route, each returning the status and JSON text to send. Authentication has
 * happened before (server.ts); authorization of the route's scope is `authorizeRoute`, ownership of
 * the lease is checked here against the Lease CR (Go takes the owner from the token; we say 403
 * rather than 404 when the lease exists but belongs to someone else).
 */
import type { IncomingMessage } from 'node:http';
import { leaseNamespace } from '../akash/namespace.ts';
import type { SecretReference } from '../api/common.ts';
import { TenantRoleBindingSpec, TenantRoleSpec, type TenantAction } from '../api/tenant-rbac.ts';
import { schemaIssues } from '../api/validate.ts';
import { authorize } from '../tenancy/authorize.ts';
import { manifestName } from '../api/manifest.ts';
import { ApiError, errorMessage, type Logger } from '../runtime/index.ts';
import type { ProviderPolicy } from '../workloads/policy.ts';
import type { Identity } from './auth/authenticate.ts';
import { allows, allowsProvider, type AccessTarget } from './auth/scopes.ts';
import { HttpError, badRequest, forbidden, notFound } from './errors.ts';
import { readJsonBody } from './http.ts';
import { planManifest, takenHostnames } from './manifest.ts';
import type { GatewayMetrics } from './metrics.ts';
import { deploymentParams, leaseParams, type RouteMatch } from './router.ts';
import type { GatewayStore, LeaseObject, RegistryCredentialsView } from './store.ts';
import { credentialRefs, leaseStatus, manifestGroupJson, secretRefKey, serviceStatus } from './views.ts';

export interface HandlerContext {
  store: GatewayStore;
  /** This provider's address. */
  provider: string;
  operatorNamespace: string;
  policy: ProviderPolicy | undefined;
  version: string;
  bodyLimitBytes: number;
  log: Logger;
  metrics: GatewayMetrics;
}

export interface Reply {
  status: number;
  /** JSON text; '' for an empty body. */
  json: string;
}

const ok = (body: unknown): Reply => ({ status: 200, json: JSON.stringify(body) });

/** 403 unless the identity may use the route's scope on its target (ownership aside). */
export function authorizeRoute(identity: Identity, match: RouteMatch, provider: string): void {
  const { route, params } = match;
  if (!route.scope) return;
  if (!allowsProvider(identity.claims, provider)) throw forbidden('provider_denied', `the token grants no access to provider ${provider}`);
  const target: AccessTarget | undefined = route.pattern.startsWith('/lease/')
    ? { provider, ...leaseParams(params), ...(params.service !== undefined ? { service: params.service } : {}) }
    : route.pattern.startsWith('/deployment/')
      ? { provider, ...deploymentParams(params) }
      : undefined;
  // The migrations name their deployments in the body: checked there, once they are served.
  if (!target) return;
  if (!allows(identity.claims, target, route.scope)) {
    const what = target.service !== undefined ? `service ${target.service} of deployment ${target.dseq}` : `deployment ${target.dseq}`;
    throw forbidden('scope_denied', `the token does not grant scope ${route.scope} on ${what}`);
  }
}

/** What a request does, for tenant RBAC (docs/adr/0005-tenant-rbac.md). */
interface Act {
  action: TenantAction;
  service?: string;
  replicas?: number;
}

/**
 * The lease `dseq/gseq/oseq` with this provider that the caller may act on: its own, or another
 * owner's when a TenantRoleBinding of that lease grants the action. 404 when there is no such lease,
 * 403 with the reason otherwise. Every decision about someone else's lease is logged and counted.
 */
async function leaseFor(ctx: HandlerContext, identity: Identity, params: Record<string, string>, act: Act): Promise<LeaseObject> {
  const subject = identity.claims.iss;
  const lease = await leaseAt(ctx, params, subject);
  if (lease.spec.id.owner === subject && act.action !== 'scale') {
    ctx.metrics.tenantAuthz.inc({ action: act.action, result: 'owner' });
    return lease;
  }
  await decide(ctx, lease, subject, act);
  return lease;
}

/**
 * This provider's lease `dseq/gseq/oseq` (the one `owner` holds when several owners used the same
 * sequences); 404 when there is none.
 */
async function leaseAt(ctx: HandlerContext, params: Record<string, string>, owner: string): Promise<LeaseObject> {
  const { dseq, gseq, oseq } = leaseParams(params);
  const leases = (await ctx.store.leasesOfDeployment(dseq)).filter((l) => l.spec.id.provider === ctx.provider && l.spec.id.gseq === gseq && l.spec.id.oseq === oseq);
  const lease = leases.find((l) => l.spec.id.owner === owner) ?? leases[0];
  if (!lease) throw notFound('lease_not_found', `no lease ${dseq}/${gseq}/${oseq} of ${owner} with provider ${ctx.provider}`);
  return lease;
}

/** Runs the RBAC decision on `lease` for `subject`; throws 403 with the reason when denied. */
async function decide(ctx: HandlerContext, lease: LeaseObject, subject: string, act: Act, leasedReplicas?: number): Promise<void> {
  const owner = lease.spec.id.owner;
  const grants = owner === subject ? { roles: [], bindings: [] } : await ctx.store.tenantGrants(leaseNamespace(lease.spec.id));
  const request = { subject, owner, action: act.action, ...(act.service !== undefined ? { service: act.service } : {}), ...(act.replicas !== undefined ? { replicas: act.replicas } : {}), ...(leasedReplicas !== undefined ? { leasedReplicas } : {}) };
  const d = authorize(request, grants.roles, grants.bindings, new Date());
  const result = subject === owner ? (d.allowed ? 'owner' : 'denied') : d.allowed ? 'granted' : 'denied';
  ctx.metrics.tenantAuthz.inc({ action: act.action, result });
  ctx.log.info({ subject, owner, lease: leaseNamespace(lease.spec.id), action: act.action, service: act.service, replicas: act.replicas, allowed: d.allowed, reason: d.reason }, 'tenant authorization');
  if (!d.allowed) throw forbidden(subject === owner ? 'scale_refused' : 'not_owner', `lease ${leaseNamespace(lease.spec.id)} of ${owner}: ${d.reason}`);
}

async function leaseManifest(ctx: HandlerContext, lease: LeaseObject) {
  const { owner, dseq, gseq } = lease.spec.id;
  const name = manifestName(owner, dseq);
  const manifest = await ctx.store.manifest(name);
  if (!manifest) throw notFound('manifest_not_found', `no manifest has been received for deployment ${dseq}`);
  const group = manifest.spec.groups[gseq - 1];
  if (!group) throw notFound('manifest_not_found', `manifest ${name} has no group for group sequence ${gseq}`);
  return group;
}

/** A failure of the API server, told to the tenant without its internals (they are logged). */
function storeFailure(ctx: HandlerContext, err: unknown, what: string): HttpError {
  if (err instanceof HttpError) return err;
  ctx.log.error({ err: errorMessage(err) }, `${what} failed`);
  const detail = err instanceof ApiError ? ` (Kubernetes API ${err.code}${err.reason ? ` ${err.reason}` : ''})` : '';
  return new HttpError(503, 'store_unavailable', `the provider cannot ${what} right now${detail}; retry later`);
}

/** `POST …/service/{service}/scale` with `{"replicas": n}`: through the Service's scale subresource. */
async function scaleService(ctx: HandlerContext, identity: Identity, match: RouteMatch, req: IncomingMessage): Promise<Reply> {
  const name = match.params.service ?? '';
  const body = await readJsonBody(req, ctx.bodyLimitBytes);
  let replicas: unknown;
  try {
    replicas = (JSON.parse(body.toString('utf8')) as { replicas?: unknown } | null)?.replicas;
  } catch {
    throw badRequest('malformed_json', 'the body is not JSON; send {"replicas": <integer>}');
  }
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas < 0) {
    throw badRequest('invalid_replicas', `replicas: must be a non-negative integer, got ${JSON.stringify(replicas)}`);
  }
  const act = { action: 'scale' as const, service: name, replicas };
  const lease = await withStore(ctx, 'read the lease', () => leaseAt(ctx, match.params, identity.claims.iss));
  const group = await withStore(ctx, 'read the manifest', () => leaseManifest(ctx, lease));
  const leased = group.services.find((s) => s.name === name);
  if (!leased) throw notFound('service_not_found', `lease has no service ${JSON.stringify(name.slice(0, 63))}`);
  await withStore(ctx, 'read the tenant grants', () => decide(ctx, lease, identity.claims.iss, act, leased.count));
  await withStore(ctx, 'scale the service', () => ctx.store.scaleService(leaseNamespace(lease.spec.id), name, replicas));
  return ok({ service: name, replicas });
}

const GRANT_KINDS = { roles: TenantRoleSpec, bindings: TenantRoleBindingSpec } as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The owner's tenant RBAC of one lease: `GET …/rbac` lists it, `PUT …/rbac/{roles|bindings}/{name}`
 * with a TenantRole / TenantRoleBinding spec creates or replaces one, `DELETE` revokes it. Only the
 * owner: a grantee can never widen its own rights.
 */
async function tenantGrants(ctx: HandlerContext, identity: Identity, match: RouteMatch, req: IncomingMessage): Promise<Reply> {
  const { params, route } = match;
  const lease = await withStore(ctx, 'read the lease', () => leaseAt(ctx, params, identity.claims.iss));
  if (lease.spec.id.owner !== identity.claims.iss) {
    ctx.metrics.tenantAuthz.inc({ action: 'grant', result: 'denied' });
    throw forbidden('not_owner', `only the owner ${lease.spec.id.owner} manages who may act on this lease`);
  }
  const namespace = leaseNamespace(lease.spec.id);
  if (route.name === 'grants-list') return ok(await withStore(ctx, 'read the tenant grants', () => ctx.store.tenantGrants(namespace)));
  const kind = params.kind;
  if (kind !== 'roles' && kind !== 'bindings') throw notFound('not_found', `no rbac kind ${JSON.stringify((kind ?? '').slice(0, 40))} (roles or bindings)`);
  const name = params.name ?? '';
  if (!DNS_LABEL.test(name) || name.length > 63) throw badRequest('invalid_name', `name: must be a DNS label, got ${JSON.stringify(name.slice(0, 70))}`);
  if (route.name === 'grant-delete') {
    const gone = await withStore(ctx, 'revoke the grant', () => ctx.store.deleteTenantGrant(namespace, kind, name));
    if (!gone) throw notFound('grant_not_found', `no ${kind.slice(0, -1)} ${name} on this lease`);
    ctx.log.info({ owner: identity.claims.iss, lease: namespace, kind, name }, 'tenant grant revoked');
    return ok({ deleted: `${kind}/${name}` });
  }
  const body = await readJsonBody(req, ctx.bodyLimitBytes);
  let spec: unknown;
  try {
    spec = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('malformed_json', `the body is not JSON; send the ${kind === 'roles' ? 'TenantRole' : 'TenantRoleBinding'} spec`);
  }
  const issues = schemaIssues(GRANT_KINDS[kind], spec, 'spec');
  if (issues.length > 0) throw new HttpError(422, 'grant_invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  await withStore(ctx, 'store the grant', () => ctx.store.saveTenantGrant(namespace, kind, name, spec));
  ctx.log.info({ owner: identity.claims.iss, lease: namespace, kind, name }, 'tenant grant stored');
  return ok({ applied: `${kind}/${name}` });
}

/**
 * The owner whose deployment `dseq` the caller may update: the caller itself, or the one owner of
 * this provider's leases of `dseq` when a binding of every one of them grants `update`.
 */
async function manifestOwner(ctx: HandlerContext, identity: Identity, dseq: string, leases: LeaseObject[]): Promise<string> {
  const subject = identity.claims.iss;
  const ours = leases.filter((l) => l.spec.id.provider === ctx.provider);
  if (ours.length === 0 || ours.some((l) => l.spec.id.owner === subject)) {
    ctx.metrics.tenantAuthz.inc({ action: 'update', result: 'owner' });
    return subject;
  }
  const owners = new Set(ours.map((l) => l.spec.id.owner));
  if (owners.size !== 1) throw forbidden('not_owner', `deployment ${dseq} is not owned by ${subject}`);
  for (const lease of ours) await decide(ctx, lease, subject, { action: 'update' });
  return ours[0]!.spec.id.owner;
}

async function submitManifest(ctx: HandlerContext, identity: Identity, match: RouteMatch, req: IncomingMessage): Promise<Reply> {
  const { dseq } = deploymentParams(match.params);
  try {
    const body = await readJsonBody(req, ctx.bodyLimitBytes);
    const leases = await ctx.store.leasesOfDeployment(dseq);
    const owner = await manifestOwner(ctx, identity, dseq, leases);
    const plan = planManifest({ body, owner, dseq, provider: ctx.provider, leases, operatorNamespace: ctx.operatorNamespace, ...(ctx.policy ? { policy: ctx.policy } : {}) });
    const taken = plan.hosts.length > 0 ? takenHostnames(plan, owner, dseq, await withStore(ctx, 'read the hostname claims', () => ctx.store.hostnameHolders(plan.hosts))) : [];
    if (taken.length > 0) {
      const one = taken.length === 1;
      throw new HttpError(409, 'hostname_in_use', `${one ? 'hostname' : 'hostnames'} ${taken.join(', ')} ${one ? 'is' : 'are'} in use by another deployment on this provider`);
    }
    try {
      await ctx.store.saveManifest(plan);
    } catch (e) {
      // The API server's schema is the last check on the CR, which holds no credentials.
      if (e instanceof ApiError && e.code === 422 && e.path.includes('/manifests/')) {
        throw new HttpError(422, 'manifest_invalid', `the manifest is invalid: ${e.status?.message ?? 'refused by the Manifest schema'}`);
      }
      throw storeFailure(ctx, e, 'store the manifest');
    }
    ctx.metrics.manifests.inc({ result: 'accepted' });
    ctx.log.info({ owner, dseq, hash: plan.hash, manifest: plan.manifest.metadata.name, leases: plan.leases }, 'manifest accepted');
    // Go answers 200 with an empty body; its client reads only the status.
    return { status: 200, json: '' };
  } catch (e) {
    const err = e instanceof HttpError ? e : storeFailure(ctx, e, 'read the leases');
    ctx.metrics.manifests.inc({ result: err.code });
    throw err;
  }
}

async function withStore<T>(ctx: HandlerContext, what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw storeFailure(ctx, e, what);
  }
}

export async function handle(ctx: HandlerContext, match: RouteMatch, identity: Identity | undefined, req: IncomingMessage): Promise<Reply> {
  const { route, params } = match;
  if (route.unimplemented) return { status: 501, json: JSON.stringify({ error: `${route.unimplemented}`, code: 'not_implemented' }) };
  if (route.scope && !identity) throw new Error(`route ${route.name} reached without an identity`);
  switch (route.name) {
    case 'version': {
      const kube = await ctx.store.kubeVersion().catch(() => undefined);
      return ok({
        akash: { name: 'akash-operator', server_name: 'akash-operator', version: ctx.version, commit: '', build_tags: '', go: `node ${process.version}`, build_deps: [], cosmos_sdk_version: '' },
        kube: kube ?? null,
      });
    }
    case 'address':
      return ok({ address: ctx.provider });
    case 'status': {
      const counts = await withStore(ctx, 'read its status', () => ctx.store.counts(ctx.provider));
      return ok({
        cluster: { leases: counts.leases, inventory: { active: [], pending: [], available: { nodes: [], storage: [] } } },
        bidengine: { orders: 0 },
        manifest: { deployments: counts.deployments },
        address: ctx.provider,
      });
    }
    case 'submit-manifest':
      return submitManifest(ctx, identity!, match, req);
    case 'lease-manifest': {
      const group = await withStore(ctx, 'read the manifest', async () => leaseManifest(ctx, await leaseFor(ctx, identity!, params, { action: 'get-manifest' })));
      const refs = credentialRefs(group);
      const views = new Map<string, RegistryCredentialsView | undefined>();
      await withStore(ctx, 'read the manifest', () =>
        Promise.all(refs.map(async (r: SecretReference) => views.set(secretRefKey(r), await ctx.store.registryCredentials(r)))),
      );
      return { status: 200, json: manifestGroupJson(group, views) };
    }
    case 'lease-status': {
      const services = await withStore(ctx, 'read the lease status', async () => {
        const lease = await leaseFor(ctx, identity!, params, { action: 'status' });
        await leaseManifest(ctx, lease); // Go: no manifest, no lease status (404)
        return ctx.store.servicesIn(leaseNamespace(lease.spec.id));
      });
      return ok(leaseStatus(services, ctx.policy?.clusterPublicHostname ?? ''));
    }
    case 'service-status': {
      const name = params.service ?? '';
      const svc = await withStore(ctx, 'read the service status', async () => {
        const lease = await leaseFor(ctx, identity!, params, { action: 'status', service: name });
        return ctx.store.service(leaseNamespace(lease.spec.id), name);
      });
      if (!svc) throw notFound('service_not_found', `lease has no service ${JSON.stringify(name.slice(0, 63))}`);
      return ok(serviceStatus(svc));
    }
    case 'service-scale':
      return scaleService(ctx, identity!, match, req);
    case 'grants-list':
    case 'grant-put':
    case 'grant-delete':
      return tenantGrants(ctx, identity!, match, req);
    default:
      throw new Error(`route ${route.name} has no handler`);
  }
}
