import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { groupSpecsFrom } from './groupSpec.ts';
import { assertManifestAcceptable, checkManifestAgainstGroupSpecs, isEnvVarName, isValidHostname, validateManifest } from './manifestValidate.ts';
import { decodeWireManifest } from './wireManifest.ts';

interface Vector {
  name: string;
  wire?: string;
  wireBase64?: string;
  decodeError?: string;
  validateError: string;
  groupSpecs?: unknown[];
  checkError?: string;
  panic?: string;
}

const vectors = JSON.parse(readFileSync(new URL('./testdata/go-manifest-vectors.json', import.meta.url), 'utf8')) as Vector[];
const wireOf = (v: Vector): Uint8Array => (v.wireBase64 !== undefined ? Buffer.from(v.wireBase64, 'base64') : Buffer.from(v.wire ?? '', 'utf8'));

describe('Manifest.Validate(), accepting exactly what Go accepts', () => {
  for (const v of vectors.filter((x) => x.decodeError === undefined)) {
    it(v.name, () => {
      const problems = validateManifest(decodeWireManifest(wireOf(v)));
      if (v.validateError === '') expect(problems).toEqual([]);
      else expect(problems.length).toBeGreaterThan(0);
    });
  }
});

describe('Manifest.CheckAgainstGSpecs(), accepting exactly what Go accepts', () => {
  const checked = vectors.filter((x) => x.groupSpecs !== undefined);
  it('has check vectors, some refused and some where Go panics', () => {
    expect(checked.length).toBeGreaterThan(30);
    expect(checked.some((x) => x.panic !== undefined)).toBe(true);
  });
  for (const v of checked) {
    it(v.name, () => {
      const problems = checkManifestAgainstGroupSpecs(decodeWireManifest(wireOf(v)), groupSpecsFrom(v.groupSpecs!));
      // A Go panic is a refusal for us (with a problem), never an acceptance.
      if (v.checkError === '' && v.panic === undefined) expect(problems).toEqual([]);
      else expect(problems.length).toBeGreaterThan(0);
    });
  }
});

describe('problems name the JSON path and the rule', () => {
  const manifest = (expose: string): string =>
    `[{"name":"g","services":[{"name":"web","image":"nginx","resources":{"id":1,"cpu":{"units":{"val":"100"}},"gpu":{"units":{"val":"0"}},` +
    `"memory":{"size":{"val":"1"}},"storage":[],"endpoints":[]},"count":1,"expose":[${expose}]}]}]`;

  it('reports a port out of range with its path', () => {
    const problems = validateManifest(decodeWireManifest(manifest('{"port":0,"proto":"TCP","global":true}')));
    expect(problems).toContainEqual({ path: 'groups[0].services[0].expose[0].port', rule: 'port-range', message: 'must be 1..65535, got 0' });
  });

  it('reports every problem at once', () => {
    const problems = validateManifest(decodeWireManifest(manifest('{"port":70000,"proto":"SCTP","global":false,"hosts":["Bad_Host"]}')));
    expect(problems.map((p) => p.rule).sort()).toEqual(['hostname', 'no-global-service', 'port-range', 'proto']);
  });

  it('throws a ValidationError whose message starts with the path', () => {
    expect(() => assertManifestAcceptable(decodeWireManifest('[]'))).toThrow(ValidationError);
    expect(() => assertManifestAcceptable(decodeWireManifest('[]'))).toThrow(/^groups: must contain at least one group/);
  });
});

describe('k8s name rules', () => {
  it.each([
    ['A', true],
    ['my.env-name', true],
    ['_x', true],
    ['1A', false],
    ['.', false],
    ['..', false],
    ['..x', false],
    ['a b', false],
    ['', false],
  ])('env name %j → %s', (name, ok) => expect(isEnvVarName(name)).toBe(ok));

  it.each([
    ['example.com', true],
    ['a', true],
    ['-a.com', false],
    ['A.com', false],
    ['a..b', false],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, true],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false],
  ])('hostname %s → %s', (host, ok) => expect(isValidHostname(host)).toBe(ok));
});
