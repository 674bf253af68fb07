/**
 * A tenant's key pair Secret (labelled `provider.akash.network/tenant-tls=true`, hostname in an
 * annotation) → a validated kubernetes.io/tls Secret that the service's Ingress for that host uses.
 * Phases:
 *   1. the tenant Secret is gone → delete the copies made from it; done;
 *   2. find the Service of this namespace that serves the hostname (a tenant can only attach a
 *      key pair to a host of its own lease);
 *   3. validate (src/identity/tenant-tls.ts); a refusal is an Event on the tenant Secret and changes
 *      nothing: a copy validated before keeps serving;
 *   4. apply the copy when it differs; drop copies of this Secret for other hostnames;
 *   5. expiry: a gauge per hostname, an Event 14 days before, requeue then.
 * No message ever contains key material: the validator's messages name fields and rules only.
 */
import { createHash } from 'node:crypto';
import { API_VERSION } from '../../api/common.ts';
import { SERVICE_KIND } from '../../api/service.ts';
import { EXPIRY_WARNING_DAYS, validateTenantKeyPair } from '../../identity/tenant-tls.ts';
import { type EventRecorder, type Informer, type KubeClient, type KubeObject, type Logger, type ReconcileResult } from '../../runtime/index.ts';
import { LABEL_MANIFEST_SERVICE } from '../../workloads/labels.ts';
import { ANNOTATION_TLS_HOSTNAME, ANNOTATION_TLS_SOURCE, buildTlsSecret } from '../../workloads/tenant-tls.ts';
import { applyChanged, deleteObserved } from '../apply.ts';
import { SecretRef } from '../refs.ts';
import type { SecretObject, ServiceCr } from '../service/kinds.ts';
import { leaseIdFromLabels } from '../service/lease-id.ts';

export interface TenantTlsDeps {
  client: KubeClient;
  recorder: EventRecorder;
  tenantSecrets: Informer<SecretObject>;
  services: Informer<ServiceCr>;
  /** Managed Secrets (our copies among them). */
  managedSecrets: Informer<SecretObject>;
  expiry: { set(labels: { namespace: string; hostname: string }, value: number): void; remove(labels: { namespace: string; hostname: string }): void };
  resyncMs: number;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

export async function reconcileTenantTls(deps: TenantTlsDeps, key: string, log: Logger): Promise<ReconcileResult> {
  const [namespace = '', name = ''] = key.split('/');
  const source = deps.tenantSecrets.get(name, namespace);
  const copies = deps.managedSecrets.list({ namespace }).filter((s) => s.metadata.annotations?.[ANNOTATION_TLS_SOURCE] === name);

  // Phase 1
  if (!source || source.metadata.deletionTimestamp) {
    await deleteCopies(deps, copies);
    return {};
  }
  const regarding: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: source.metadata };
  // Each outcome is told once per version of the tenant's input, remembered on its Secret: a restart
  // or a resync re-validates but neither repeats an Event nor writes anything.
  const version = inputVersion(source);
  const told = source.metadata.annotations ?? {};
  const tell = async (key: string, outcome: string, event: () => void): Promise<void> => {
    if (told[key] === `${version}:${outcome}`) return;
    event();
    await deps.client.mergePatch(SecretRef, { name, namespace }, { metadata: { annotations: { [key]: `${version}:${outcome}` } } });
  };
  const reject = async (reason: string, message: string): Promise<ReconcileResult> => {
    log.info({ reason, problem: message }, 'tenant key pair refused');
    await tell(ANNOTATION_TLS_OUTCOME, reason, () => deps.recorder.record(regarding, { type: 'Warning', reason, action: 'Validate', note: message }));
    return {};
  };

  // Phase 2
  const hostname = source.metadata.annotations?.[ANNOTATION_TLS_HOSTNAME]?.trim().toLowerCase() ?? '';
  if (hostname === '') return reject('TLSRejected', `annotation ${ANNOTATION_TLS_HOSTNAME}: must name the hostname the key pair is for`);
  const service = deps.services.list({ namespace }).find((s) => s.spec.expose.some((e) => e.hosts?.includes(hostname)));
  if (!service?.metadata.name) return reject('TLSRejected', `hostname ${hostname}: no service of this lease accepts it (add it to an expose's accept list)`);
  const lease = leaseIdFromLabels(service.metadata.labels);
  if (!lease.ok) return reject('TLSRejected', `Service ${service.metadata.name}: cannot tell its lease (${lease.problems.join('; ')})`);

  // Phase 3
  const data = source.data ?? {};
  const text = (k: string) => (data[k] === undefined ? '' : Buffer.from(data[k], 'base64').toString('utf8'));
  const now = deps.now?.() ?? new Date();
  const passphrase = data.passphrase === undefined ? undefined : text('passphrase');
  const result = validateTenantKeyPair({ certPem: text('tls.crt'), keyPem: text('tls.key'), hostname, now, ...(passphrase === undefined ? {} : { passphrase }) });
  if (!result.ok) return reject('TLSRejected', result.problem.message);

  // Phase 4
  const pair = result.pair;
  const secret = buildTlsSecret(lease.id, service.metadata.name, name, { hostname, certPem: pair.certPem, keyPem: pair.keyPem, notAfter: pair.notAfter });
  // Owned (not controlled) by the Service: gone with it, invisible to its stale-child cleanup.
  const owner = { apiVersion: API_VERSION, kind: SERVICE_KIND, name: service.metadata.name, uid: service.metadata.uid ?? '', controller: false };
  const desired = { ...secret, metadata: { ...secret.metadata, ownerReferences: [owner] } } as KubeObject;
  await applyChanged(deps.client, [{ ref: SecretRef, object: desired }], () => deps.managedSecrets.get(secret.metadata!.name!, namespace));
  await tell(ANNOTATION_TLS_OUTCOME, 'TLSAccepted', () =>
    deps.recorder.record(regarding, { type: 'Normal', reason: 'TLSAccepted', action: 'Validate', note: `key pair for ${hostname} accepted (expires ${pair.notAfter.toISOString()}); used by the Ingress of service ${service.metadata.name}` }),
  );
  await deleteCopies(
    deps,
    copies.filter((c) => c.metadata.annotations?.[ANNOTATION_TLS_HOSTNAME] !== hostname),
  );

  // Phase 5
  deps.expiry.set({ namespace, hostname }, pair.notAfter.getTime() / 1000);
  const warnAt = pair.notAfter.getTime() - EXPIRY_WARNING_DAYS * DAY_MS;
  if (now.getTime() >= warnAt) {
    const days = Math.max(0, Math.floor((pair.notAfter.getTime() - now.getTime()) / DAY_MS));
    const note = `the certificate for ${hostname} expires on ${pair.notAfter.toISOString()} (in ${days} days): upload a renewed key pair`;
    await tell(ANNOTATION_TLS_EXPIRY_WARNED, 'TLSExpiringSoon', () => {
      deps.recorder.record(regarding, { type: 'Warning', reason: 'TLSExpiringSoon', action: 'Validate', note });
      deps.recorder.record({ apiVersion: API_VERSION, kind: SERVICE_KIND, metadata: service.metadata }, { type: 'Warning', reason: 'TLSExpiringSoon', action: 'Validate', note });
    });
    return { requeueAfterMs: deps.resyncMs };
  }
  return { requeueAfterMs: Math.min(deps.resyncMs, Math.max(1000, warnAt - now.getTime())) };
}

/** On the tenant's Secret: the last outcome told (`<input version>:<reason>`), and the expiry warning. */
export const ANNOTATION_TLS_OUTCOME = 'provider.akash.network/tls-outcome';
export const ANNOTATION_TLS_EXPIRY_WARNED = 'provider.akash.network/tls-expiry-warned';

/** A short hash of what the tenant handed in (data and hostname), not of our own annotations. */
function inputVersion(source: SecretObject): string {
  const input = JSON.stringify([source.metadata.annotations?.[ANNOTATION_TLS_HOSTNAME] ?? '', Object.entries(source.data ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return createHash('sha256').update(input).digest('hex').slice(0, 16);
}

async function deleteCopies(deps: TenantTlsDeps, copies: SecretObject[]): Promise<void> {
  for (const c of copies) {
    await deleteObserved(deps.client, SecretRef, c);
    const namespace = c.metadata.namespace;
    const host = c.metadata.annotations?.[ANNOTATION_TLS_HOSTNAME];
    if (namespace && host) deps.expiry.remove({ namespace, hostname: host });
  }
}

/** Keys of the tenant Secrets of a namespace: a Service change can make one of them valid. */
export function tenantSecretsOfNamespace(tenantSecrets: Pick<Informer<SecretObject>, 'list'>, namespace: string | undefined): string[] {
  if (!namespace) return [];
  return tenantSecrets.list({ namespace }).map((s) => `${namespace}/${s.metadata.name ?? ''}`);
}

/** Our copy → the tenant Secret it came from. */
export function sourceOfCopy(secret: KubeObject): string[] {
  const src = secret.metadata.annotations?.[ANNOTATION_TLS_SOURCE];
  const ns = secret.metadata.namespace;
  return src && ns && secret.metadata.labels?.[LABEL_MANIFEST_SERVICE] ? [`${ns}/${src}`] : [];
}

