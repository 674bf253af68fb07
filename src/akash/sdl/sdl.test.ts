import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateManifest, generateManifestVersion, manifestToSortedJSON } from '@akashnetwork/chain-sdk';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { canonicalizeWireManifest } from '../canonical.ts';
import { ValidationError } from '../errors.ts';
import { groupSpecsJson, sdlToManifest } from './sdl.ts';

const testdata = new URL('../testdata/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, testdata), 'utf8');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface GoSdlResult {
  name: string;
  error?: string;
  panic?: string;
  manifest?: string;
  version?: string;
  groupSpecs?: string;
  manifestSha256?: string;
  groupSpecsSha256?: string;
  checkError?: string;
}

/**
 * SDLs Go accepts and we refuse because the `yaml` package is stricter than libyaml (yaml.v3):
 * wordpress continues a single-quoted scalar on a line indented like its sequence entry.
 */
const KNOWN_YAML_PARSER_DIVERGENCES = ['awesome-akash/wordpress/deploy.yaml'];

function compare(g: GoSdlResult): void {
  let ours: ReturnType<typeof sdlToManifest> | undefined;
  let err: unknown;
  try {
    ours = sdlToManifest(read(g.name));
  } catch (e) {
    err = e;
  }
  const goRefused = g.error !== undefined || g.panic !== undefined;
  if (goRefused || KNOWN_YAML_PARSER_DIVERGENCES.includes(g.name)) {
    expect(err, `${g.name}: Go says ${g.error ?? g.panic}`).toBeInstanceOf(ValidationError);
    if (!goRefused) expect((err as ValidationError).problems[0]!.rule).toBe('yaml-syntax');
    return;
  }
  if (err !== undefined) throw err;
  expect(ours!.hash).toBe(g.version);
  if (g.manifest !== undefined) {
    expect(ours!.canonical).toBe(g.manifest);
    expect(groupSpecsJson(ours!.groupSpecs)).toBe(g.groupSpecs);
  } else {
    expect(sha256(ours!.canonical)).toBe(g.manifestSha256);
    expect(sha256(groupSpecsJson(ours!.groupSpecs))).toBe(g.groupSpecsSha256);
  }
}

describe('SDL → manifest, group specs and hash, against Go (fixtures and edge cases)', () => {
  const vectors = JSON.parse(read('go-sdl-vectors.json')) as GoSdlResult[];
  it('covers the Go fixtures and our edge cases, accepted and refused', () => {
    expect(vectors.filter((v) => v.name.startsWith('sdl-go-fixtures/')).length).toBe(15);
    expect(vectors.filter((v) => v.error === undefined && v.panic === undefined).length).toBeGreaterThan(40);
    expect(vectors.filter((v) => v.error !== undefined || v.panic !== undefined).length).toBeGreaterThan(40);
  });
  for (const g of vectors) it(g.name, () => compare(g));
});

describe('SDL → manifest against Go on 173 real SDLs (awesome-akash)', () => {
  const vectors = JSON.parse(read('go-awesome-akash-vectors.json')) as GoSdlResult[];
  it('has the corpus: Go accepts 161 and refuses 12', () => {
    expect(vectors.length).toBe(173);
    expect(vectors.filter((v) => v.error !== undefined || v.panic !== undefined).length).toBe(12);
  });
  for (const g of vectors) it(g.name, () => compare(g));
});

describe('TEE (params.tee) is supported as Go does it', () => {
  it('projects the tee type into the group spec and the manifest', () => {
    const r = sdlToManifest(read('sdl-go-fixtures/input/v2.1/tee-cpu-gpu/input.yaml'));
    expect(r.manifest[0]!.services![0]!.params!.tee).toEqual({ type: 'cpu-gpu', attestation: true });
    expect(r.groupSpecs[0]!.requirements.attributes).toContainEqual({ key: 'tee/type', value: 'cpu-gpu' });
  });

  it('refuses an unknown tee type naming params.tee', () => {
    const text = read('sdl-edge-cases/tee-bogus.yaml');
    expect(() => sdlToManifest(text)).toThrow(/services\.web\.params\.tee: unsupported tee type "bogus"/);
  });
});

describe('SDL problems name the YAML path, the rule and the line', () => {
  const problemOf = (text: string): ValidationError['problems'][number] => {
    try {
      sdlToManifest(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).problems[0]!;
    }
    return expect.unreachable();
  };

  it('a port that is a string', () => {
    expect(problemOf(read('sdl-edge-cases/port-quoted-string.yaml'))).toEqual({
      path: 'services.web.expose[0].port',
      rule: 'sdl-type',
      message: 'cannot decode !!str `80` into uint32',
      line: 6,
    });
  });

  it('a memory size with a unit Go does not know', () => {
    expect(problemOf(read('sdl-edge-cases/memory-lowercase-unit.yaml'))).toMatchObject({ path: 'profiles.compute.web.resources.memory.size', rule: 'sdl-quantity', line: 15 });
  });

  it('a deployment naming a missing profile', () => {
    expect(problemOf(read('sdl-edge-cases/missing-profile.yaml'))).toMatchObject({ path: 'deployment.web.dc.profile', rule: 'sdl-unknown-profile' });
  });

  it('a YAML syntax error', () => {
    expect(problemOf('version: "2.0"\nservices: [\n')).toMatchObject({ rule: 'yaml-syntax', line: 3 });
  });

  it('an alias bomb is refused quickly', () => {
    const text = read('sdl-edge-cases/alias-bomb.yaml');
    sdlToManifest(read('sdl-edge-cases/base-2.1.yaml')); // warm up the code paths
    const t0 = performance.now();
    expect(problemOf(text)).toMatchObject({ rule: 'yaml-alias-limit' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('manifests made by the official TS SDK (Akash Console) hash the same through our received-manifest path', () => {
  const vectors = JSON.parse(read('go-awesome-akash-vectors.json')) as GoSdlResult[];
  it('for every real SDL the SDK accepts', async () => {
    let checked = 0;
    for (const g of vectors) {
      let sdl: unknown;
      try {
        sdl = parse(read(g.name));
      } catch {
        continue;
      }
      const r = generateManifest(sdl as Parameters<typeof generateManifest>[0]);
      if (r.ok !== true) continue;
      const wire = manifestToSortedJSON(r.value.groups);
      const sdkVersion = Buffer.from(await generateManifestVersion(r.value.groups)).toString('hex');
      expect(canonicalizeWireManifest(wire).hash, g.name).toBe(sdkVersion);
      checked++;
    }
    expect(checked).toBeGreaterThan(140);
  });
});
