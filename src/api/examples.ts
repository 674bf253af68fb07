/**
 * Valid example objects of each kind, for tests and docs. The lease id is the Akash namespace test
 * vector (reference/akash.md §4.1), so its namespace is `i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4`.
 */
import { API_VERSION } from './common.ts';
import type { Lease, LeaseId } from './lease.ts';
import type { Manifest } from './manifest.ts';
import type { Service } from './service.ts';
import type { ManifestService } from './wire.ts';

export const EXAMPLE_LEASE_ID: LeaseId = {
  owner: 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev',
  dseq: '6194991',
  gseq: 1,
  oseq: 1,
  provider: 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0',
};
export const EXAMPLE_NAMESPACE = 'i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4';
export const EXAMPLE_HASH = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

export function exampleLease(): Lease {
  return {
    apiVersion: API_VERSION,
    kind: 'Lease',
    metadata: { name: EXAMPLE_NAMESPACE },
    spec: {
      id: { ...EXAMPLE_LEASE_ID },
      price: { denom: 'uact', amount: '1000.000000000000000000' },
      deploymentHash: EXAMPLE_HASH,
      state: 'active',
      source: 'manual',
    },
  };
}

/** A web service as the SDL `expose: [{port: 8080, as: 80, accept: [www.example.com], to: [{global: true}]}]` yields. */
export function exampleManifestService(): ManifestService {
  return {
    name: 'web',
    image: 'nginx:1.27',
    env: ['FOO=bar', 'EMPTY'],
    resources: {
      id: 1,
      cpu: { units: { val: '500' } },
      memory: { size: { val: '536870912' } },
      storage: [{ name: 'default', size: { val: '1073741824' } }],
      gpu: { units: { val: '0' } },
      endpoints: [{ sequence_number: 0 }],
    },
    count: 1,
    expose: [
      {
        port: 8080,
        externalPort: 80,
        proto: 'TCP',
        service: '',
        global: true,
        hosts: ['www.example.com'],
        httpOptions: { maxBodySize: 1048576, readTimeout: 60000, sendTimeout: 60000, nextTries: 3, nextTimeout: 0, nextCases: ['error', 'timeout'] },
        ip: '',
        endpointSequenceNumber: 0,
      },
    ],
  };
}

export function exampleManifest(): Manifest {
  return {
    apiVersion: API_VERSION,
    kind: 'Manifest',
    metadata: { name: `${EXAMPLE_LEASE_ID.owner}-${EXAMPLE_LEASE_ID.dseq}` },
    spec: {
      owner: EXAMPLE_LEASE_ID.owner,
      dseq: EXAMPLE_LEASE_ID.dseq,
      hash: EXAMPLE_HASH,
      groups: [{ name: 'westcoast', services: [exampleManifestService()] }],
    },
  };
}

export function exampleService(): Service {
  const m = exampleManifestService();
  return {
    apiVersion: API_VERSION,
    kind: 'Service',
    metadata: { name: m.name, namespace: EXAMPLE_NAMESPACE, generation: 1 },
    spec: {
      kind: 'container',
      image: m.image,
      ...(m.env ? { env: m.env } : {}),
      resources: m.resources,
      count: m.count,
      expose: m.expose,
    },
  };
}
