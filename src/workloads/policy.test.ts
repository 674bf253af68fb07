import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_POLICY, ProviderPolicyError, resolveProviderPolicy, type ProviderPolicyInput } from './policy.ts';

describe('resolveProviderPolicy', () => {
  it('defaults: baseline, root allowed, a small capability set, no overcommit, Ingress mode', () => {
    const p = resolveProviderPolicy();
    expect(p).toEqual(DEFAULT_PROVIDER_POLICY);
    expect(p.podSecurityLevel).toBe('baseline');
    expect(p.allowedCapabilities).not.toContain('NET_RAW');
    expect(p.ingress).toMatchObject({ mode: 'ingress', className: 'akash-ingress-class' });
  });

  it('merges nested objects field by field', () => {
    const p = resolveProviderPolicy({ ingress: { mode: 'httproute', gateway: { name: 'gw' } }, overcommitPct: { cpu: 50 } });
    expect(p.ingress.gateway).toEqual({ name: 'gw', namespace: 'akash-gateway' });
    expect(p.ingress.className).toBe('akash-ingress-class');
    expect(p.overcommitPct).toEqual({ cpu: 50, memory: 0, storage: 0 });
  });

  it('does not share arrays with the defaults', () => {
    const p = resolveProviderPolicy();
    p.allowedCapabilities.push('MKNOD');
    expect(DEFAULT_PROVIDER_POLICY.allowedCapabilities).not.toContain('MKNOD');
  });

  it('restricted with non-root and NET_BIND_SERVICE only is accepted', () => {
    expect(resolveProviderPolicy({ podSecurityLevel: 'restricted', runAsNonRoot: true, allowedCapabilities: ['NET_BIND_SERVICE'] }).podSecurityLevel).toBe('restricted');
  });

  it.each<[string, ProviderPolicyInput, string]>([
    ['a dangerous capability', { allowedCapabilities: ['SYS_ADMIN' as never] }, 'policy.allowedCapabilities[0]: "SYS_ADMIN" may not be added'],
    ['NET_RAW', { allowedCapabilities: ['CHOWN', 'NET_RAW' as never] }, 'policy.allowedCapabilities[1]: "NET_RAW" may not be added'],
    ['restricted with root', { podSecurityLevel: 'restricted', allowedCapabilities: [] }, 'policy.runAsNonRoot: must be true when podSecurityLevel is restricted'],
    ['restricted with CHOWN', { podSecurityLevel: 'restricted', runAsNonRoot: true, allowedCapabilities: ['CHOWN'] }, 'policy.allowedCapabilities[0]: CHOWN is refused by podSecurityLevel restricted'],
    ['an unknown level', { podSecurityLevel: 'open' as never }, 'policy.podSecurityLevel: must be one of privileged, baseline, restricted'],
    ['a fractional overcommit', { overcommitPct: { memory: 12.5 } }, 'policy.overcommitPct.memory: must be an integer in 0..10000, got 12.5'],
    ['a bad pod CIDR', { clusterCidrs: { pods: ['10.244.0.0'] } }, 'policy.clusterCidrs.pods[0]: must be an IPv4 or IPv6 CIDR, got "10.244.0.0"'],
    ['an empty DNS selector', { dns: { podLabels: {} } }, 'policy.dns.podLabels: must select the DNS pods'],
    ['a bad ingress mode', { ingress: { mode: 'nginx' as never } }, 'policy.ingress.mode: must be ingress or httproute'],
    ['an uppercase domain', { ingress: { domain: 'Ingress.Example.com' } }, 'policy.ingress.domain: must be a lowercase DNS name'],
  ])('refuses %s, naming the field', (_what, input, message) => {
    expect(() => resolveProviderPolicy(input)).toThrow(ProviderPolicyError);
    expect(() => resolveProviderPolicy(input)).toThrow(message);
  });
});
