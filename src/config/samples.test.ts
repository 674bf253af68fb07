/** The samples a cluster admin applies must be what they claim: valid, consistent, hashed as Akash does. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalizeWireManifest } from '../akash/canonical.ts';
import { leaseNamespace } from '../akash/namespace.ts';
import { validateLease, validateManifest } from '../api/validate.ts';
import { manifestName } from '../api/manifest.ts';

const read = (f: string) => parse(fs.readFileSync(new URL(`../../config/samples/${f}`, import.meta.url), 'utf8'));

describe('config/samples', () => {
  const lease = read('lease.yaml');
  const manifest = read('manifest.yaml');

  it('are valid CRs that belong together', () => {
    expect(() => validateLease(lease)).not.toThrow();
    expect(() => validateManifest(manifest)).not.toThrow();
    expect(lease.metadata.name).toBe(leaseNamespace(lease.spec.id));
    expect(manifest.metadata.name).toBe(manifestName(lease.spec.id.owner, lease.spec.id.dseq));
    expect(lease.spec.deploymentHash).toBe(manifest.spec.hash);
  });

  it('carry the Akash version hash of the manifest groups', () => {
    expect(canonicalizeWireManifest(JSON.stringify(manifest.spec.groups)).hash).toBe(manifest.spec.hash);
  });
});
