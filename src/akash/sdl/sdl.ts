/**
 * SDL (deploy.yaml, versions 2.0 and 2.1) → manifest + deployment group specs + version hash,
 * exactly as Akash's Go SDL package computes them (`sdl.Read`, `Manifest()`, `DeploymentGroups()`,
 * `Version()`), so `sdl hash` gives the hash the Go CLI puts on chain.
 *
 * Why not the official TypeScript SDK (`@akashnetwork/chain-sdk` generateManifest): on the 160
 * awesome-akash SDLs Go accepts (and the `yaml` package parses), it produces a different manifest for
 * 26 (GPU attributes, storage volumes and endpoints in another order) and refuses 21 (its JSON schema
 * rejects fields Go ignores; `params.tee`), writes `storage: []` where Go writes null, and leaves
 * U+2028/U+2029 unescaped. Those differences change the hash, so this is a port of the Go code (see
 * ../README.md); the SDK stays a reference in the tests.
 */
import { canonicalManifestJson, sha256Hex } from '../canonical.ts';
import { type GroupSpec, canonicalGroupSpecsJson } from '../groupSpec.ts';
import type { Group } from '../manifest.ts';
import { buildSdl } from './sdlBuild.ts';
import { decodeSdl } from './sdlDecode.ts';

export interface SdlManifest {
  /** "2.0" or "2.1" (later 2.x versions are read as 2.1, as Go does) */
  version: '2.0' | '2.1';
  manifest: Group[];
  groupSpecs: GroupSpec[];
  /** Go-canonical manifest JSON: the wire manifest a tenant sends, and what `hash` is computed over */
  canonical: string;
  /** hex SHA-256 of `canonical`: the deployment version the chain records */
  hash: string;
}

/** Reads an SDL as the Go CLI does. Throws a ValidationError (YAML path, rule, line) when Go refuses it. */
export function sdlToManifest(text: string): SdlManifest {
  const sdl = decodeSdl(text);
  const built = buildSdl(sdl);
  const canonical = canonicalManifestJson(built.groups);
  return { version: sdl.version, manifest: built.groups, groupSpecs: built.specs, canonical, hash: sha256Hex(canonical) };
}

/** Go-canonical JSON of an SDL's group specs (what `DeploymentGroups()` marshals to, keys sorted). */
export const groupSpecsJson = (specs: GroupSpec[]): string => canonicalGroupSpecsJson(specs);
