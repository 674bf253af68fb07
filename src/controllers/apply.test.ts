import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../runtime/index.ts';
import { DESIRED_HASH_ANNOTATION, desiredHash, needsApply, stampDesiredHash } from './apply.ts';

const desired = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', labels: { a: '1' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };

describe('needsApply', () => {
  it('is false for the live object of an earlier apply, with server defaults and without apiVersion/kind (list items)', () => {
    const stamped = stampDesiredHash(desired);
    const { apiVersion: _v, kind: _k, ...fromList } = structuredClone(stamped);
    const live = { ...fromList, metadata: { ...fromList.metadata, uid: 'u', resourceVersion: '9' }, spec: { ...fromList.spec, revisionHistoryLimit: 10 }, status: { replicas: 1 } };
    expect(needsApply(live, stamped)).toBe(false);
  });

  it('is true when the live object is missing, drifted, or was applied from another desired form', () => {
    const stamped = stampDesiredHash(desired);
    expect(needsApply(undefined, stamped)).toBe(true);
    expect(needsApply({ ...stamped, spec: { ...stamped.spec, replicas: 3 } } as KubeObject, stamped)).toBe(true);
    // The live object still has a field the new desired form dropped: only the hash tells.
    const withCommand = stampDesiredHash({ ...desired, spec: { ...desired.spec, template: { spec: { containers: [{ name: 'web', image: 'nginx', command: ['/x'] }] } } } });
    expect(needsApply(withCommand, stamped)).toBe(true);
  });

  it('hashes independently of key order and of undefined fields', () => {
    expect(desiredHash({ metadata: { name: 'a', namespace: 'n' } })).toBe(desiredHash({ metadata: { namespace: 'n', name: 'a', labels: undefined } }));
    expect((stampDesiredHash(desired) as KubeObject).metadata.annotations?.[DESIRED_HASH_ANNOTATION]).toBe(desiredHash(desired));
  });
});
