/**
 * Manifest reconcile: validate the spec beyond its schema and publish the verdict as the `Accepted`
 * condition, written only when it changed. The Lease controller reads the verdict; nothing else
 * happens here (a Manifest has no children).
 */
import { API_VERSION } from '../../api/common.ts';
import { MANIFEST_KIND, type Manifest, type ManifestStatus } from '../../api/manifest.ts';
import { deepEqual, findCondition, type Informer, type Reconciler } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { ManifestRef } from '../refs.ts';
import { ACCEPTED, manifestStatus } from './status.ts';
import { manifestIssues } from './validate.ts';

export function createManifestReconciler(ctx: OperatorContext, manifests: Informer<Manifest>): Reconciler {
  return async (key) => {
    const cached = manifests.getByKey(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const manifest = structuredClone(cached);
    const issues = manifestIssues(manifest, ctx.policy);
    const next = manifestStatus(manifest.status, issues, manifest.metadata.generation);
    if (!deepEqual(manifest.status, next)) {
      await ctx.client.applyStatus(ManifestRef, { apiVersion: API_VERSION, kind: MANIFEST_KIND, metadata: { name: manifest.metadata.name }, status: next });
      recordVerdict(ctx, manifest, next.conditions);
    }
    return { requeueAfterMs: ctx.resyncMs };
  };
}

/** An Event when the verdict flips (or is first given), not on every write. */
function recordVerdict(ctx: OperatorContext, manifest: Manifest, conditions: ManifestStatus['conditions']): void {
  const before = findCondition(manifest.status?.conditions, ACCEPTED);
  const after = findCondition(conditions, ACCEPTED);
  if (!after || before?.status === after.status) return;
  const regarding = { apiVersion: API_VERSION, kind: MANIFEST_KIND, metadata: manifest.metadata };
  if (after.status === 'True') ctx.recorder.record(regarding, { type: 'Normal', reason: 'Accepted', action: 'Validate', note: after.message });
  else ctx.recorder.record(regarding, { type: 'Warning', reason: 'Rejected', action: 'Validate', note: after.message });
}
