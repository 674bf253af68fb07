import { describe, expect, it } from 'vitest';
import { BLOCKED_IPV4, BLOCKED_IPV6, buildNetworkPolicies } from './network-policy.ts';
import { resolveProviderPolicy } from './policy.ts';
import { expose, LEASE_ID, NS } from './test-fixtures.ts';

const web = { name: 'web', expose: [expose()] };

describe('buildNetworkPolicies', () => {
  it('default deny with the allowed paths only', () => {
    const [p, ...rest] = buildNetworkPolicies(LEASE_ID, [web], resolveProviderPolicy());
    expect(rest).toEqual([]);
    expect(p?.metadata).toMatchObject({ name: 'akash-deployment-restrictions', namespace: NS });
    expect(p?.spec?.podSelector).toEqual({});
    expect(p?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p?.spec?.ingress).toEqual([{ from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }]);
    expect(p?.spec?.egress?.slice(0, 2)).toEqual([
      { to: [{ podSelector: {} }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('egress to the internet excludes private, metadata, CGNAT and the cluster ranges, for both families', () => {
    const policy = resolveProviderPolicy({ clusterCidrs: { pods: ['10.244.0.0/16', 'fd00:10:244::/56'], services: ['198.51.100.0/24', 'fd00:10:96::/112'] } });
    const internet = buildNetworkPolicies(LEASE_ID, [], policy)[0]?.spec?.egress?.[2]?.to;
    expect(internet).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...BLOCKED_IPV4, '10.244.0.0/16', '198.51.100.0/24'] } },
      { ipBlock: { cidr: '::/0', except: [...BLOCKED_IPV6, 'fd00:10:244::/56', 'fd00:10:96::/112'] } },
    ]);
    for (const must of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8']) expect(BLOCKED_IPV4).toContain(must);
    for (const must of ['fc00::/7', 'fe80::/10', '::1/128', '64:ff9b::/96']) expect(BLOCKED_IPV6).toContain(must);
    // The API server refuses IPv4-mapped blocks inside ::/0 (it parses them as IPv4).
    expect(BLOCKED_IPV6).not.toContain('::ffff:0:0/96');
  });

  it('in httproute mode the Gateway namespace may also reach tenant pods', () => {
    const p = buildNetworkPolicies(LEASE_ID, [], resolveProviderPolicy({ ingress: { mode: 'httproute', controllerNamespace: 'nginx-gateway', gateway: { namespace: 'akash-gateway' } } }))[0];
    expect(p?.spec?.ingress?.[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nginx-gateway' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'akash-gateway' } } }],
    });
  });

  it('opens global non-HTTP container ports to everyone, per service', () => {
    const ssh = { name: 'ssh', expose: [expose({ port: 22, externalPort: 2222 }), expose({ port: 53, externalPort: 53, proto: 'UDP' as const }), expose({ port: 9000, global: false })] };
    const policies = buildNetworkPolicies(LEASE_ID, [web, ssh], resolveProviderPolicy());
    expect(policies.map((p) => p.metadata?.name)).toEqual(['akash-deployment-restrictions', 'akash-ssh-np']);
    expect(policies[1]?.spec).toEqual({
      podSelector: { matchLabels: { 'akash.network/manifest-service': 'ssh' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [
            { protocol: 'TCP', port: 22 },
            { protocol: 'UDP', port: 53 },
          ],
        },
      ],
    });
  });
});
