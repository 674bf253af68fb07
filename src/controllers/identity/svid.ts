/**
 * The SVID controller: each Service CR with `spec.identity.spiffe` gets the Secret `<svc>-svid`
 * (leaf + chain, PKCS#8 key, trust bundle). A new SVID is issued when there is none, the SPIFFE ID
 * changed, the rotation time stored on the Secret has come (half life ± 10 %), or its issuer is no
 * longer trusted; otherwise only the bundle is kept current. The Secret is owned (not controlled)
 * by the Service CR: garbage collection removes it with the CR, the service controller leaves it be.
 */
import { API_VERSION } from '../../api/common.ts';
import { SERVICE_KIND } from '../../api/service.ts';
import { bundlePem, issueSvidWithKey, rotateAt, serviceSpiffeId, toPem } from '../../identity/index.ts';
import { type Informer, type KubeClient, type KubeObject, type ReconcileResult } from '../../runtime/index.ts';
import { LABEL_MANIFEST_SERVICE, serviceLabels } from '../../workloads/labels.ts';
import { svidSecretName } from '../../workloads/names.ts';
import { ANNOTATION_SPIFFE_ID, ANNOTATION_SVID_ISSUER, ANNOTATION_SVID_NOT_AFTER, ANNOTATION_SVID_ROTATE_AT, BUNDLE_FILE, SVID_FILE, SVID_KEY_FILE } from '../../workloads/spiffe.ts';
import { applyChanged, deleteObserved } from '../apply.ts';
import { SecretRef } from '../refs.ts';
import type { SecretObject, ServiceCr } from '../service/kinds.ts';
import { leaseIdFromLabels } from '../service/lease-id.ts';
import type { Authority } from './authority.ts';

export interface SvidDeps {
  client: KubeClient;
  trustDomain: string;
  svidTtlSeconds: number;
  /** Whether the provider gives identities at all (policy.spiffe.enabled). */
  enabled: boolean;
  services: Informer<ServiceCr>;
  managedSecrets: Informer<SecretObject>;
  /** The current signing authority; undefined until the CA exists. */
  authority: () => Authority | undefined;
  issued: { inc(): void };
  resyncMs: number;
  now?: () => Date;
  random?: () => number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export async function reconcileSvid(deps: SvidDeps, key: string): Promise<ReconcileResult> {
  const [namespace = '', name = ''] = key.split('/');
  const service = deps.services.get(name, namespace);
  const secretName = svidSecretName(name);
  const live = deps.managedSecrets.get(secretName, namespace);
  if (!service || service.metadata.deletionTimestamp || !deps.enabled || service.spec.identity?.spiffe !== true) {
    // Identity turned off for a live service: its SVID must stop being served.
    if (live && service && !service.metadata.deletionTimestamp && live.metadata.annotations?.[ANNOTATION_SPIFFE_ID]) await deleteObserved(deps.client, SecretRef, live);
    return {};
  }
  const auth = deps.authority();
  if (!auth) return { requeueAfterMs: 2000 };
  const lease = leaseIdFromLabels(service.metadata.labels);
  if (!lease.ok) return {}; // the service controller reports this on the Service's status

  const now = deps.now?.() ?? new Date();
  const spiffeId = serviceSpiffeId(deps.trustDomain, lease.id, name);
  const ann = live?.metadata.annotations ?? {};
  const rotateAtMs = Date.parse(ann[ANNOTATION_SVID_ROTATE_AT] ?? '');
  const reissue =
    !live?.data?.[SVID_FILE] ||
    !live.data[SVID_KEY_FILE] ||
    ann[ANNOTATION_SPIFFE_ID] !== spiffeId ||
    !(now.getTime() < rotateAtMs) ||
    !auth.trusted.has(ann[ANNOTATION_SVID_ISSUER] ?? '');

  let data: Record<string, string>;
  let annotations: Record<string, string>;
  let next: number;
  if (reissue) {
    const svid = issueSvidWithKey(auth.issuer, spiffeId, deps.svidTtlSeconds, now);
    const at = rotateAt(svid.notBefore, svid.notAfter, (deps.random ?? Math.random)());
    data = {
      // Leaf first, then the intermediates up to (not including) the trust anchor.
      [SVID_FILE]: b64([svid.certDer, ...auth.issuer.chain].map((d) => toPem(d, 'CERTIFICATE')).join('')),
      [SVID_KEY_FILE]: b64(toPem(svid.keyPkcs8Der, 'PRIVATE KEY')),
      [BUNDLE_FILE]: b64(bundlePem(auth.bundle)),
    };
    annotations = {
      [ANNOTATION_SPIFFE_ID]: spiffeId,
      [ANNOTATION_SVID_NOT_AFTER]: svid.notAfter.toISOString(),
      [ANNOTATION_SVID_ROTATE_AT]: at.toISOString(),
      [ANNOTATION_SVID_ISSUER]: auth.issuerId,
    };
    next = at.getTime();
    deps.issued.inc();
  } else {
    // Keep the SVID, refresh the bundle (a CA prepared or dropped since).
    data = { [SVID_FILE]: live.data![SVID_FILE]!, [SVID_KEY_FILE]: live.data![SVID_KEY_FILE]!, [BUNDLE_FILE]: b64(bundlePem(auth.bundle)) };
    annotations = {
      [ANNOTATION_SPIFFE_ID]: spiffeId,
      [ANNOTATION_SVID_NOT_AFTER]: ann[ANNOTATION_SVID_NOT_AFTER] ?? '',
      [ANNOTATION_SVID_ROTATE_AT]: ann[ANNOTATION_SVID_ROTATE_AT] ?? '',
      [ANNOTATION_SVID_ISSUER]: ann[ANNOTATION_SVID_ISSUER] ?? '',
    };
    next = rotateAtMs;
  }
  const owner = { apiVersion: API_VERSION, kind: SERVICE_KIND, name, uid: service.metadata.uid ?? '', controller: false };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace, labels: serviceLabels(lease.id, name), annotations, ownerReferences: [owner] },
    type: 'Opaque',
    data,
  } as KubeObject;
  await applyChanged(deps.client, [{ ref: SecretRef, object: secret }], () => live);
  return { requeueAfterMs: Math.min(deps.resyncMs, Math.max(1000, next - now.getTime())) };
}

/** An SVID Secret → its Service's key. */
export function serviceOfSvidSecret(secret: KubeObject): string[] {
  const { name, namespace, annotations, labels } = secret.metadata;
  const service = labels?.[LABEL_MANIFEST_SERVICE];
  if (!namespace || !service || name !== svidSecretName(service) || !annotations?.[ANNOTATION_SPIFFE_ID]) return [];
  return [`${namespace}/${service}`];
}
