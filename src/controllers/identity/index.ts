/**
 * SPIFFE identity (docs/adr/0004-spiffe-identity.md): the CA controller keeps the CA and the trust
 * bundle current; the SVID controller gives every identity-enabled Service its `<svc>-svid` Secret.
 */
import { Counter } from 'prom-client';
import type { KubeObject } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { ConfigMapRef, SecretRef, ServiceCrRef } from '../refs.ts';
import { MANAGED_SELECTOR } from '../service/caches.ts';
import type { SecretObject, ServiceCr } from '../service/kinds.ts';
import { memoByVersion, parseCaSecret, selfSignedAuthority, upstreamAuthority, type Authority } from './authority.ts';
import { reconcileCa } from './ca.ts';
import type { IdentityConfig } from './config.ts';
import { reconcileSvid, serviceOfSvidSecret } from './svid.ts';

export const CA_CONTROLLER = 'identity-ca';
export const SVID_CONTROLLER = 'identity-svid';

export function registerIdentityControllers(ctx: OperatorContext, config: IdentityConfig): void {
  if (!config.enabled) return;
  const namespace = ctx.operatorNamespace;
  const secrets = ctx.mgr.informer<SecretObject>(SecretRef, { namespace });
  const configMaps = ctx.mgr.informer<KubeObject & { data?: Record<string, string> }>(ConfigMapRef, { namespace });
  const services = ctx.mgr.informer<ServiceCr>(ServiceCrRef);
  const managedSecrets = ctx.mgr.informer<SecretObject>(SecretRef, { labelSelector: MANAGED_SELECTOR });
  const caKey = `${namespace}/${config.upstreamCaSecretName || config.caSecretName}`;
  const isCaSecret = (o: KubeObject) => o.metadata.namespace === namespace && (o.metadata.name === config.caSecretName || o.metadata.name === config.upstreamCaSecretName);

  const ca = ctx.mgr.controller<SecretObject>({
    name: CA_CONTROLLER,
    for: secrets,
    forFilter: (e) => isCaSecret(e.object),
    watches: [{ informer: configMaps, map: (cm) => (cm.metadata.name === config.bundleConfigMapName ? [caKey] : []) }],
    reconcile: (_key, rctx) => reconcileCa({ client: ctx.client, config, namespace, secrets, configMaps }, rctx.log),
  });
  // The CA Secret may not exist yet: the first reconcile creates it.
  ca.queue.add(caKey);

  const selfSigned = memoByVersion((s) => parseCaSecret(s));
  const upstream = memoByVersion((s) => upstreamAuthority(s, config.trustDomain));
  const authority = (): Authority | undefined => {
    const secret = secrets.get(config.upstreamCaSecretName || config.caSecretName, namespace);
    if (!secret) return undefined;
    return config.upstreamCaSecretName ? upstream(secret) : selfSignedAuthority(selfSigned(secret), config.trustDomain, new Date());
  };
  const registry = ctx.mgr.metrics?.registry;
  const issued = new Counter({
    name: `${ctx.mgr.metrics?.prefix ?? 'akash_operator'}_svids_issued_total`,
    help: 'X.509-SVIDs issued to tenant services',
    registers: registry ? [registry] : [],
  });
  const identityServices = () => services.list().filter((s) => s.spec.identity?.spiffe === true).map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`);
  ctx.mgr.controller<ServiceCr>({
    name: SVID_CONTROLLER,
    for: services,
    watches: [
      { informer: managedSecrets, map: serviceOfSvidSecret },
      // A new CA or bundle: every SVID Secret's bundle (and maybe its SVID) changes.
      { informer: secrets, map: (s) => (isCaSecret(s) ? identityServices() : []) },
    ],
    concurrency: ctx.concurrency,
    reconcile: (key) =>
      reconcileSvid(
        { client: ctx.client, trustDomain: config.trustDomain, svidTtlSeconds: config.svidTtlSeconds, enabled: ctx.policy.spiffe.enabled, services, managedSecrets, authority, issued, resyncMs: ctx.resyncMs },
        key,
      ),
  });
}
