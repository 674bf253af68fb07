import { describe, expect, it } from 'vitest';
import { buildServices } from './cluster-services.ts';
import { expose, input, NS } from './test-fixtures.ts';

const selector = { 'akash.network': 'true', 'akash.network/namespace': NS, 'akash.network/manifest-service': 'web' };

describe('buildServices', () => {
  it('an HTTP expose gets a ClusterIP port 80 → container port', () => {
    expect(buildServices(input())).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: NS, labels: expect.objectContaining(selector) },
        spec: { type: 'ClusterIP', selector, ports: [{ name: '0-80', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      },
    ]);
  });

  it('internal ports go to the ClusterIP Service, global non-HTTP ports to <svc>-np', () => {
    const svcs = buildServices(
      input({
        expose: [
          expose(),
          expose({ port: 5432, externalPort: 0, global: false }),
          expose({ port: 22, externalPort: 2222 }),
          expose({ port: 53, externalPort: 53, proto: 'UDP' }),
          expose({ port: 8443, externalPort: 443 }),
        ],
      }),
    );
    expect(svcs.map((s) => [s.metadata?.name, s.spec?.type, s.spec?.ports?.map((p) => `${p.name}:${p.port}->${String(p.targetPort)}/${p.protocol}`)])).toEqual([
      ['web', 'ClusterIP', ['0-80:80->8080/TCP', '1-5432:5432->5432/TCP']],
      ['web-np', 'NodePort', ['2-2222:2222->22/TCP', '3-53:53->53/UDP', '4-443:443->8443/TCP']],
    ]);
    expect(svcs[1]?.spec?.ports?.every((p) => p.nodePort === undefined)).toBe(true);
  });

  it('no exposes, no Services', () => {
    expect(buildServices(input({ expose: [] }))).toEqual([]);
  });

  it('one port per external port and protocol (TCP and UDP may share a number)', () => {
    const svcs = buildServices(input({ expose: [expose({ port: 53, externalPort: 53 }), expose({ port: 53, externalPort: 53, proto: 'UDP' }), expose({ port: 5353, externalPort: 53 })] }));
    expect(svcs[0]?.spec?.ports?.map((p) => `${p.port}/${p.protocol}`)).toEqual(['53/TCP', '53/UDP']);
  });
});
