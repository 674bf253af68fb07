import fs from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  user: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** One cluster, one user, one context, all named after the cluster. */
export function kubeconfigYaml(name: string, i: KubeconfigInput): string {
  const user: Record<string, string> = {};
  if (i.clientCertPem) user['client-certificate-data'] = b64(i.clientCertPem);
  if (i.clientKeyPem) user['client-key-data'] = b64(i.clientKeyPem);
  if (i.token) user.token = i.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: i.server, 'certificate-authority-data': b64(i.caPem) } }],
    users: [{ name: i.user, user }],
    contexts: [{ name, context: { cluster: name, user: i.user } }],
    'current-context': name,
  });
}

export function writeKubeconfig(file: string, name: string, i: KubeconfigInput): void {
  fs.writeFileSync(file, kubeconfigYaml(name, i), { mode: 0o600 });
}
