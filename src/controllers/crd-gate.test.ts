import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIGEST_ANNOTATION } from '../api/crds.ts';
import { generatedCrds, renderCrdFiles } from '../api/crd-files.ts';
import { FakeApi } from '../runtime/fake-api.ts';
import { json } from '../runtime/fake-transport.ts';
import { KubeClient, silentLogger } from '../runtime/index.ts';
import { CrdGate, crdProblems, describeProblems, expectedDigests } from './crd-gate.ts';
import { CustomResourceDefinitionRef } from './refs.ts';

const crds = generatedCrds();
const LEASES = 'leases.provider.akash.network';

function cluster(opts: { skip?: string; digest?: Record<string, string | undefined> } = {}): FakeApi {
  const api = new FakeApi();
  for (const crd of crds) {
    if (crd.metadata.name === opts.skip) continue;
    const annotations = { ...crd.metadata.annotations };
    if (opts.digest && crd.metadata.name in opts.digest) {
      const d = opts.digest[crd.metadata.name];
      if (d === undefined) delete annotations[SCHEMA_DIGEST_ANNOTATION];
      else annotations[SCHEMA_DIGEST_ANNOTATION] = d;
    }
    api.put(CustomResourceDefinitionRef, { ...crd, metadata: { ...crd.metadata, annotations } });
  }
  return api;
}

function gateOn(api: FakeApi, registry = new Registry()) {
  const lines: { level: string; msg: string }[] = [];
  const log = silentLogger();
  for (const level of ['info', 'warn', 'error'] as const) {
    (log as unknown as Record<string, unknown>)[level] = (a: unknown, b?: string) => lines.push({ level, msg: typeof a === 'string' ? a : (b ?? '') });
  }
  const client = new KubeClient(api.transport, { fieldManager: 'test' });
  return { gate: new CrdGate({ client, log, registry, intervalMs: 5 }), lines, registry };
}

describe('the schema digest', () => {
  it('is on every generated CRD and in the crds/ files, and changes with the schema', () => {
    const digests = expectedDigests();
    expect([...digests.keys()]).toEqual(crds.map((c) => c.metadata.name));
    for (const d of digests.values()) expect(d).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(digests.values()).size).toBe(crds.length);
    for (const [file, text] of renderCrdFiles()) expect(text).toContain(`${SCHEMA_DIGEST_ANNOTATION}: ${digests.get(file.replace(/\.yaml$/, ''))}`);
  });
});

describe('crdProblems', () => {
  const expected = expectedDigests();
  const found = (edit: (m: Map<string, { metadata: { name: string; annotations?: Record<string, string> } } | undefined>) => void) => {
    const m = new Map(crds.map((c) => [c.metadata.name, { metadata: { name: c.metadata.name, annotations: { ...c.metadata.annotations } } }] as [string, { metadata: { name: string; annotations?: Record<string, string> } } | undefined]));
    edit(m);
    return m;
  };

  it('finds nothing when every CRD carries its digest', () => {
    expect(crdProblems(expected, found(() => {}))).toEqual([]);
  });

  it('names a missing CRD, one of another version and one without the annotation', () => {
    const problems = crdProblems(
      expected,
      found((m) => {
        m.set(LEASES, undefined);
        m.get('services.provider.akash.network')!.metadata.annotations![SCHEMA_DIGEST_ANNOTATION] = 'sha256:old';
        m.get('manifests.provider.akash.network')!.metadata.annotations = {};
      }),
    );
    expect(problems).toEqual([
      { name: LEASES, problem: 'missing', expected: expected.get(LEASES) },
      { name: 'manifests.provider.akash.network', problem: 'stale', expected: expected.get('manifests.provider.akash.network') },
      { name: 'services.provider.akash.network', problem: 'stale', installed: 'sha256:old', expected: expected.get('services.provider.akash.network') },
    ]);
    const text = describeProblems(problems);
    expect(text).toContain(`not installed: ${LEASES}`);
    expect(text).toContain(`(annotation ${SCHEMA_DIGEST_ANNOTATION} differs): manifests.provider.akash.network, services.provider.akash.network`);
    expect(text).toContain('kubectl apply --server-side');
  });
});

describe('CrdGate', () => {
  it('passes at once when the CRDs match, reading only our CRDs by name', async () => {
    const api = cluster();
    const { gate, registry } = gateOn(api);
    expect(gate.ready()).toBe(false);
    await gate.wait(new AbortController().signal);
    expect(gate.ready()).toBe(true);
    expect(api.transport.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(crds.map((c) => `GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`).sort());
    expect(await registry.getSingleMetricAsString('akash_operator_crd_schema_current')).toContain(`akash_operator_crd_schema_current{crd="${LEASES}"} 1`);
  });

  it('waits while a CRD is stale, logs why once, and goes on when it is applied', async () => {
    const api = cluster({ digest: { [LEASES]: 'sha256:old' } });
    const { gate, lines, registry } = gateOn(api);
    const done = gate.wait(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 60));
    expect(gate.ready()).toBe(false);
    expect(await registry.getSingleMetricAsString('akash_operator_crd_schema_current')).toContain(`akash_operator_crd_schema_current{crd="${LEASES}"} 0`);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain(`installed from another operator version (annotation ${SCHEMA_DIGEST_ANNOTATION} differs): ${LEASES}`);

    // The admin applies this version's CRDs.
    api.put(CustomResourceDefinitionRef, crds.find((c) => c.metadata.name === LEASES)!);
    await done;
    expect(gate.ready()).toBe(true);
    expect(lines.at(-1)).toEqual({ level: 'info', msg: 'CRDs match this operator version now; going on' });
    expect(await registry.getSingleMetricAsString('akash_operator_crd_schema_current')).toContain(`akash_operator_crd_schema_current{crd="${LEASES}"} 1`);
  });

  it('waits for a CRD that is not installed', async () => {
    const api = cluster({ skip: LEASES });
    const { gate, lines } = gateOn(api);
    const stop = new AbortController();
    const done = gate.wait(stop.signal);
    await new Promise((r) => setTimeout(r, 30));
    expect(gate.ready()).toBe(false);
    expect(lines.find((l) => l.level === 'error')?.msg).toContain(`not installed: ${LEASES}`);
    stop.abort(new Error('stopped'));
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(gate.ready()).toBe(false);
  });

  it('skips the check with a warning when it may not read CRDs (403)', async () => {
    const api = cluster({ digest: { [LEASES]: 'sha256:old' } });
    api.transport.on((req) => (req.path.startsWith('/apis/apiextensions.k8s.io/') ? json(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'customresourcedefinitions is forbidden' }) : undefined));
    const { gate, lines } = gateOn(api);
    await gate.wait(new AbortController().signal);
    expect(gate.ready()).toBe(true);
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('retries through a server error without passing', async () => {
    const api = cluster();
    let failures = 3;
    api.transport.on((req) => (req.path.startsWith('/apis/apiextensions.k8s.io/') && failures-- > 0 ? json(503, { kind: 'Status', code: 503, message: 'unavailable' }) : undefined));
    const { gate, lines } = gateOn(api);
    await gate.wait(new AbortController().signal);
    expect(gate.ready()).toBe(true);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([expect.stringContaining('cannot read our CRDs, retrying')]);
  });
});
