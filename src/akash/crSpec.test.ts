import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../api/common.ts';
import { EXAMPLE_LEASE_ID } from '../api/examples.ts';
import { manifestName } from '../api/manifest.ts';
import { validateManifest as validateManifestCr, validateService as validateServiceCr } from '../api/validate.ts';
import { DEFAULT_PROVIDER_POLICY } from '../workloads/policy.ts';
import { buildServiceCR } from '../workloads/service-cr.ts';
import { canonicalizeWireManifest } from './canonical.ts';
import { ValidationError } from './errors.ts';
import { manifestCrSpec } from './crSpec.ts';
import { validateManifest } from './manifestValidate.ts';

const fixtures = new URL('./testdata/sdl-go-fixtures/output-fixtures/', import.meta.url);
const OPERATOR_NS = 'akash-services';
const input = (hash: string) => ({
  owner: EXAMPLE_LEASE_ID.owner,
  dseq: EXAMPLE_LEASE_ID.dseq,
  hash,
  credentialsSecret: (group: string, service: string) => ({ namespace: OPERATOR_NS, name: `creds-${group}-${service}` }),
});

const cases = ['v2.0', 'v2.1'].flatMap((v) => readdirSync(new URL(`${v}/`, fixtures)).map((name) => `${v}/${name}`));

describe('manifest → Manifest CR spec and Service CR specs', () => {
  for (const name of cases.filter((c) => !c.includes('tee'))) {
    it(`${name}: a valid Manifest CR, Service CRs, no password in any CR`, () => {
      const wire = readFileSync(new URL(`${name}/manifest.json`, fixtures));
      const { manifest, hash } = canonicalizeWireManifest(wire);
      expect(validateManifest(manifest)).toEqual([]);
      const { spec, credentials } = manifestCrSpec(manifest, input(hash));
      const cr = { apiVersion: API_VERSION, kind: 'Manifest', metadata: { name: manifestName(spec.owner, spec.dseq) }, spec };
      expect(() => validateManifestCr(cr)).not.toThrow();
      for (const group of spec.groups) {
        for (const svc of group.services) {
          const serviceCr = buildServiceCR(EXAMPLE_LEASE_ID, svc, DEFAULT_PROVIDER_POLICY);
          expect(() => validateServiceCr(serviceCr)).not.toThrow();
          for (const c of credentials) expect(JSON.stringify(serviceCr)).not.toContain(c.data.password);
        }
      }
      for (const c of credentials) expect(JSON.stringify(spec)).not.toContain(c.data.password);
    });
  }

  it('turns registry credentials into a Secret reference and Secret data', () => {
    const { manifest, hash } = canonicalizeWireManifest(readFileSync(new URL('v2.1/credentials/manifest.json', fixtures)));
    const { spec, credentials } = manifestCrSpec(manifest, input(hash));
    const svc = spec.groups[0]!.services[0]!;
    expect(svc.credentialsSecretRef).toEqual({ namespace: OPERATOR_NS, name: `creds-${spec.groups[0]!.name}-${svc.name}` });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.data.password.length).toBeGreaterThan(0);
    expect(credentials[0]!.ref).toEqual(svc.credentialsSecretRef);
  });

  it('keeps nil lists absent and empty lists empty', () => {
    const wire = JSON.parse(readFileSync(new URL('v2.0/simple/manifest.json', fixtures), 'utf8')) as Array<{ services: Array<Record<string, unknown>> }>;
    wire[0]!.services[0]!.args = [];
    const { manifest, hash } = canonicalizeWireManifest(JSON.stringify(wire));
    const svc = manifestCrSpec(manifest, input(hash)).spec.groups[0]!.services[0]!;
    expect(svc.args).toEqual([]);
    expect('command' in svc).toBe(false);
  });

  it('refuses params.tee, naming it', () => {
    const { manifest, hash } = canonicalizeWireManifest(readFileSync(new URL('v2.1/tee-cpu/manifest.json', fixtures)));
    expect(() => manifestCrSpec(manifest, input(hash))).toThrow(ValidationError);
    expect(() => manifestCrSpec(manifest, input(hash))).toThrow(/groups\[0\]\.services\[0\]\.params\.tee/);
  });
});
