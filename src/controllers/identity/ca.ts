/**
 * The CA controller (one key: the CA Secret): keeps the signing CA current and publishes the
 * trust bundle. Self-signed mode runs the rotation plan (src/identity/rotation.ts) until it has
 * nothing left to do, stores the result in the CA Secret, writes the bundle ConfigMap and
 * requeues itself at the next instant the plan changes. Upstream mode only publishes the upstream
 * roots: rotating an admin's intermediate is the admin's job. A restart with nothing due writes
 * nothing.
 */
import { applyCaAction, bundleJwks, bundlePem, caPlan } from '../../identity/index.ts';
import type { Informer, KubeClient, KubeObject, Logger, ReconcileResult } from '../../runtime/index.ts';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../workloads/labels.ts';
import { applyChanged } from '../apply.ts';
import { ConfigMapRef, SecretRef } from '../refs.ts';
import type { SecretObject } from '../service/kinds.ts';
import { caSecretData, fingerprint, newCa, parseCaSecret, upstreamAuthority, type CaState } from './authority.ts';
import type { IdentityConfig } from './config.ts';

/** On the bundle ConfigMap: SPIFFE's `spiffe_sequence`, bumped whenever the set of CAs changes. */
export const ANNOTATION_BUNDLE_SEQUENCE = 'provider.akash.network/spiffe-sequence';
export const ANNOTATION_BUNDLE_FINGERPRINTS = 'provider.akash.network/spiffe-bundle';
export const BUNDLE_PEM_KEY = 'bundle.pem';
export const BUNDLE_JWKS_KEY = 'bundle.jwks';

export interface CaDeps {
  client: KubeClient;
  config: IdentityConfig;
  namespace: string;
  /** Secrets of the operator's namespace. */
  secrets: Informer<SecretObject>;
  configMaps: Informer<KubeObject & { data?: Record<string, string> }>;
  now?: () => Date;
}

const MAX_PLAN_STEPS = 8;

export async function reconcileCa(deps: CaDeps, log: Logger): Promise<ReconcileResult> {
  const now = deps.now?.() ?? new Date();
  const { config, namespace } = deps;
  let bundle: Buffer[];
  let wakeAt: Date | undefined;
  if (config.upstreamCaSecretName) {
    const upstream = deps.secrets.get(config.upstreamCaSecretName, namespace);
    if (!upstream) {
      log.warn({ secret: `${namespace}/${config.upstreamCaSecretName}` }, 'upstream CA Secret not found: no SVIDs are issued until it exists');
      return { requeueAfterMs: 30_000 };
    }
    bundle = upstreamAuthority(upstream, config.trustDomain).bundle;
  } else {
    const live = deps.secrets.get(config.caSecretName, namespace);
    const state: CaState = parseCaSecret(live);
    let changed = false;
    let plan = caPlan(state.set, now, config.svidTtlSeconds);
    for (let step = 0; plan.actions.length > 0; step++) {
      if (step >= MAX_PLAN_STEPS) throw new Error(`CA plan did not settle after ${MAX_PLAN_STEPS} steps`);
      for (const action of plan.actions) {
        if (action.kind === 'prepare') {
          const ca = newCa(config.trustDomain, config.caTtlSeconds, now);
          state.keys.set(ca.entry.id, ca.key);
          state.set = applyCaAction(state.set, action, now, ca.entry);
        } else {
          state.set = applyCaAction(state.set, action, now);
          if (action.kind === 'drop') state.keys.delete(action.id);
        }
        log.info({ action: action.kind, ca: action.kind === 'prepare' ? state.set.next?.id : action.id }, 'SPIFFE CA rotation');
        changed = true;
      }
      plan = caPlan(state.set, now, config.svidTtlSeconds);
    }
    // Keys of CAs that no longer sign are dropped from the Secret.
    for (const id of [...state.keys.keys()]) if (id !== state.set.active?.id && id !== state.set.next?.id) state.keys.delete(id);
    if (changed || !live) {
      const secret: KubeObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: config.caSecretName, namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
        type: 'Opaque',
        data: caSecretData(state),
      } as KubeObject;
      await applyChanged(deps.client, [{ ref: SecretRef, object: secret }], () => live);
    }
    bundle = plan.bundle;
    wakeAt = plan.wakeAt;
  }
  await publishBundle(deps, bundle);
  const wakeMs = wakeAt ? Math.max(1000, wakeAt.getTime() - now.getTime()) : 600_000;
  return { requeueAfterMs: Math.min(wakeMs, 600_000) };
}

/** The bundle ConfigMap, with spiffe_sequence bumped only when the set of CAs changed. */
async function publishBundle(deps: CaDeps, bundle: Buffer[]): Promise<void> {
  const { config, namespace } = deps;
  const live = deps.configMaps.get(config.bundleConfigMapName, namespace);
  const prints = bundle.map(fingerprint).join(',');
  const liveSeq = Number(live?.metadata.annotations?.[ANNOTATION_BUNDLE_SEQUENCE] ?? '0');
  const same = live?.metadata.annotations?.[ANNOTATION_BUNDLE_FINGERPRINTS] === prints;
  const sequence = same ? liveSeq : (Number.isSafeInteger(liveSeq) ? liveSeq : 0) + 1;
  const jwks = bundleJwks(bundle, { sequence, refreshHintSeconds: Math.max(60, Math.floor(config.svidTtlSeconds / 4)) });
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: config.bundleConfigMapName,
      namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY },
      annotations: { [ANNOTATION_BUNDLE_SEQUENCE]: String(sequence), [ANNOTATION_BUNDLE_FINGERPRINTS]: prints },
    },
    data: { [BUNDLE_PEM_KEY]: bundlePem(bundle), [BUNDLE_JWKS_KEY]: `${JSON.stringify(jwks, null, 2)}\n` },
  } as KubeObject;
  await applyChanged(deps.client, [{ ref: ConfigMapRef, object: cm }], () => live);
}
