/** Leases and manifests for operator e2e tests, built as an admin would write them. */
import { leaseNamespace } from '../../src/akash/namespace.ts';

export const OWNER = 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev';
export const PROVIDER = 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0';
const API = 'provider.akash.network/v1alpha1';

export interface ServiceOpts {
  name: string;
  image?: string;
  count?: number;
  hosts?: string[];
  /** Extra global non-HTTP ports (a NodePort Service each). */
  forwarded?: { port: number; externalPort: number; proto: 'TCP' | 'UDP' }[];
  params?: Record<string, unknown>;
  storage?: { name: string; size: string; attributes?: { key: string; value: string }[] }[];
}

const HTTP_OPTIONS = { maxBodySize: 1048576, readTimeout: 60000, sendTimeout: 60000, nextTries: 3, nextTimeout: 0, nextCases: ['error', 'timeout'] };

export function manifestService(o: ServiceOpts) {
  return {
    name: o.name,
    image: o.image ?? 'nginx:1.27',
    count: o.count ?? 1,
    resources: {
      id: 1,
      cpu: { units: { val: '100' } },
      memory: { size: { val: '134217728' } },
      storage: o.storage?.map((s) => ({ name: s.name, size: { val: s.size }, ...(s.attributes ? { attributes: s.attributes } : {}) })) ?? [
        { name: 'default', size: { val: '268435456' } },
      ],
    },
    expose: [
      {
        ...(o.hosts ? { port: 80, externalPort: 80, global: true, hosts: o.hosts } : { port: 8080, externalPort: 8080, global: false }),
        proto: 'TCP',
        service: '',
        ip: '',
        endpointSequenceNumber: 0,
        httpOptions: HTTP_OPTIONS,
      },
      ...(o.forwarded ?? []).map((f) => ({ ...f, global: true, service: '', ip: '', endpointSequenceNumber: 0, httpOptions: HTTP_OPTIONS })),
    ],
    ...(o.params ? { params: o.params } : {}),
  };
}

export function hashFor(dseq: string, version = 0): string {
  // Any 64-hex value works in standalone mode: it only has to agree between Lease and Manifest.
  return (dseq.padStart(8, '0') + version.toString(16).padStart(8, '0')).repeat(4);
}

export function leaseAndManifest(dseq: string, services: ServiceOpts[], version = 0) {
  const id = { owner: OWNER, dseq, gseq: 1, oseq: 1, provider: PROVIDER };
  const ns = leaseNamespace(id);
  const hash = hashFor(dseq, version);
  const lease = {
    apiVersion: API,
    kind: 'Lease',
    metadata: { name: ns },
    spec: { id, price: { denom: 'uact', amount: '10.0' }, deploymentHash: hash, state: 'active', source: 'manual' },
  };
  const manifest = {
    apiVersion: API,
    kind: 'Manifest',
    metadata: { name: `${OWNER}-${dseq}` },
    spec: { owner: OWNER, dseq, hash, groups: [{ name: 'g', services: services.map(manifestService) }] },
  };
  return { id, ns, lease, manifest };
}
