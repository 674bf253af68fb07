import { describe, expect, it } from 'vitest';
import { exampleManifestService } from '../api/examples.ts';
import { Service } from '../api/service.ts';
import { schemaIssues } from '../api/validate.ts';
import { DEFAULT_PROVIDER_POLICY } from './policy.ts';
import { buildServiceCR } from './service-cr.ts';
import { LEASE_ID, NS, statefulResources } from './test-fixtures.ts';

describe('buildServiceCR', () => {
  it('copies the manifest service into a schema-valid Service in the lease namespace', () => {
    const m = { ...exampleManifestService(), resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data', readOnly: false }] }, credentialsSecretRef: { namespace: 'akash-operator', name: 'creds' } };
    const s = buildServiceCR(LEASE_ID, m, DEFAULT_PROVIDER_POLICY);
    expect(schemaIssues(Service, s)).toEqual([]);
    expect(s.metadata).toMatchObject({ name: 'web', namespace: NS, labels: { 'akash.network/manifest-service': 'web', 'akash.network/lease.id.dseq': LEASE_ID.dseq, 'akash.network/lease.id.gseq': '1' } });
    expect(s.spec).toEqual({
      kind: 'container',
      image: m.image,
      env: m.env,
      resources: m.resources,
      count: m.count,
      expose: m.expose,
      params: m.params,
      credentialsSecretRef: m.credentialsSecretRef,
    });
  });

  it('does not share nested objects with the manifest', () => {
    const m = exampleManifestService();
    const s = buildServiceCR(LEASE_ID, m, DEFAULT_PROVIDER_POLICY);
    s.spec.expose[0]!.port = 1;
    expect(m.expose[0]?.port).toBe(8080);
  });
});
