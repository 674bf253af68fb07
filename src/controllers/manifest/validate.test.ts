import { describe, expect, it } from 'vitest';
import { exampleManifest, exampleManifestService } from '../../api/examples.ts';
import type { Manifest } from '../../api/manifest.ts';
import { resolveProviderPolicy } from '../../workloads/policy.ts';
import { formatIssues, manifestIssues } from './validate.ts';

const policy = resolveProviderPolicy();

function issues(mutate: (m: Manifest) => void): string[] {
  const m = exampleManifest();
  mutate(m);
  return manifestIssues(m, policy).map((i) => `${i.path}: ${i.message}`);
}

const svc = (name: string) => ({ ...exampleManifestService(), name, expose: exampleManifestService().expose.map((e) => ({ ...e, hosts: [`${name}.example.com`] })) });

describe('manifestIssues', () => {
  it('accepts the example manifest', () => {
    expect(issues(() => {})).toEqual([]);
  });

  it('accepts what only the wire form requires: unsorted services, no global expose', () => {
    expect(
      issues((m) => {
        const web = svc('web');
        const cache = { ...svc('cache'), expose: [{ ...svc('cache').expose[0]!, global: false, hosts: undefined }] };
        m.spec.groups[0]!.services = [web, cache];
      }),
    ).toEqual([]);
    expect(issues((m) => (m.spec.groups[0]!.services[0]!.expose[0]!.global = false))).toEqual([]);
  });

  it.each<[string, (m: Manifest) => void, string]>([
    ['a mount of an undeclared volume', (m) => (m.spec.groups[0]!.services[0]!.params = { storage: [{ name: 'data', mount: '/data', readOnly: false }] }), 'spec.groups[0].services[0].params.storage[0].name: volume "data" is not in spec.resources.storage'],
    ['a service name twice in a group', (m) => m.spec.groups[0]!.services.push(svc('web')), 'spec.groups[0].services[1].name: service "web" is already defined at spec.groups[0].services[0]'],
    ['a group name twice', (m) => m.spec.groups.push({ name: 'westcoast', services: [svc('api')] }), 'spec.groups[1].name: group "westcoast" is already defined at groups[0]'],
    ['a hostname claimed twice', (m) => m.spec.groups.push({ name: 'east', services: [{ ...svc('api'), expose: exampleManifestService().expose }] }), 'spec.groups[1].services[0].expose[0].hosts[0]: hostname "www.example.com" is already used at groups[0].services[0].expose[0].hosts[0]'],
    ['a port out of range (schema)', (m) => (m.spec.groups[0]!.services[0]!.expose[0]!.port = 70000), 'spec.groups[0].services[0].expose[0].port: must be an integer in 1..65535, got 70000'],
    ['resources id 0', (m) => (m.spec.groups[0]!.services[0]!.resources.id = 0), 'spec.groups[0].services[0].resources.id: must be > 0, got 0'],
    ['a bad env name', (m) => (m.spec.groups[0]!.services[0]!.env = ['1BAD=x']), 'spec.groups[0].services[0].env[0]: invalid variable name "1BAD"'],
    ['a name that is not <owner>-<dseq>', (m) => (m.metadata.name = 'other'), 'metadata.name: must be akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev-6194991'],
  ])('refuses %s, naming the field', (_what, mutate, want) => {
    expect(issues(mutate).join('\n')).toContain(want);
  });

  it('reports every problem at once', () => {
    const found = issues((m) => {
      m.spec.groups[0]!.services[0]!.params = { storage: [{ name: 'data', mount: '/data', readOnly: false }] };
      m.spec.groups[0]!.services[0]!.env = ['1BAD=x'];
    });
    expect(found).toHaveLength(2);
  });
});

describe('formatIssues', () => {
  it('joins path and message, and cuts a long list', () => {
    expect(formatIssues([{ path: 'spec.a', message: 'bad' }, { path: '', message: 'worse' }])).toBe('spec.a: bad; worse');
    const many = Array.from({ length: 500 }, (_, i) => ({ path: `spec.groups[${i}].name`, message: 'is wrong in a rather long way' }));
    const text = formatIssues(many);
    expect(text.length).toBeLessThan(4200);
    expect(text).toMatch(/… and \d+ more$/);
  });
});

describe('manifestIssues verdict memo', () => {
  it('judges a cached object once per policy, and a replaced object afresh', () => {
    const bad = exampleManifest();
    bad.spec.groups[0]!.services[0]!.count = -1;
    const first = manifestIssues(bad, policy);
    expect(first.length).toBeGreaterThan(0);
    expect(manifestIssues(bad, policy)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Another policy object: judged again.
    expect(manifestIssues(bad, resolveProviderPolicy())).not.toBe(first);
    // An informer puts a new object in the cache on a change: a new verdict.
    const fixed = structuredClone(bad);
    fixed.spec.groups[0]!.services[0]!.count = 1;
    expect(manifestIssues(fixed, policy)).toEqual([]);
    // The spec swapped on the same object (nothing we do, but never a stale verdict for it).
    const swapped = exampleManifest();
    expect(manifestIssues(swapped, policy)).toEqual([]);
    swapped.spec = bad.spec;
    expect(manifestIssues(swapped, policy)).toEqual(first);
  });
});
