/**
 * Registry credentials of a service: the Secret named by `spec.credentialsSecretRef` (in the
 * operator's namespace, read from an informer cache) becomes the pull Secret `docker-creds-<svc>`
 * in the lease namespace. Nothing here ever puts a credential value into a message: problems name
 * the Secret and the key only.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { LeaseId } from '../../api/lease.ts';
import type { ServiceSpec } from '../../api/service.ts';
import { REGISTRY_CREDENTIALS_KEYS } from '../../api/wire.ts';
import { WorkloadSpecError } from '../../workloads/errors.ts';
import { buildPullSecret, type RegistryCredentials } from '../../workloads/pull-secret.ts';
import type { SecretObject } from './kinds.ts';

/** Keys that must be present and non-empty; `email` is optional in the SDL. */
const REQUIRED_KEYS = ['host', 'username', 'password'] as const;

export type PullSecretResult = { ok: true; secret: V1Secret | undefined } | { ok: false; message: string };

/**
 * The pull Secret the service needs (`undefined` when it has no credentials), or why it cannot be
 * built. `secrets` caches the Secrets of `operatorNamespace`.
 */
export function desiredPullSecret(
  spec: Pick<ServiceSpec, 'credentialsSecretRef'>,
  leaseId: LeaseId,
  serviceName: string,
  secrets: { get(name: string, namespace?: string): SecretObject | undefined },
  operatorNamespace: string,
): PullSecretResult {
  const ref = spec.credentialsSecretRef;
  if (!ref) return { ok: true, secret: undefined };
  const where = `registry credentials Secret ${ref.namespace}/${ref.name}`;
  if (ref.namespace !== operatorNamespace) {
    return { ok: false, message: `${where}: must be in the operator namespace ${operatorNamespace}` };
  }
  const source = secrets.get(ref.name, ref.namespace);
  if (!source) return { ok: false, message: `${where} not found` };

  const values: Partial<Record<(typeof REGISTRY_CREDENTIALS_KEYS)[number], string>> = {};
  const problems: string[] = [];
  for (const key of REGISTRY_CREDENTIALS_KEYS) {
    const raw = source.data?.[key];
    const value = raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
    if ((REQUIRED_KEYS as readonly string[]).includes(key) && (value === undefined || value.trim() === '')) {
      problems.push(`key ${JSON.stringify(key)} is ${value === undefined ? 'missing' : 'empty'}`);
    }
    values[key] = value ?? '';
  }
  if (problems.length > 0) return { ok: false, message: `${where}: ${problems.join('; ')}` };

  const credentials: RegistryCredentials = { host: values.host ?? '', username: values.username ?? '', password: values.password ?? '', email: values.email ?? '' };
  try {
    return { ok: true, secret: buildPullSecret(leaseId, serviceName, credentials) };
  } catch (err) {
    // The builder's issues name keys (`credentials.host: must not be empty`), never values.
    if (err instanceof WorkloadSpecError) return { ok: false, message: `${where}: ${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` };
    throw err;
  }
}
