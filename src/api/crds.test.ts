import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCrds } from './crds.ts';
import { generatedCrds, renderCrdFiles } from './crd-files.ts';
import { CRDS_DIR } from './generate.ts';

/** Keywords of apiextensions.k8s.io/v1 JSONSchemaProps that our CRDs may use. */
const ALLOWED = new Set([
  'type',
  'description',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'nullable',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
]);
const VALUE_ONLY_FORBIDDEN = ['type', 'description', 'default', 'additionalProperties', 'nullable'];

/** The structural-schema rules (reference/operator-runtime.md §5.1), one violation per line. */
function structuralViolations(node: Record<string, unknown>, path: string, insideJunctor = false): string[] {
  const out: string[] = [];
  for (const key of Object.keys(node)) {
    if (!ALLOWED.has(key)) out.push(`${path}: keyword '${key}' is not allowed`);
  }
  if (insideJunctor) {
    for (const key of VALUE_ONLY_FORBIDDEN) if (key in node) out.push(`${path}: '${key}' inside anyOf/oneOf/allOf/not`);
  } else if (node.type === undefined && !node['x-kubernetes-preserve-unknown-fields'] && !node['x-kubernetes-int-or-string']) {
    out.push(`${path}: no type`);
  }
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    out.push(`${path}: properties and additionalProperties are mutually exclusive`);
  }
  if (node['x-kubernetes-list-type'] === 'map') {
    const items = node.items as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const key of (node['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) {
      if (!items?.properties?.[key] || !items.required?.includes(key)) out.push(`${path}: list-map key '${key}' must be a required property`);
    }
  }
  if (node.required !== undefined) {
    for (const key of node.required as string[]) {
      if (!(node.properties as Record<string, unknown> | undefined)?.[key]) out.push(`${path}: required '${key}' is not a property`);
    }
  }
  if (node.type === 'array' && (typeof node.items !== 'object' || Array.isArray(node.items))) out.push(`${path}: array without one items schema`);
  if (node.type === 'object' && node.properties === undefined && node.additionalProperties === undefined && path !== 'metadata' && !path.endsWith('.metadata')) {
    if (!node['x-kubernetes-preserve-unknown-fields']) out.push(`${path}: object without properties (would be pruned empty)`);
  }
  if (node['x-kubernetes-preserve-unknown-fields'] !== undefined) out.push(`${path}: x-kubernetes-preserve-unknown-fields is not deliberate anywhere in our kinds`);
  for (const [name, child] of Object.entries((node.properties as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    out.push(...structuralViolations(child, path === '' ? name : `${path}.${name}`, insideJunctor));
  }
  if (typeof node.items === 'object' && node.items !== null) out.push(...structuralViolations(node.items as Record<string, unknown>, `${path}[]`, insideJunctor));
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
    out.push(...structuralViolations(node.additionalProperties as Record<string, unknown>, `${path}{}`, insideJunctor));
  }
  for (const junctor of ['anyOf', 'oneOf', 'allOf']) {
    for (const [i, child] of ((node[junctor] as Record<string, unknown>[] | undefined) ?? []).entries()) {
      out.push(...structuralViolations(child, `${path}.${junctor}[${i}]`, true));
    }
  }
  if (typeof node.not === 'object' && node.not !== null) out.push(...structuralViolations(node.not as Record<string, unknown>, `${path}.not`, true));
  return out;
}

describe('CRDs', () => {
  const crds = buildCrds();

  it('crds/ holds exactly what the schemas generate', () => {
    for (const [name, text] of renderCrdFiles()) {
      const file = new URL(name, CRDS_DIR);
      const hint = `crds/${name} is stale or missing: run \`node src/api/generate.ts\` and commit crds/`;
      expect(existsSync(file), hint).toBe(true);
      expect(readFileSync(file, 'utf8'), hint).toBe(text);
    }
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))('%s has a structural schema', (_name, crd) => {
    for (const version of crd.spec.versions) {
      expect(structuralViolations(version.schema.openAPIV3Schema as unknown as Record<string, unknown>, '')).toEqual([]);
    }
  });

  it('the walker catches what the API server would refuse', () => {
    const bad = {
      type: 'object',
      properties: {
        a: { anyOf: [{ type: 'string', const: 'x' }] },
        b: { type: 'object', properties: { c: { type: 'string' } }, additionalProperties: { type: 'string' } },
        d: { $ref: '#/definitions/x' },
        e: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } },
        f: { type: 'string', exclusiveMinimum: 1 },
      },
    };
    const v = structuralViolations(bad, '');
    expect(v).toEqual(
      expect.arrayContaining([
        'a: no type',
        "a.anyOf[0]: keyword 'const' is not allowed",
        "a.anyOf[0]: 'type' inside anyOf/oneOf/allOf/not",
        'b: properties and additionalProperties are mutually exclusive',
        "d: keyword '$ref' is not allowed",
        "e: keyword 'patternProperties' is not allowed",
        "f: keyword 'exclusiveMinimum' is not allowed",
      ]),
    );
  });

  it('names, scopes, short names and category', () => {
    const byName = Object.fromEntries(crds.map((c) => [c.metadata.name, c.spec]));
    expect(Object.keys(byName)).toEqual([
      'leases.provider.akash.network',
      'manifests.provider.akash.network',
      'services.provider.akash.network',
      'tenantroles.provider.akash.network',
      'tenantrolebindings.provider.akash.network',
      'hostnameclaims.provider.akash.network',
    ]);
    expect(byName['leases.provider.akash.network']).toMatchObject({ scope: 'Cluster', names: { kind: 'Lease', shortNames: ['alease'], categories: ['akash'] } });
    expect(byName['manifests.provider.akash.network']).toMatchObject({ scope: 'Cluster', names: { kind: 'Manifest', shortNames: ['mani'], categories: ['akash'] } });
    expect(byName['services.provider.akash.network']).toMatchObject({ scope: 'Namespaced', names: { kind: 'Service', shortNames: ['asvc'], categories: ['akash'] } });
    expect(byName['tenantroles.provider.akash.network']).toMatchObject({ scope: 'Namespaced', names: { kind: 'TenantRole', shortNames: ['trole'], categories: ['akash'] } });
    expect(byName['tenantrolebindings.provider.akash.network']).toMatchObject({ scope: 'Namespaced', names: { kind: 'TenantRoleBinding', shortNames: ['trb'], categories: ['akash'] } });
    expect(byName['hostnameclaims.provider.akash.network']).toMatchObject({ scope: 'Cluster', names: { kind: 'HostnameClaim', shortNames: ['ahost'], categories: ['akash'] } });
  });

  it('status subresource on all, scale on Service at spec.count', () => {
    for (const crd of crds) {
      const v = crd.spec.versions[0]!;
      expect(v.subresources.status).toEqual({});
      expect(v.served && v.storage).toBe(true);
      if (crd.spec.names.kind === 'Service') {
        expect(v.subresources.scale).toEqual({ specReplicasPath: '.spec.count', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
        const props = v.schema.openAPIV3Schema.properties!;
        expect(props.spec!.properties!.count!.type).toBe('integer');
        expect(props.status!.properties!.replicas!.type).toBe('integer');
        expect(props.status!.properties!.selector!.type).toBe('string');
      } else {
        expect(v.subresources.scale).toBeUndefined();
      }
    }
  });

  it('printer columns point at fields the schema has', () => {
    for (const crd of crds) {
      const v = crd.spec.versions[0]!;
      for (const col of v.additionalPrinterColumns) {
        if (col.jsonPath.startsWith('.metadata.')) continue;
        let node = v.schema.openAPIV3Schema;
        for (const part of col.jsonPath.replace(/\[\?.*$/, '').split('.').slice(1)) {
          const next = node.properties?.[part];
          expect(next, `${crd.metadata.name} column ${col.name}: ${col.jsonPath}`).toBeDefined();
          node = next!;
        }
      }
    }
    const columns = (kind: string) => crds.find((c) => c.spec.names.kind === kind)!.spec.versions[0]!.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name);
    expect(columns('Lease')).toEqual(['Owner', 'DSeq', 'Phase', 'Services', 'Age']);
    expect(columns('Service')).toEqual(['Ready', 'URIs', 'Age']);
  });

  it('bounds reach the CRD so the API server refuses bad values', () => {
    const service = crds.find((c) => c.spec.names.kind === 'Service')!.spec.versions[0]!.schema.openAPIV3Schema;
    const expose = service.properties!.spec!.properties!.expose!.items!.properties!;
    expect(expose.port).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(expose.proto).toMatchObject({ type: 'string', enum: ['TCP', 'UDP'] });
    expect(service.properties!.spec!.properties!.count).toMatchObject({ minimum: 0 });
    const lease = crds.find((c) => c.spec.names.kind === 'Lease')!.spec.versions[0]!.schema.openAPIV3Schema;
    expect(lease.properties!.spec!.properties!.deploymentHash).toMatchObject({ pattern: '^[0-9a-f]{64}$' });
    expect(lease.properties!.spec!.properties!.id!.properties!.dseq).toMatchObject({ type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' });
  });

  it('crds/ files parse back to exactly the built objects, with their schema digest', () => {
    const files = renderCrdFiles();
    const generated = generatedCrds();
    expect(generated.map((c) => ({ ...c, metadata: { ...c.metadata, annotations: undefined } }))).toEqual(crds.map((c) => ({ ...c, metadata: { ...c.metadata, annotations: undefined } })));
    for (const crd of generated) expect(parse(files.get(`${crd.metadata.name}.yaml`) ?? '')).toEqual(crd);
  });

  it('lease identity is immutable (CEL)', () => {
    const lease = crds.find((c) => c.spec.names.kind === 'Lease')!.spec.versions[0]!.schema.openAPIV3Schema;
    expect(lease.properties!.spec!.properties!.id!['x-kubernetes-validations']).toEqual([{ rule: 'self == oldSelf', message: 'is immutable' }]);
    const manifest = crds.find((c) => c.spec.names.kind === 'Manifest')!.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!.properties!;
    expect(manifest.owner!['x-kubernetes-validations']).toHaveLength(1);
    expect(manifest.dseq!['x-kubernetes-validations']).toHaveLength(1);
  });

  it('no CR field can hold a registry password', () => {
    const text = [...renderCrdFiles().values()].join('\n');
    expect(text).not.toMatch(/^\s*password:/m);
  });
});
