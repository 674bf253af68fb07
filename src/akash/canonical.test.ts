import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalManifestJson, canonicalizeWireManifest, sha256Hex } from './canonical.ts';
import { ValidationError } from './errors.ts';
import { decodeWireManifest, decodeWireManifestSlow } from './wireManifest.ts';

const testdata = new URL('./testdata/', import.meta.url);

interface GoManifestVector {
  name: string;
  wire?: string;
  wireBase64?: string;
  decodeError?: string;
  canonical?: string;
  version?: string;
  validateError: string;
  panic?: string;
}

const vectors = JSON.parse(readFileSync(new URL('go-manifest-vectors.json', testdata), 'utf8')) as GoManifestVector[];
const wireOf = (v: GoManifestVector): Uint8Array =>
  v.wireBase64 !== undefined ? Buffer.from(v.wireBase64, 'base64') : Buffer.from(v.wire ?? '', 'utf8');

describe('wire manifest → Go-canonical bytes → hash, against vectors produced by Go itself', () => {
  it('has the vectors', () => {
    expect(vectors.length).toBeGreaterThan(100);
    expect(vectors.some((v) => v.decodeError !== undefined)).toBe(true);
  });

  for (const v of vectors) {
    it(v.name, () => {
      const wire = wireOf(v);
      if (v.decodeError !== undefined) {
        expect(() => canonicalizeWireManifest(wire)).toThrow(ValidationError);
        expect(() => decodeWireManifestSlow(wire)).toThrow(ValidationError);
        return;
      }
      const got = canonicalizeWireManifest(wire);
      expect(got.canonical).toBe(v.canonical);
      expect(got.hash).toBe(v.version);
      // the slow (Go-semantics) parser alone must agree too
      expect(canonicalManifestJson(decodeWireManifestSlow(wire))).toBe(v.canonical);
    });
  }
});

describe('Go fixtures (pretty-printed Go output)', () => {
  const base = new URL('sdl-go-fixtures/output-fixtures/', testdata);
  for (const version of ['v2.0', 'v2.1']) {
    for (const name of readdirSync(new URL(`${version}/`, base))) {
      it(`${version}/${name} round-trips to Go's own canonical bytes`, () => {
        const pretty = readFileSync(new URL(`${version}/${name}/manifest.json`, base));
        const { canonical, hash } = canonicalizeWireManifest(pretty);
        // the canonical text is itself a wire manifest that decodes to the same bytes
        expect(canonicalizeWireManifest(canonical).canonical).toBe(canonical);
        expect(hash).toBe(sha256Hex(canonical));
        expect(canonical).not.toMatch(/\n|": /);
      });
    }
  }
});

describe('decode errors name the JSON path', () => {
  it('gives the path and the rule of a type error', () => {
    const body = '[{"name":"g","services":[{"name":"web","expose":[{"port":"80"}]}]}]';
    try {
      decodeWireManifest(body);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const [p] = (e as ValidationError).problems;
      expect(p).toMatchObject({ path: 'groups[0].services[0].expose[0].port', rule: 'json-type' });
      expect((e as ValidationError).message).toMatch(/^groups\[0\]\.services\[0\]\.expose\[0\]\.port: /);
    }
  });

  it('gives the byte offset of a syntax error', () => {
    expect(() => decodeWireManifest('[{"name": }]')).toThrow(/json-syntax|invalid JSON at byte 10/);
  });
});
