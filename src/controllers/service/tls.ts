/**
 * The tenant key pairs a service's Ingresses use: validated kubernetes.io/tls Secrets the
 * tenant-TLS controller wrote in the lease namespace (managed label, this service's label). They
 * have no controller ownerReference (the service controller must not delete them as stale), so a
 * change reaches the Service through the label map below.
 */
import type { KubeObject } from '../../runtime/index.ts';
import { LABEL_MANIFEST_SERVICE } from '../../workloads/labels.ts';
import { ANNOTATION_TLS_HOSTNAME, tlsSecretsByHost } from '../../workloads/tenant-tls.ts';
import type { ServiceCaches } from './caches.ts';
import type { ServiceCr } from './kinds.ts';

export function tenantTlsSecrets(service: ServiceCr, caches: Pick<ServiceCaches, 'pullSecrets'>): Record<string, string> {
  const { name, namespace } = service.metadata;
  if (!name || !namespace) return {};
  return tlsSecretsByHost(caches.pullSecrets.list({ namespace, labels: { [LABEL_MANIFEST_SERVICE]: name } }));
}

/** A validated key pair → the Service CR whose Ingress uses it. */
export function serviceOfTlsSecret(secret: KubeObject): string[] {
  const { namespace, labels, annotations } = secret.metadata;
  const service = labels?.[LABEL_MANIFEST_SERVICE];
  if (!namespace || !service || !annotations?.[ANNOTATION_TLS_HOSTNAME]) return [];
  return [`${namespace}/${service}`];
}
