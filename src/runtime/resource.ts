/**
 * Kubernetes objects as plain JSON, and how to address them. Controllers declare each kind they touch
 * as a `ResourceRef` constant; the runtime never calls discovery, so a path is known without a request.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/** Any Kubernetes object as the API server sends it (raw JSON: timestamps are strings). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** One resource type: enough to build its REST paths and to match ownerReferences. */
export interface ResourceRef {
  /** `v1` for the core group, else `<group>/<version>`. */
  apiVersion: string;
  kind: string;
  /** Lower-case plural used in the path, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
}

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * REST path of a collection (no name) or an object, optionally of a subresource (`status`).
 * A namespaced resource without a namespace addresses the collection across all namespaces.
 */
export function resourcePath(
  ref: ResourceRef,
  target: { namespace?: string | undefined; name?: string | undefined } = {},
  subresource?: string,
): string {
  const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const parts = [root];
  if (ref.namespaced && target.namespace) parts.push('namespaces', encodeURIComponent(target.namespace));
  if (!ref.namespaced && target.namespace) {
    throw new Error(`resourcePath: ${ref.kind} is cluster-scoped, got namespace '${target.namespace}'`);
  }
  parts.push(ref.plural);
  if (target.name !== undefined) parts.push(encodeURIComponent(target.name));
  else if (subresource !== undefined) throw new Error(`resourcePath: subresource '${subresource}' needs a name`);
  if (subresource !== undefined) parts.push(subresource);
  return parts.join('/');
}

/** Queue and cache key: `namespace/name`, or `name` for cluster-scoped objects (client-go's form). */
export function objectKey(obj: { metadata: ObjectMeta }): string {
  const { namespace, name } = obj.metadata;
  if (!name) throw new Error('objectKey: object has no metadata.name');
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by `objectKey`. */
export function parseKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** An ownerReference marking `owner` as the controller of a child (garbage collection deletes the child with it). */
export function controllerReference(owner: KubeObject, ref: ResourceRef): OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name || !uid) throw new Error(`controllerReference: ${ref.kind} owner needs metadata.name and metadata.uid`);
  return { apiVersion: ref.apiVersion, kind: ref.kind, name, uid, controller: true, blockOwnerDeletion: true };
}
