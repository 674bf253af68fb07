/** The Manifest controller: validates each Manifest and sets its `Accepted` condition. */
import type { Manifest } from '../../api/manifest.ts';
import { generationChanged, type Controller, type Informer, type Reconciler } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { ManifestRef } from '../refs.ts';
import { createManifestReconciler } from './reconciler.ts';

export { ACCEPTED } from './status.ts';
export { formatIssues, manifestIssues } from './validate.ts';

export interface ManifestController {
  controller: Controller<Manifest>;
  manifests: Informer<Manifest>;
  reconcile: Reconciler;
}

/** Registers the controller and returns its parts (tests call `reconcile` directly). */
export function setupManifestController(ctx: OperatorContext): ManifestController {
  const manifests = ctx.mgr.informer<Manifest>(ManifestRef);
  const reconcile = createManifestReconciler(ctx, manifests);
  // Our own status writes do not change metadata.generation: they need no second look.
  const controller = ctx.mgr.controller<Manifest>({ name: 'manifest', for: manifests, forFilter: generationChanged, concurrency: ctx.concurrency, reconcile });
  return { controller, manifests, reconcile };
}

export function registerManifestController(ctx: OperatorContext): void {
  setupManifestController(ctx);
}
