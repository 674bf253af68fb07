/**
 * Names of the objects built for a lease, in one place (reference/akash.md §4.2). A name is never
 * rebuilt by concatenation elsewhere.
 */

/** The dockerconfigjson Secret a service's pods pull with. */
export function pullSecretName(serviceName: string): string {
  return `docker-creds-${serviceName}`;
}

/** The NodePort Service of a service's global non-HTTP ports. */
export function nodePortServiceName(serviceName: string): string {
  return `${serviceName}-np`;
}

/** A service's volume (and its PVC template): `<svc>-<volume>`. */
export function volumeName(serviceName: string, volume: string): string {
  return `${serviceName}-${volume}`;
}

/** The lease-wide default-deny policy (the Go provider's name). */
export const RESTRICTIONS_POLICY_NAME = 'akash-deployment-restrictions';

/** The policy opening a service's NodePort ports. */
export function nodePortPolicyName(serviceName: string): string {
  return `akash-${serviceName}-np`;
}

export const RESOURCE_QUOTA_NAME = 'akash-lease-quota';
export const LIMIT_RANGE_NAME = 'akash-lease-limits';

/** The Secret holding a service's X.509-SVID, key and trust bundle. */
export function svidSecretName(serviceName: string): string {
  return `${serviceName}-svid`;
}
