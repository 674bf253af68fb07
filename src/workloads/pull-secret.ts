/**
 * The pull Secret `docker-creds-<svc>` of a service with registry credentials, in the format of
 * `provider:cluster/kube/builder/service_credentials.go`. The password comes from the Secret named
 * by `spec.credentialsSecretRef` (the controller reads it); it never passes through a CR.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { LeaseId } from '../api/lease.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { IssueList } from './errors.ts';
import { serviceLabels } from './labels.ts';
import { pullSecretName } from './names.ts';

/** The manifest's `credentials`, as stored in the Secret named by credentialsSecretRef. */
export interface RegistryCredentials {
  host: string;
  username: string;
  password: string;
  email: string;
}

/** `.dockerconfigjson` content; values trimmed of whitespace as the Go provider does. */
export function dockerConfigJson(c: RegistryCredentials): string {
  const username = c.username.trim();
  const password = c.password.trim();
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return JSON.stringify({ auths: { [c.host.trim()]: { username, password, email: c.email.trim(), auth } } });
}

export function buildPullSecret(leaseId: LeaseId, serviceName: string, credentials: RegistryCredentials): V1Secret {
  const namespace = leaseNamespace(leaseId);
  const issues = new IssueList();
  for (const key of ['host', 'username', 'password'] as const) {
    if (credentials[key].trim() === '') issues.add(`credentials.${key}`, 'must not be empty');
  }
  issues.throwIfAny(`Service ${namespace}/${serviceName}`);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: pullSecretName(serviceName), namespace, labels: serviceLabels(leaseId, serviceName) },
    type: 'kubernetes.io/dockerconfigjson',
    // `data`, not `stringData`: stringData is write-only, so it would differ from what reads back.
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(credentials), 'utf8').toString('base64') },
  };
}
