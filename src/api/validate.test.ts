import { describe, expect, it } from 'vitest';
import { exampleLease, exampleManifest, exampleService } from './examples.ts';
import { pointerToPath, schemaIssues, SchemaValidationError, validateLease, validateManifest, validateService } from './validate.ts';
import { Lease } from './lease.ts';
import { Manifest } from './manifest.ts';
import { Service } from './service.ts';

/** Applies `mutate` to a fresh example and returns the issues as "path: message" lines. */
function issuesOf<T>(make: () => T, schema: Parameters<typeof schemaIssues>[0], mutate: (o: T) => void): string[] {
  const obj = make();
  mutate(obj);
  return schemaIssues(schema, obj).map((i) => `${i.path}: ${i.message}`);
}

describe('valid examples', () => {
  it('accepts the example Lease, Manifest and Service', () => {
    expect(validateLease(exampleLease()).spec.id.dseq).toBe('6194991');
    expect(validateManifest(exampleManifest()).spec.groups[0]?.services[0]?.name).toBe('web');
    expect(validateService(exampleService()).spec.count).toBe(1);
  });

  it('accepts a status with conditions', () => {
    const lease = exampleLease();
    lease.status = {
      phase: 'Ready',
      servicesReady: '1/1',
      services: [{ name: 'web', ready: 1, total: 1, uris: ['www.example.com'] }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'AllServicesReady', message: '', lastTransitionTime: '2026-01-02T03:04:05Z' }],
      observedGeneration: 1,
    };
    expect(schemaIssues(Lease, lease)).toEqual([]);
  });
});

describe('invalid objects name the field', () => {
  const cases: { name: string; schema: Parameters<typeof schemaIssues>[0]; make: () => unknown; mutate: (o: never) => void; want: string }[] = [
    {
      name: 'expose port out of range',
      schema: Manifest,
      make: exampleManifest,
      mutate: (m: ReturnType<typeof exampleManifest>) => {
        m.spec.groups[0]!.services[0]!.expose[0]!.port = 0;
      },
      want: 'spec.groups[0].services[0].expose[0].port: must be an integer in 1..65535, got 0',
    },
    {
      name: 'hash not hex',
      schema: Manifest,
      make: exampleManifest,
      mutate: (m: ReturnType<typeof exampleManifest>) => {
        m.spec.hash = 'ABC';
      },
      want: 'spec.hash: must match ^[0-9a-f]{64}$, got "ABC"',
    },
    {
      name: 'dseq not digits',
      schema: Lease,
      make: exampleLease,
      mutate: (l: ReturnType<typeof exampleLease>) => {
        l.spec.id.dseq = '-1';
      },
      want: 'spec.id.dseq: must match ^(0|[1-9][0-9]{0,19})$, got "-1"',
    },
    {
      name: 'unknown lease state',
      schema: Lease,
      make: exampleLease,
      mutate: (l: ReturnType<typeof exampleLease>) => {
        (l.spec as { state: string }).state = 'open';
      },
      want: 'spec.state: must be one of active, insufficient_funds, closed, reclaiming, got "open"',
    },
    {
      name: 'missing deployment hash',
      schema: Lease,
      make: exampleLease,
      mutate: (l: ReturnType<typeof exampleLease>) => {
        delete (l.spec as Partial<typeof l.spec>).deploymentHash;
      },
      want: 'spec.deploymentHash: is required',
    },
    {
      name: 'negative count',
      schema: Service,
      make: exampleService,
      mutate: (s: ReturnType<typeof exampleService>) => {
        s.spec.count = -1;
      },
      want: 'spec.count: must be an integer in 0..2147483647, got -1',
    },
    {
      name: 'service name not a DNS label',
      schema: Manifest,
      make: exampleManifest,
      mutate: (m: ReturnType<typeof exampleManifest>) => {
        m.spec.groups[0]!.services[0]!.name = 'Web_1';
      },
      want: 'spec.groups[0].services[0].name: must match ^[a-z]([-a-z0-9]*[a-z0-9])?$, got "Web_1"',
    },
    {
      name: 'quantity not a decimal string',
      schema: Service,
      make: exampleService,
      mutate: (s: ReturnType<typeof exampleService>) => {
        s.spec.resources.cpu.units.val = '0.5';
      },
      want: 'spec.resources.cpu.units.val: must match ^(0|[1-9][0-9]{0,19})$, got "0.5"',
    },
    {
      name: 'protocol not TCP/UDP',
      schema: Service,
      make: exampleService,
      mutate: (s: ReturnType<typeof exampleService>) => {
        (s.spec.expose[0] as { proto: string }).proto = 'SCTP';
      },
      want: 'spec.expose[0].proto: must be one of TCP, UDP, got "SCTP"',
    },
    {
      name: 'relative mount path',
      schema: Service,
      make: exampleService,
      mutate: (s: ReturnType<typeof exampleService>) => {
        s.spec.params = { storage: [{ name: 'data', mount: 'data', readOnly: false }] };
      },
      want: 'spec.params.storage[0].mount: must match ^/, got "data"',
    },
    {
      name: 'bad condition time',
      schema: Service,
      make: exampleService,
      mutate: (s: ReturnType<typeof exampleService>) => {
        s.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: '', lastTransitionTime: 'yesterday' }] };
      },
      want: 'status.conditions[0].lastTransitionTime: must be a date-time, got "yesterday"',
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(issuesOf(c.make, c.schema, c.mutate as (o: unknown) => void)).toContain(c.want);
    });
  }

  it('throws one error listing every issue, naming the object', () => {
    const svc = exampleService();
    svc.spec.count = -1;
    svc.spec.expose[0]!.port = 70000;
    let err: unknown;
    try {
      validateService(svc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaValidationError);
    const e = err as SchemaValidationError;
    expect(e.issues.map((i) => i.path).sort()).toEqual(['spec.count', 'spec.expose[0].port']);
    expect(e.message).toMatch(/^Service i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4\/web is invalid:/);
  });
});

describe('pointerToPath', () => {
  it.each([
    ['', ''],
    ['/spec', 'spec'],
    ['/spec/groups/0/services/12/name', 'spec.groups[0].services[12].name'],
    ['/metadata/labels/akash.network~1namespace', 'metadata.labels["akash.network/namespace"]'],
  ])('%s → %s', (pointer, path) => {
    expect(pointerToPath(pointer)).toBe(path);
  });
});

describe('Secret references', () => {
  const withRef = (namespace: string) => {
    const s = exampleService();
    s.spec.credentialsSecretRef = { namespace, name: 'regcred' };
    return schemaIssues(Service, s).map((i) => `${i.path}: ${i.message}`);
  };
  it('take any namespace name, also one that starts with a digit (as lease namespaces do)', () => {
    expect(withRef('0jlo9qo71933mu1vcndr7c6hnb8usl92dndcmp4iic3ee')).toEqual([]);
    expect(withRef('akash-operator')).toEqual([]);
  });
  it('refuse what no namespace can be called', () => {
    expect(withRef('Akash_Operator')).toEqual([expect.stringMatching(/^spec\.credentialsSecretRef\.namespace: /)]);
    expect(withRef('-leading-dash')).toHaveLength(1);
  });
});
