import { describe, expect, it } from 'vitest';
import { ingressNginxAnnotations, nextUpstreamCases, nginxGatewayAnnotations } from './http-options.ts';
import { buildHTTPRoutes, buildIngresses, serviceUris } from './routes.ts';
import { DEFAULT_HTTP, expose, input, LEASE_ID, NS } from './test-fixtures.ts';

describe('buildIngresses', () => {
  it('one Ingress per accepted hostname, named after it, routing / to <svc>:80', () => {
    const [ing, ...rest] = buildIngresses(input());
    expect(rest).toEqual([]);
    expect(ing?.metadata).toMatchObject({
      name: 'www.example.com',
      namespace: NS,
      labels: expect.objectContaining({ 'akash.network/manifest-service': 'web', 'akash.network/lease.id.dseq': '6194991', 'akash.network/lease.id.owner': LEASE_ID.owner }),
    });
    expect(ing?.spec).toEqual({
      ingressClassName: 'akash-ingress-class',
      rules: [{ host: 'www.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    });
  });

  it('the ingress class comes from policy; the tenant key pair becomes TLS', () => {
    const [ing] = buildIngresses({ ...input({}, { ingress: { className: 'nginx' } }), tlsSecrets: { 'www.example.com': 'tenant-tls', 'other.example.com': 'x' } });
    expect(ing?.spec?.ingressClassName).toBe('nginx');
    expect(ing?.spec?.tls).toEqual([{ hosts: ['www.example.com'], secretName: 'tenant-tls' }]);
    // A key pair for another host, or a host named like an Object.prototype key, attaches nothing.
    const [plain] = buildIngresses({ ...input({ expose: [expose({ hosts: ['constructor'] })] }), tlsSecrets: { 'www.example.com': 'tenant-tls' } });
    expect(plain?.spec?.tls).toBeUndefined();
  });

  it('adds the Go provider static host when the provider has an ingress domain, deduplicates hosts', () => {
    const i = input({ expose: [expose({ hosts: ['a.example.com', 'b.example.com', 'a.example.com'] })] }, { ingress: { domain: 'ingress.example.com' } });
    expect(buildIngresses(i).map((x) => x.metadata?.name)).toEqual(['7m3t84m6idb217f1bcciffrdls.ingress.example.com', 'a.example.com', 'b.example.com']);
    expect(serviceUris(i)).toEqual(['7m3t84m6idb217f1bcciffrdls.ingress.example.com', 'a.example.com', 'b.example.com']);
  });

  it('non-HTTP exposes get no Ingress even with hosts', () => {
    expect(buildIngresses(input({ expose: [expose({ externalPort: 8080, hosts: ['x.example.com'] }), expose({ proto: 'UDP', hosts: ['y.example.com'] })] }))).toEqual([]);
  });
});

describe('buildHTTPRoutes', () => {
  it('one HTTPRoute per hostname attached to the provider Gateway', () => {
    const [route] = buildHTTPRoutes(input({}, { ingress: { mode: 'httproute', gateway: { name: 'gw', namespace: 'gateways' } } }));
    expect(route).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'www.example.com', namespace: NS, annotations: expect.objectContaining({ 'nginx.org/client-max-body-size': '1048576' }) },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateways', name: 'gw' }],
        hostnames: ['www.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }],
      },
    });
  });
});

describe('http options → annotations (as the Go provider maps them)', () => {
  it('ingress-nginx: ms rounded up to seconds, cases with http_ prefix', () => {
    expect(ingressNginxAnnotations({ maxBodySize: 10485760, readTimeout: 30001, sendTimeout: 1, nextTries: 5, nextTimeout: 1500, nextCases: ['error', 'timeout', '500', '502'], proxyBufferSize: 16384 })).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '31',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '1',
      'nginx.ingress.kubernetes.io/proxy-next-upstream-tries': '5',
      'nginx.ingress.kubernetes.io/proxy-body-size': '10485760',
      'nginx.ingress.kubernetes.io/proxy-next-upstream-timeout': '2',
      'nginx.ingress.kubernetes.io/proxy-next-upstream': 'error timeout http_500 http_502',
      'nginx.ingress.kubernetes.io/proxy-buffer-size': '16384',
    });
  });

  it('ingress-nginx defaults: next-upstream-timeout 0 disables it, no buffer size', () => {
    const a = ingressNginxAnnotations(DEFAULT_HTTP);
    expect(a['nginx.ingress.kubernetes.io/proxy-next-upstream-timeout']).toBe('0');
    expect(a['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('60');
    expect(a).not.toHaveProperty('nginx.ingress.kubernetes.io/proxy-buffer-size');
  });

  it('NGINX Gateway Fabric: nginx.org annotations, next-upstream-timeout only when set, in seconds', () => {
    expect(nginxGatewayAnnotations({ ...DEFAULT_HTTP, nextTimeout: 1000, nextCases: ['off'] })).toEqual({
      'nginx.org/client-max-body-size': '1048576',
      'nginx.org/proxy-read-timeout': '60',
      'nginx.org/proxy-send-timeout': '60',
      'nginx.org/proxy-next-upstream-tries': '3',
      'nginx.org/proxy-next-upstream-timeout': '1s',
      'nginx.org/proxy-next-upstream': 'off',
    });
    expect(nginxGatewayAnnotations({ ...DEFAULT_HTTP, nextCases: [] })).not.toHaveProperty('nginx.org/proxy-next-upstream-timeout');
  });

  it.each([
    [['error', 'timeout'], 'error timeout'],
    [['403', '404', '429', '503', '504'], 'http_403 http_404 http_429 http_503 http_504'],
    [['off'], 'off'],
  ])('next cases %j → %j', (cases, want) => {
    expect(nextUpstreamCases(cases)).toBe(want);
  });
});
