/**
 * Manifest intake (PUT /deployment/{dseq}/manifest), pure: the body as Go decodes it → the
 * Go-canonical bytes and their hash → the tenant's active leases of that deployment → hash equal to
 * each lease's deployment hash (the chain's) → Go's manifest rules → the Manifest CR, with registry
 * credentials split into Secrets of the operator namespace. The store then writes what this returns.
 *
 * Credentials appear only in those Secrets' data (and in the canonical-bytes Secret, which must
 * hash to the chain's value): never in the CR, a response, a log line or an error message.
 */
import { createHash } from 'node:crypto';
import { canonicalizeWireManifest, type CanonicalManifest } from '../akash/canonical.ts';
import { manifestCrSpec } from '../akash/crSpec.ts';
import { ValidationError } from '../akash/errors.ts';
import { validateManifest as goManifestProblems } from '../akash/manifestValidate.ts';
import { API_VERSION } from '../api/common.ts';
import { MANIFEST_KIND, ManifestSpec, manifestName } from '../api/manifest.ts';
import { schemaIssues } from '../api/validate.ts';
import { formatIssues, manifestIssues } from '../controllers/manifest/validate.ts';
import type { ProviderPolicy } from '../workloads/policy.ts';
import { badRequest, forbidden, notFound, unprocessable } from './errors.ts';
import type { HostnameHolder, LeaseObject, ManifestObject, ManifestWrite, SecretObject } from './store.ts';

/** Labels of the gateway's Secrets (no `akash.network=true`: they are not children of a lease). */
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** A hash of the Manifest CR name (which may exceed the 63 characters of a label value). */
export const LABEL_MANIFEST = 'provider.akash.network/manifest';
const LABEL_OWNER = 'akash.network/lease.id.owner';
const LABEL_DSEQ = 'akash.network/lease.id.dseq';

/** Keys of the canonical-bytes Secret. */
export const CANONICAL_KEY = 'manifest.json';
export const CANONICAL_HASH_KEY = 'hash';

const hex = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The Secret of one service's registry credentials (group names are free text: hashed). */
export function credentialsSecretName(owner: string, dseq: string, group: string, service: string): string {
  return `creds-${owner}-${dseq}-${service}-${hex(group, 10)}`;
}

/** The Secret with the Go-canonical bytes that hash to the chain's value (for re-checks and peers). */
export const canonicalSecretName = (owner: string, dseq: string): string => `manifest-${owner}-${dseq}`;

export function manifestSecretSelector(owner: string, dseq: string): string {
  return `${LABEL_MANIFEST}=${hex(manifestName(owner, dseq), 40)}`;
}

function secretLabels(owner: string, dseq: string, component: string): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_MANAGED_BY]: 'akash-operator',
    [LABEL_COMPONENT]: component,
    [LABEL_MANIFEST]: hex(manifestName(owner, dseq), 40),
    [LABEL_DSEQ]: dseq,
  };
  if (owner.length <= 63) labels[LABEL_OWNER] = owner;
  return labels;
}

/**
 * The tenant's active leases of `dseq` with this provider. None of its own but another owner's →
 * 403 (the deployment is not the caller's); none at all → 404.
 */
export function activeLeasesOf(leases: readonly LeaseObject[], owner: string, dseq: string, provider: string): LeaseObject[] {
  const ours = leases.filter((l) => l.spec.id.dseq === dseq && l.spec.id.provider === provider);
  const own = ours.filter((l) => l.spec.id.owner === owner);
  if (own.length === 0) {
    if (ours.length > 0) throw forbidden('not_owner', `deployment ${dseq} is not owned by ${owner}`);
    throw notFound('lease_not_found', `no lease of deployment ${dseq} owned by ${owner} with provider ${provider}`);
  }
  const active = own.filter((l) => l.spec.state === 'active');
  if (active.length === 0) {
    const states = [...new Set(own.map((l) => l.spec.state))].join(', ');
    throw notFound('lease_not_found', `no active lease of deployment ${dseq} owned by ${owner} (its leases are ${states})`);
  }
  return active;
}

function decode(body: Uint8Array): CanonicalManifest {
  try {
    return canonicalizeWireManifest(body);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // Syntax is the client's JSON; anything else (types, ranges) is the manifest's content.
    if (e.problems.every((p) => p.rule === 'json-syntax')) throw badRequest('malformed_json', `the manifest is not valid JSON: ${e.message}`);
    throw unprocessable('manifest_invalid', `the manifest cannot be decoded: ${e.message}`);
  }
}

export interface IntakeInput {
  body: Uint8Array;
  /** The authenticated owner (the token's issuer). */
  owner: string;
  dseq: string;
  provider: string;
  /** `GatewayStore.leasesOfDeployment(dseq)`. */
  leases: readonly LeaseObject[];
  operatorNamespace: string;
  /** When given, manifests this provider's policy would refuse are refused now, not after the write. */
  policy?: ProviderPolicy;
}

export interface IntakePlan extends ManifestWrite {
  hash: string;
  /** Names of the leases the manifest is for. */
  leases: string[];
  /** The hostnames the groups of those leases accept (what this provider would route). */
  hosts: string[];
}

/** What to write for an accepted manifest; throws HttpError (4xx) naming the problem. */
export function planManifest(input: IntakeInput): IntakePlan {
  const { owner, dseq, operatorNamespace } = input;
  const decoded = decode(input.body);
  const leases = activeLeasesOf(input.leases, owner, dseq, input.provider);

  for (const l of leases) {
    if (l.spec.deploymentHash !== decoded.hash) {
      throw unprocessable(
        'manifest_hash_mismatch',
        `manifest version validation failed: the manifest hashes to ${decoded.hash}, but lease ${l.metadata.name ?? ''} expects ${l.spec.deploymentHash} (the deployment hash on chain)`,
      );
    }
  }
  const problems = goManifestProblems(decoded.manifest);
  if (problems.length > 0) throw unprocessable('manifest_invalid', `the manifest is invalid: ${new ValidationError(problems).message}`);
  const groups = decoded.manifest ?? [];
  for (const l of leases) {
    if (l.spec.id.gseq > groups.length) {
      throw unprocessable('manifest_invalid', `the manifest has ${groups.length} group(s), but lease ${l.metadata.name ?? ''} is for group sequence ${l.spec.id.gseq}`);
    }
  }

  let built;
  try {
    built = manifestCrSpec(decoded.manifest, {
      owner,
      dseq,
      hash: decoded.hash,
      credentialsSecret: (group, service) => ({ namespace: operatorNamespace, name: credentialsSecretName(owner, dseq, group, service) }),
    });
  } catch (e) {
    if (e instanceof ValidationError) throw unprocessable('manifest_invalid', `the manifest cannot be stored: ${e.message}`);
    throw e;
  }
  const manifest: ManifestObject = { apiVersion: API_VERSION, kind: MANIFEST_KIND, metadata: { name: manifestName(owner, dseq) }, spec: built.spec };
  const issues = schemaIssues(ManifestSpec, built.spec, 'spec');
  if (issues.length > 0) throw unprocessable('manifest_invalid', `the manifest is invalid: ${formatIssues(issues)}`);
  if (input.policy) {
    const refused = manifestIssues({ metadata: { name: manifest.metadata.name ?? '' }, spec: built.spec }, input.policy);
    if (refused.length > 0) throw unprocessable('manifest_refused', `this provider does not accept the manifest: ${formatIssues(refused)}`);
  }

  const secrets: SecretObject[] = built.credentials.map((c) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: c.ref.name, namespace: c.ref.namespace, labels: secretLabels(owner, dseq, 'registry-credentials') },
    type: 'Opaque',
    data: { host: b64(c.data.host), username: b64(c.data.username), password: b64(c.data.password), email: b64(c.data.email) },
  }));
  secrets.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: canonicalSecretName(owner, dseq), namespace: operatorNamespace, labels: secretLabels(owner, dseq, 'manifest-canonical') },
    type: 'Opaque',
    data: { [CANONICAL_KEY]: b64(decoded.canonical), [CANONICAL_HASH_KEY]: b64(decoded.hash) },
  });
  const hosts = new Set<string>();
  for (const l of leases) for (const s of built.spec.groups[l.spec.id.gseq - 1]?.services ?? []) for (const e of s.expose ?? []) for (const h of e.hosts ?? []) hosts.add(h);
  return { manifest, secrets, secretSelector: manifestSecretSelector(owner, dseq), hash: decoded.hash, leases: leases.map((l) => l.metadata.name ?? ''), hosts: [...hosts].sort() };
}

/**
 * Hosts of the plan that another deployment holds on this provider (any lease of the same
 * deployment may hold them: its groups share the manifest). As the Go provider does, the manifest
 * is refused at once, instead of accepted and then not routed.
 */
export function takenHostnames(plan: Pick<IntakePlan, 'hosts'>, owner: string, dseq: string, holders: ReadonlyMap<string, HostnameHolder>): string[] {
  return plan.hosts.filter((h) => {
    const holder = holders.get(h);
    return holder !== undefined && (holder.owner !== owner || holder.dseq !== dseq);
  });
}
