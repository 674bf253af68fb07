import { describe, expect, it } from 'vitest';
import { buildServiceChildren } from './children.ts';
import { WorkloadSpecError } from './errors.ts';
import { input, NS } from './test-fixtures.ts';

describe('buildServiceChildren', () => {
  it('ingress mode: workload, Services, Ingresses, URIs and the scale selector', () => {
    const c = buildServiceChildren(input());
    expect(c.workload.kind).toBe('Deployment');
    expect(c.services.map((s) => s.metadata?.name)).toEqual(['web']);
    expect(c.ingresses.map((i) => i.metadata?.name)).toEqual(['www.example.com']);
    expect(c.httpRoutes).toEqual([]);
    expect(c.uris).toEqual(['www.example.com']);
    expect(c.selector).toBe(`akash.network=true,akash.network/manifest-service=web,akash.network/namespace=${NS}`);
  });

  it('httproute mode builds HTTPRoutes instead of Ingresses', () => {
    const c = buildServiceChildren(input({}, { ingress: { mode: 'httproute' } }));
    expect(c.ingresses).toEqual([]);
    expect(c.httpRoutes.map((r) => r.metadata.name)).toEqual(['www.example.com']);
  });

  it('a bad spec yields an error and no objects at all', () => {
    expect(() => buildServiceChildren(input({ params: { storage: [{ name: 'nope', mount: '/x', readOnly: false }] } }))).toThrow(WorkloadSpecError);
  });
});
