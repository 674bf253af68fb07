/**
 * Network isolation of a lease (`provider:cluster/kube/builder/netpol.go`, tightened): default deny
 * both ways; in from the same namespace and the ingress controller (or Gateway) namespace; out to
 * the same namespace, cluster DNS, and the internet minus private, loopback, link-local (cloud
 * metadata), CGNAT, multicast and the cluster's own pod and service ranges, for IPv4 and IPv6
 * alike (the Go provider leaves 169.254/16, 100.64/10 and 127/8 open). Global non-HTTP ports
 * are opened to everyone per service, as NodePorts need.
 */
import type { V1NetworkPolicy, V1NetworkPolicyIngressRule, V1NetworkPolicyPeer, V1NetworkPolicyPort, V1NetworkPolicySpec } from '@kubernetes/client-node';
import type { LeaseId } from '../api/lease.ts';
import type { ServiceExpose } from '../api/wire.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { parseCidr } from './cidr.ts';
import { isHttpExpose } from './expose.ts';
import { LABEL_MANIFEST_SERVICE, LABEL_NAMESPACE_NAME, leaseLabels } from './labels.ts';
import { nodePortPolicyName, RESTRICTIONS_POLICY_NAME } from './names.ts';
import type { ProviderPolicy } from './policy.ts';

export const BLOCKED_IPV4 = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8',
  '100.64.0.0/10', // CGNAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata at 169.254.169.254
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved
];

export const BLOCKED_IPV6 = [
  '::1/128',
  // Not '::ffff:0:0/96' (IPv4-mapped): the API server parses it as an IPv4 block and refuses it as
  // "not a strict subset of ::/0"; IPv4-mapped destinations are IPv4 traffic, matched by the IPv4 rule.
  '64:ff9b::/96', // NAT64 well-known prefix: same
  '64:ff9b:1::/48', // NAT64 local-use prefix: same
  'fc00::/7', // unique local (AWS metadata fd00:ec2::254)
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
];

/**
 * client-node's model calls `from` `_from` (its ObjectSerializer renames it); our client sends
 * plain JSON, so the objects here use the wire name.
 */
export type NetworkPolicyIngressRule = Omit<V1NetworkPolicyIngressRule, '_from'> & { from?: V1NetworkPolicyPeer[] };
export type NetworkPolicy = Omit<V1NetworkPolicy, 'spec'> & {
  spec: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress?: NetworkPolicyIngressRule[] };
};

/** A service as the policies need it: its name and exposes. */
export interface ExposedService {
  name: string;
  expose: ServiceExpose[];
}

function namespacePeer(name: string): V1NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { [LABEL_NAMESPACE_NAME]: name } } };
}

function internetPeers(policy: ProviderPolicy): V1NetworkPolicyPeer[] {
  const v4 = new Set(BLOCKED_IPV4);
  const v6 = new Set(BLOCKED_IPV6);
  for (const text of [...policy.clusterCidrs.pods, ...policy.clusterCidrs.services]) {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`provider policy clusterCidrs: ${JSON.stringify(text)} is not a CIDR (resolveProviderPolicy checks this)`);
    (cidr.family === 4 ? v4 : v6).add(cidr.text);
  }
  return [{ ipBlock: { cidr: '0.0.0.0/0', except: [...v4] } }, { ipBlock: { cidr: '::/0', except: [...v6] } }];
}

export function buildNetworkPolicies(leaseId: LeaseId, services: ExposedService[], policy: ProviderPolicy): NetworkPolicy[] {
  const namespace = leaseNamespace(leaseId);
  const labels = leaseLabels(leaseId);
  const sameNamespace: V1NetworkPolicyPeer = { podSelector: {} };
  const fromControllers = new Set([policy.ingress.controllerNamespace]);
  if (policy.ingress.mode === 'httproute') fromControllers.add(policy.ingress.gateway.namespace);
  const dnsPorts: V1NetworkPolicyPort[] = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];

  const restrictions: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: RESTRICTIONS_POLICY_NAME, namespace, labels },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [sameNamespace] }, { from: [...fromControllers].map(namespacePeer) }],
      egress: [
        { to: [sameNamespace] },
        { to: [{ ...namespacePeer(policy.dns.namespace), podSelector: { matchLabels: { ...policy.dns.podLabels } } }], ports: dnsPorts },
        { to: internetPeers(policy) },
      ],
    },
  };

  const out = [restrictions];
  for (const svc of services) {
    const ports = new Map<string, V1NetworkPolicyPort>();
    for (const e of svc.expose) {
      if (e.global && !isHttpExpose(e)) ports.set(`${e.port}/${e.proto}`, { protocol: e.proto, port: e.port });
    }
    if (ports.size === 0) continue;
    const rule: NetworkPolicyIngressRule = { ports: [...ports.values()] };
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: nodePortPolicyName(svc.name), namespace, labels },
      spec: { podSelector: { matchLabels: { [LABEL_MANIFEST_SERVICE]: svc.name } }, policyTypes: ['Ingress'], ingress: [rule] },
    });
  }
  return out;
}
