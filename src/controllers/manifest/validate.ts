/**
 * What a Manifest must satisfy beyond its CRD schema before any lease deploys it. Nothing here is
 * written twice: the schema check is `src/api`'s, the manifest-wide rules are the Go provider's
 * (`src/akash/manifestValidate.ts`), and whether a service can be built is asked of the builders'
 * own planner (`src/workloads/plan.ts`). Only the one rule none of them has (service names unique
 * within a group) lives here. Every issue names its field as a path into the Manifest.
 */
import { validateManifest as goManifestProblems } from '../../akash/manifestValidate.ts';
import type { LeaseId } from '../../api/lease.ts';
import { manifestName, ManifestSpec, type Manifest } from '../../api/manifest.ts';
import { schemaIssues, type SchemaIssue } from '../../api/validate.ts';
import { WorkloadSpecError } from '../../workloads/errors.ts';
import { planService } from '../../workloads/plan.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import { buildServiceCR } from '../../workloads/service-cr.ts';
import { toGoManifest } from './go-form.ts';

/**
 * Go rules that guard the wire form rather than deployability: sort orders feed the manifest hash,
 * "at least one global service" and non-nil resources are the gateway's business with tenants
 * (it checks the wire bytes before a Manifest CR exists). A cluster admin's hand-written Manifest
 * (standalone mode) need not follow them; everything else the Go provider refuses, we refuse too.
 */
const WIRE_ONLY_RULES = new Set(['services-order', 'expose-order', 'no-global-service', 'resources-missing', 'manifest-empty']);

/** Keeps issues in order and drops exact repeats (two validators may find the same thing). */
class Issues {
  readonly list: SchemaIssue[] = [];
  private readonly seen = new Set<string>();
  add(path: string, message: string): void {
    const key = `${path}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ path, message });
  }
}

/** `spec.*` / `metadata.name` of a Service CR → the same field of the manifest service at `base`. */
function manifestPath(base: string, servicePath: string): string {
  if (servicePath === 'metadata.name') return `${base}.name`;
  if (servicePath.startsWith('spec.')) return `${base}.${servicePath.slice('spec.'.length)}`;
  return base;
}

/** Every problem of `manifest`; [] when it can be deployed. Pure. */
export function manifestIssues(manifest: Pick<Manifest, 'metadata' | 'spec'>, policy: ProviderPolicy): readonly SchemaIssue[] {
  // The verdict depends on the name, the spec and the policy only. An informer replaces a cached
  // object on every change and never edits one in place, so the same object under the same policy
  // has the same verdict. Every Lease reconcile judges its manifest again (so that a stale verdict
  // never applies anything); this keeps that from re-running the planner each time (~4 % of the
  // operator's CPU under load).
  const memo = verdicts.get(manifest);
  if (memo?.policy === policy && memo.name === manifest.metadata.name && memo.spec === manifest.spec) return memo.issues;
  const issues = Object.freeze(judgeManifest(manifest, policy));
  verdicts.set(manifest, { policy, name: manifest.metadata.name, spec: manifest.spec, issues });
  return issues;
}

const verdicts = new WeakMap<object, { policy: ProviderPolicy; name: string | undefined; spec: unknown; issues: readonly SchemaIssue[] }>();

function judgeManifest(manifest: Pick<Manifest, 'metadata' | 'spec'>, policy: ProviderPolicy): SchemaIssue[] {
  // The API server enforced the schema already; checked again because the rules below assume its shape.
  const schema = schemaIssues(ManifestSpec, manifest.spec, 'spec');
  if (schema.length > 0) return schema;
  const spec = manifest.spec;
  const issues = new Issues();

  const name = manifestName(spec.owner, spec.dseq);
  if (manifest.metadata.name !== name) {
    issues.add('metadata.name', `must be ${name} (<owner>-<dseq>), the only name a lease looks for, got ${JSON.stringify(manifest.metadata.name)}`);
  }

  for (const p of goManifestProblems(toGoManifest(spec.groups))) {
    if (!WIRE_ONLY_RULES.has(p.rule)) issues.add(`spec.${p.path}`, p.message);
  }

  spec.groups.forEach((group, gi) => {
    const first = new Map<string, number>();
    group.services.forEach((svc, si) => {
      const base = `spec.groups[${gi}].services[${si}]`;
      const seen = first.get(svc.name);
      if (seen !== undefined) issues.add(`${base}.name`, `service ${JSON.stringify(svc.name)} is already defined at spec.groups[${gi}].services[${seen}]`);
      else first.set(svc.name, si);

      // The planner needs a lease id; none of its checks depend on which one (the id only names the
      // namespace in the error's prefix, which is dropped here), so any id of this deployment does.
      const leaseId: LeaseId = { owner: spec.owner, dseq: spec.dseq, gseq: gi + 1, oseq: 1, provider: spec.owner };
      try {
        planService({ service: buildServiceCR(leaseId, svc, policy), leaseId, policy });
      } catch (err) {
        if (!(err instanceof WorkloadSpecError)) throw err;
        for (const i of err.issues) issues.add(manifestPath(base, i.path), i.message);
      }
    });
  });
  return issues.list;
}

/** Longest condition message we write; the API allows 32 KiB, `kubectl describe` readers less. */
const MAX_MESSAGE = 4096;

/** `path: message; path: message`, cut to a size `kubectl describe` still shows. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  let out = '';
  for (let i = 0; i < issues.length; i++) {
    const issue = issues[i]!;
    const next = `${out === '' ? '' : '; '}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
    if (out.length + next.length > MAX_MESSAGE) return `${out}; … and ${issues.length - i} more`;
    out += next;
  }
  return out;
}
